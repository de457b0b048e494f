'use strict';
// Shared by the desk UI tests (50-*): the renderer of electron-demo/ in headless Chromium (playwright-core), with
// `window.desk` built by the same makeDeskApi the Electron preload uses, over a Playwright binding to the same
// main-side desk (electron-demo/app/desk.js) under Node. Plus a static server for the renderer's files and a proxy
// that can make the sync server answer errors. Not a test file itself.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { METHODS, makeDeskApi } = require('../../electron-demo/app/desk-api');
const { createDesk } = require('../../electron-demo/app/desk');
const { TOKEN } = require('./40-sync-fixtures');

const RENDERER = path.join(__dirname, '..', '..', 'electron-demo', 'renderer');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png' };
const FAST_RETRY = { initialDelay: 100, maxDelay: 500 };

/** Headless Chromium, closed after the test. */
async function launchBrowser(t) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  t.after(() => browser.close());
  return browser;
}

/** Serves `root` over http on 127.0.0.1 (like app://desk/ in Electron); closed after the test. */
async function serveFolder(t, root = RENDERER) {
  const server = http.createServer((request, response) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    } catch {
      response.writeHead(400).end();  // malformed percent-encoding (a URIError), as app://desk/ answers it
      return;
    }
    const file = path.join(root, path.normalize(pathname === '/' ? '/index.html' : pathname));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(response);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  return `http://127.0.0.1:${server.address().port}`;
}

/** A desk (one device) on tmp/`name`.db syncing with `url`; closed after the test. */
function openDesk(tmp, name, url, extra = {}) {
  const { sync = {}, ...rest } = extra;
  const desk = createDesk({
    file: tmp.file(`${name}.db`), deviceName: name, sync: { url, token: TOKEN, retry: FAST_RETRY, ...sync }, ...rest,
  });
  tmp.defer(() => desk.close());
  return desk;
}

// The init script giving the page `window.desk`: makeDeskApi's own source over the __deskInvoke binding.
const BRIDGE = `(() => {
  const listeners = new Set();
  window.__deskDeliver = (event) => { for (const listener of listeners) listener(event); };
  window.desk = (${makeDeskApi.toString()})(${JSON.stringify(METHODS)},
    (method, args) => window.__deskInvoke(method, args),
    (callback) => { listeners.add(callback); return () => listeners.delete(callback); });
})();`;

/**
 * A window of the desk app: a page at `origin` whose window.desk calls `desk`, as a preload would. Returns
 * { page, problems }: problems collects uncaught page errors and console errors (a failed photo fetch aside).
 */
async function openWindow(t, browser, desk, origin) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.exposeBinding('__deskInvoke', (_source, method, args) => desk.call(method, args));
  await context.addInitScript({ content: BRIDGE });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(message.text());
  });
  const unsubscribe = desk.subscribe((event) => {
    page.evaluate((payload) => window.__deskDeliver?.(payload), event).catch(() => {});  // page closed or reloading
  });
  t.after(async () => {
    unsubscribe();
    await context.close();
  });
  await page.goto(`${origin}/index.html`);
  await page.waitForSelector('[data-testid=sync-state][data-state]');
  return { page, problems };
}

/** An HTTP proxy to `target` that answers every request with `status` and a coded error while failing. */
async function startFailingProxy(t, target) {
  let failure = null;
  const server = http.createServer((request, response) => {
    if (failure) {
      response.writeHead(failure.status, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'ERR_SERVER', message: failure.message } }));
      request.resume();
      return;
    }
    const upstream = http.request(`${target}${request.url}`, { method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode, answer.headers);
        answer.pipe(response);
      });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    fail: (status, message) => { failure = { status, message }; },
    heal: () => { failure = null; },
  };
}

/** Every row of `table` in `desk`'s database, for comparing devices. */
function tableRows(desk, table) {
  return desk.db.all(`SELECT * FROM ${table} ORDER BY id`);
}

module.exports = { launchBrowser, serveFolder, openDesk, openWindow, startFailingProxy, tableRows, RENDERER };
