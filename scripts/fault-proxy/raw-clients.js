'use strict';
// Clients that show what a fault did, for tests of the proxy and of what sits behind it: an HTTP request that
// reports socket errors and incomplete bodies as results instead of throwing, and a minimal /v1/live WebSocket.
const crypto = require('node:crypto');
const http = require('node:http');

const LIVE_MESSAGE_DEADLINE_MS = 10000;

/**
 * One request (on a fresh connection unless an agent is given). Never rejects: { error } for a socket error before
 * the answer, else { status, headers, body, complete } (complete false when the connection ended inside the body).
 */
function rawRequest(url, { method = 'GET', headers = {}, body, agent = false } = {}) {
  return new Promise((resolve) => {
    const request = http.request(url, { method, headers, agent });
    request.on('error', (error) => resolve({ error: error.code || error.message }));
    request.on('response', (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('error', () => {});  // 'aborted': reported through complete === false
      response.on('close', () => resolve({
        status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks),
        complete: response.complete,
      }));
    });
    request.end(body);
  });
}

// A client frame: clients must mask what they send.
function maskedFrame(firstByte, payload) {
  const mask = crypto.randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
  return Buffer.concat([Buffer.from([firstByte, 0x80 | payload.length]), mask, masked]);
}

/**
 * Opens the live channel at `${url}/v1/live${query}`; resolves to { next(), pending(), pings(), closed, close() } or
 * rejects if the upgrade fails (with the refusal's `status`). next() resolves with the next JSON text message, rejects
 * when none comes within `deadlineMs` or the connection closes. Server pings are counted, and answered with `answerPings`: a
 * client that does not answer is what a dead or stuck device looks like to the server.
 */
function openLive(url, headers, options = {}) {
  const { query = '', answerPings = false, deadlineMs = LIVE_MESSAGE_DEADLINE_MS } = options;
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}/v1/live${query}`, {
      agent: false,
      headers: {
        Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': crypto.randomBytes(16).toString('base64'), ...headers,
      },
    });
    request.on('response', (response) => {
      response.resume();
      reject(Object.assign(new Error(`upgrade refused with ${response.statusCode}`), { status: response.statusCode }));
    });
    request.on('error', reject);
    request.on('upgrade', (response, socket, head) => {
      let buffered = Buffer.from(head);  // bytes that came with the 101 belong to the first frame
      let isClosed = false;
      let pings = 0;
      const queue = [];
      const waiters = [];  // { resolve, reject, timer }
      const closed = new Promise((resolveClosed) => socket.once('close', () => {
        isClosed = true;
        for (const waiter of waiters.splice(0)) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error('the live connection closed'));
        }
        resolveClosed();
      }));
      socket.on('error', () => {});  // reported through `closed`
      const drain = () => {
        // Server frames are unmasked; these are small text frames (length < 126).
        while (buffered.length >= 2 && buffered.length >= 2 + (buffered[1] & 0x7f)) {
          const length = buffered[1] & 0x7f;
          const opcode = buffered[0] & 0x0f;
          const payload = buffered.subarray(2, 2 + length).toString();
          buffered = buffered.subarray(2 + length);
          if (opcode === 9) {  // ping: a pong carries the same payload
            pings += 1;
            if (answerPings) socket.write(maskedFrame(0x8a, Buffer.from(payload)));
            continue;
          }
          if (opcode !== 1) continue;
          const message = JSON.parse(payload);
          if (waiters.length > 0) {
            const waiter = waiters.shift();
            clearTimeout(waiter.timer);
            waiter.resolve(message);
          } else {
            queue.push(message);
          }
        }
      };
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        drain();
      });
      drain();
      resolve({
        next() {
          if (queue.length > 0) return Promise.resolve(queue.shift());
          if (isClosed) return Promise.reject(new Error('the live connection closed'));
          return new Promise((resolveNext, rejectNext) => {
            const waiter = { resolve: resolveNext, reject: rejectNext, timer: null };
            waiter.timer = setTimeout(() => {
              waiters.splice(waiters.indexOf(waiter), 1);
              rejectNext(new Error('no live message in time'));
            }, deadlineMs);
            waiters.push(waiter);
          });
        },
        pending: () => queue.length,
        pings: () => pings,
        closed,
        close: () => socket.destroy(),
      });
    });
    request.end();
  });
}

module.exports = { rawRequest, openLive };
