'use strict';
// A WebSocket upgrade through the proxy: a raw TCP tunnel to the target that replays the original request head and
// then relays bytes both ways, with latency, bandwidth, offline and live.cut applied. The proxy never parses frames.
const net = require('node:net');
const { Pacer } = require('./pacing');

/** Every decision for one upgrade, drawn now in a fixed order and count. */
function drawTunnelPlan(ctx) {
  const cut = ctx.random() < ctx.config.live.cut;
  const cutAfterBytes = Math.floor(ctx.random() * ctx.config.live.maxBytes);
  return { cut, cutAfterBytes, toServerDelayMs: ctx.drawLatency(), toClientDelayMs: ctx.drawLatency() };
}

function requestHead(request) {
  let head = `${request.method} ${request.url} HTTP/${request.httpVersion}\r\n`;
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return Buffer.from(`${head}\r\n`, 'latin1');
}

/**
 * Copies source's data into dest with backpressure while budget.remaining (bytes, shared by both directions) lasts;
 * the write that exhausts it is cut short, and onCut runs once those bytes are flushed.
 */
function relay(source, dest, budget, onCut) {
  source.on('data', (chunk) => {
    if (budget.remaining <= 0) return;
    if (chunk.length < budget.remaining) {
      budget.remaining -= chunk.length;
      if (!dest.write(chunk)) {
        source.pause();
        dest.once('drain', () => source.resume());
      }
      return;
    }
    const last = chunk.subarray(0, budget.remaining);
    budget.remaining = 0;
    dest.write(last, onCut);
  });
  source.on('end', () => {
    if (budget.remaining > 0) dest.end();
  });
}

function handleUpgrade(ctx, request, clientSocket, head) {
  ctx.stats.upgrades += 1;
  if (ctx.offline) {
    ctx.reset(clientSocket);
    return;
  }
  const plan = drawTunnelPlan(ctx);
  const serverSocket = net.connect({ host: ctx.target.host, port: ctx.target.port });
  const tunnel = { clientSocket, serverSocket };
  ctx.tunnels.add(tunnel);
  let closed = false;
  const closeTunnel = () => {
    if (closed) return;
    closed = true;
    ctx.tunnels.delete(tunnel);
    ctx.reset(clientSocket);
    ctx.reset(serverSocket);
  };
  for (const socket of [clientSocket, serverSocket]) {
    socket.on('error', closeTunnel);
    socket.on('close', closeTunnel);
  }
  const budget = { remaining: plan.cut ? plan.cutAfterBytes : Infinity };
  const onCut = () => {
    ctx.count('liveCut');
    closeTunnel();
  };
  if (plan.cut && plan.cutAfterBytes === 0) {
    onCut();
    return;
  }
  // Pacers even without latency or a bandwidth cap (they then pass chunks on at once): one path for every byte.
  const toServer = new Pacer(ctx.scheduler, { delayMs: plan.toServerDelayMs, bytesPerSecond: ctx.config.bandwidth });
  const toClient = new Pacer(ctx.scheduler, { delayMs: plan.toClientDelayMs, bytesPerSecond: ctx.config.bandwidth });
  for (const pacer of [toServer, toClient]) pacer.on('error', closeTunnel);
  serverSocket.once('connect', () => ctx.guard(() => {
    // The head goes first, through the same path (delay, byte budget) as every later client byte.
    toServer.write(requestHead(request));
    if (head.length > 0) toServer.write(head);
    clientSocket.pipe(toServer);
    relay(toServer, serverSocket, budget, onCut);
  }));
  serverSocket.pipe(toClient);
  relay(toClient, clientSocket, budget, onCut);
}

module.exports = { handleUpgrade };
