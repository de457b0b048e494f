'use strict';
// One HTTP request through the proxy: its plan is drawn at arrival, then it is held, reset or answered by the proxy,
// or forwarded, and the server's answer is passed on untouched, altered or cut.
const http = require('node:http');
const { pipeline, Transform } = require('node:stream');
const { createPacer } = require('./pacing');
const { createRandom } = require('./random');
const { FAULT_NAMES } = require('./options');

// Headers about one connection, not the message: never forwarded (RFC 9110 7.6.1).
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-authenticate', 'proxy-authorization'];

// What the proxy answers by itself, in the protocol's error shape (docs/PROTOCOL.md).
const LOCAL_ANSWERS = {
  status503: { status: 503, code: 'ERR_UNAVAILABLE', retryAfter: true },
  status500: { status: 500, code: 'ERR_SERVER', retryAfter: false },
  status429: { status: 429, code: 'ERR_BUSY', retryAfter: true },
};

// Each garbled byte gets its high bit flipped (plus random others), so a garbled text byte is never valid UTF-8 on
// its own: corrupted JSON is detectably corrupt, as behind a transport checksum, rather than silently different.
const GARBLE_MAX_BYTES = 8;

/** Every decision for one request, drawn now in a fixed order and count, whatever the settings. */
function drawPlan(ctx) {
  let fault = null;
  for (const name of FAULT_NAMES) {
    const hit = ctx.random() < ctx.config.faults[name];
    if (hit && fault === null) fault = name;
  }
  return {
    fault,
    requestDelayMs: ctx.drawLatency(),
    responseDelayMs: ctx.drawLatency(),
    cutFraction: ctx.random(),  // where truncate and cutAfterBytes cut
    garbleSeed: Math.floor(ctx.random() * 2 ** 32),
  };
}

/** rawHeaders (flat [name, value, ...]) without hop-by-hop headers and those the Connection header names. */
function endToEndHeaders(rawHeaders) {
  const dropped = new Set(HOP_BY_HOP);
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() !== 'connection') continue;
    for (const token of rawHeaders[i + 1].split(',')) dropped.add(token.trim().toLowerCase());
  }
  const kept = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (!dropped.has(rawHeaders[i].toLowerCase())) kept.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return kept;
}

function withContentLength(headers, length) {
  for (let i = 0; i < headers.length; i += 2) if (headers[i].toLowerCase() === 'content-length') return headers;
  return [...headers, 'Content-Length', String(length)];
}

/** A pass-through stream that also keeps every chunk in `chunks`. */
function recorder(chunks) {
  return new Transform({
    transform(chunk, encoding, callback) {
      chunks.push(chunk);
      callback(null, chunk);
    },
  });
}

/** Reads a whole stream into one Buffer; done is not called if the stream fails. */
function collectBody(stream, done) {
  const chunks = [];
  stream.on('data', (chunk) => chunks.push(chunk));
  stream.on('end', () => done(Buffer.concat(chunks)));
}

/** A copy of body with up to GARBLE_MAX_BYTES distinct bytes flipped, chosen by a PRNG seeded with `seed`. */
function garble(body, seed) {
  const random = createRandom(seed);
  const garbled = Buffer.from(body);
  const positions = new Set();
  const wanted = 1 + Math.floor(random() * Math.min(GARBLE_MAX_BYTES, garbled.length));
  while (garbled.length > 0 && positions.size < wanted) positions.add(Math.floor(random() * garbled.length));
  for (const position of positions) garbled[position] ^= 0x80 | Math.floor(random() * 0x80);
  return garbled;
}

function handleRequest(ctx, request, response) {
  const socket = request.socket;
  request.on('error', () => ctx.reset(socket));
  response.on('error', () => ctx.reset(socket));
  ctx.stats.requests += 1;
  if (ctx.offline) {
    ctx.reset(socket);
    return;
  }
  const plan = drawPlan(ctx);
  if (plan.fault !== null) ctx.count(plan.fault);
  if (plan.fault === 'blackhole') {
    request.resume();  // read and ignore the body; the socket stays open until the client or close() ends it
  } else if (plan.fault === 'resetBefore') {
    ctx.reset(socket);
  } else if (plan.fault in LOCAL_ANSWERS) {
    answerLocally(ctx, request, response, plan);
  } else {
    forward(ctx, request, response, plan);
  }
}

function answerLocally(ctx, request, response, plan) {
  const { status, code, retryAfter } = LOCAL_ANSWERS[plan.fault];
  request.resume();
  request.on('end', () => ctx.scheduler.later(plan.requestDelayMs + plan.responseDelayMs, () => {
    if (request.socket.destroyed) return;
    const message = `injected by the fault proxy (${plan.fault})`;
    const body = Buffer.from(JSON.stringify({ error: { code, message } }));
    const headers = {
      'Content-Type': 'application/json', 'Content-Length': body.length, 'X-Offline-Sync-Protocol': '1',
    };
    if (retryAfter) headers['Retry-After'] = '1';
    response.writeHead(status, headers);
    sendPaced(ctx, body, response, () => response.end());
  }));
}

