'use strict';
// Starts the reference server (build/Release/offline-sync-server) on 127.0.0.1 and a free port for one test,
// and stops it when the test ends. A server that outlives its deadline is killed: no test leaves one behind.
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const BINARY = path.join(__dirname, '..', '..', 'build', 'Release', 'offline-sync-server');
const START_DEADLINE_MS = 10000;
const LIFETIME_MS = 120000;

/**
 * @param t the node:test context (the server is stopped in t.after)
 * @param {{db: string, tokens: string[], args?: string[]}} options tokens as "TOKEN:TENANT"
 */
async function startServer(t, { db, tokens, args = [] }) {
  const argv = ['--host', '127.0.0.1', '--port', '0', '--db', db, ...tokens.flatMap((token) => ['--token', token]),
    ...args];
  const child = spawn(BINARY, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const killer = setTimeout(() => child.kill('SIGKILL'), LIFETIME_MS);
  killer.unref();
  const server = {
    child,
    exited,
    get stderr() { return stderr; },
    url: null,
    // SIGTERM, then the exit status.
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const status = await exited;
      clearTimeout(killer);
      return status;
    },
  };
  t.after(() => server.stop());
  const lines = readline.createInterface({ input: child.stdout });
  server.url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time: ${stderr}`)), START_DEADLINE_MS);
    lines.once('line', (line) => {
      clearTimeout(timer);
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (match) resolve(match[1]); else reject(new Error(`unexpected first line: ${line}`));
    });
    exited.then(({ code }) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  return server;
}

const PROTOCOL_HEADERS = { 'X-Offline-Sync-Protocol': '1' };

function authHeaders(token) {
  return { ...PROTOCOL_HEADERS, Authorization: `Bearer ${token}` };
}

async function push(url, token, body, extraHeaders = {}) {
  const response = await fetch(`${url}/v1/push`, {
    method: 'POST',
    headers: { ...authHeaders(token), 'Content-Type': 'application/json', ...extraHeaders },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

async function pull(url, token, cursor = 0, limit) {
  const query = `cursor=${cursor}${limit === undefined ? '' : `&limit=${limit}`}`;
  const response = await fetch(`${url}/v1/pull?${query}`, { headers: authHeaders(token) });
  return { status: response.status, body: await response.json() };
}

// A lesson-shaped change for device `device`, numbered `n`.
function lessonChange(device, n, overrides = {}) {
  return {
    id: `${device}:${n}`,
    table: 'lessons',
    row: `lesson-${n}`,
    op: 'insert',
    policy: 'merge',
    baseVersion: 0,
    hlc: String(BigInt(1700000000000 + n) * 65536n),
    columns: { student_id: `student-${n % 7}`, minutes: 90, status: 'booked', price: 45.5 },
    ...overrides,
  };
}

module.exports = { startServer, push, pull, authHeaders, lessonChange, PROTOCOL_HEADERS, BINARY };