/** Writes body to dest at the configured bandwidth, then calls finish. */
function sendPaced(ctx, body, dest, finish) {
  const pacer = createPacer(ctx.scheduler, { bytesPerSecond: ctx.config.bandwidth });
  if (pacer === null) {
    dest.write(body);
    finish();
    return;
  }
  pacer.on('data', (chunk) => dest.write(chunk));
  pacer.on('end', finish);
  pacer.end(body);
}

function forward(ctx, request, response, plan) {
  const clientSocket = request.socket;
  const requestChunks = plan.fault === 'replay' ? [] : null;
  request.pause();
  ctx.scheduler.later(plan.requestDelayMs, () => {
    if (clientSocket.destroyed) return;
    ctx.stats.forwarded += 1;
    const headers = endToEndHeaders(request.rawHeaders);
    const upstream = http.request({
      host: ctx.target.host, port: ctx.target.port, method: request.method, path: request.url, headers,
      agent: ctx.agent, setHost: false,
    });
    let answered = false;
    const abandon = () => {
      if (!answered) upstream.destroy();
    };
    clientSocket.once('close', abandon);  // the client is gone: so is its request to the server
    upstream.on('error', () => ctx.reset(clientSocket));
    upstream.on('response', (answer) => ctx.guard(() => {
      answer.on('error', () => ctx.reset(clientSocket));
      answer.on('end', () => {
        answered = true;
        clientSocket.off('close', abandon);
      });
      const answerChunks = plan.fault === 'replay' ? [] : null;
      if (answerChunks !== null) {
        answer.once('end', () => ctx.guard(() => sendReplay(ctx, request, headers, Buffer.concat(requestChunks),
          answer, Buffer.concat(answerChunks))));
      }
      ctx.scheduler.later(plan.responseDelayMs,
        () => relayAnswer(ctx, clientSocket, response, plan, answer, answerChunks));
    }));
    relayPaced(ctx, request, requestChunks, upstream, clientSocket, upstream);
  });
}

/**
 * Streams `from` into `to` at the link's bandwidth, keeping a copy in `chunks` when a replay needs it. A broken stream
 * resets the client's connection and destroys `upstreamSide`, the part that still talks to the server.
 */
function relayPaced(ctx, from, chunks, to, clientSocket, upstreamSide) {
  const stages = [from, chunks && recorder(chunks),
    createPacer(ctx.scheduler, { bytesPerSecond: ctx.config.bandwidth }), to].filter(Boolean);
  pipeline(stages, (error) => {
    if (!error) return;
    ctx.reset(clientSocket);
    upstreamSide.destroy();
  });
}

function relayAnswer(ctx, clientSocket, response, plan, answer, answerChunks) {
  if (clientSocket.destroyed) {
    answer.resume();
    return;
  }
  const headers = endToEndHeaders(answer.rawHeaders);
  if (plan.fault === 'resetAfter') {
    answer.resume();  // the server has applied the request; the client never learns it
    ctx.reset(clientSocket);
  } else if (plan.fault === 'truncate' || plan.fault === 'cutAfterBytes') {
    collectBody(answer, (body) => ctx.guard(() => {
      const sized = withContentLength(headers, body.length);
      let head = `HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}\r\n`;
      for (let i = 0; i < sized.length; i += 2) head += `${sized[i]}: ${sized[i + 1]}\r\n`;
      const headBytes = Buffer.from(`${head}\r\n`, 'latin1');
      const bytes = plan.fault === 'truncate'
        ? Buffer.concat([headBytes, body.subarray(0, Math.floor(plan.cutFraction * body.length))])
        : Buffer.concat([headBytes, body]).subarray(0, Math.floor(plan.cutFraction * (headBytes.length + body.length)));
      // Written under node's HTTP response, straight to the socket: the client gets exactly these bytes, then EOF.
      if (!clientSocket.destroyed) sendPaced(ctx, bytes, clientSocket, () => clientSocket.end());
    }));
  } else if (plan.fault === 'garble') {
    collectBody(answer, (body) => ctx.guard(() => {
      if (clientSocket.destroyed) return;
      response.sendDate = false;
      response.writeHead(answer.statusCode, answer.statusMessage, withContentLength(headers, body.length));
      sendPaced(ctx, garble(body, plan.garbleSeed), response, () => response.end());
    }));
  } else {
    response.sendDate = false;  // the server's Date header, if any, is forwarded instead
    response.writeHead(answer.statusCode, answer.statusMessage, headers);
    relayPaced(ctx, answer, answerChunks, response, clientSocket, answer);
  }
}

/** Sends the same request again once the first was answered, and reports both answers as a 'replay' event. */
function sendReplay(ctx, request, headers, body, firstAnswer, firstBody) {
  const report = (duplicate) => ctx.emit('replay', {
    method: request.method, path: request.url,
    first: { status: firstAnswer.statusCode, headers: firstAnswer.headers, body: firstBody },
    duplicate,
  });
  const copy = http.request({
    host: ctx.target.host, port: ctx.target.port, method: request.method, path: request.url, headers,
    agent: ctx.agent, setHost: false,
  });
  copy.on('error', (error) => report({ error: error.code || error.message }));
  copy.on('response', (answer) => {
    answer.on('error', (error) => report({ error: error.code || error.message }));
    collectBody(answer, (answerBody) => report({
      status: answer.statusCode, headers: answer.headers, body: answerBody,
    }));
  });
  copy.end(body);
}

module.exports = { handleRequest, drawPlan, endToEndHeaders, garble };
