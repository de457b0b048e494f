'use strict';
// The desk's Electron main process and preload (electron-demo/main), run under Node with a stand-in for the
// `electron` module (Electron's binary cannot be downloaded here): window isolation, the app:// scheme, one desk for
// every window, the preload exposing plain functions only, calls from foreign frames refused, and the power policy.
// Also what keeps the main process alive and quitting: a failing stop, shared ports, and the sync controller's event
// handlers (an exception escaping them would be an uncaught one).
const test = require('node:test');
const assert = require('node:assert/strict');
const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const http = require('node:http');
const Module = require('node:module');
const net = require('node:net');
const path = require('node:path');
const { fileURLToPath } = require('node:url');
const { tempDir } = require('./helpers');
const { startSyncServer, waitUntil, TOKEN } = require('./40-sync-fixtures');
const { METHODS } = require('../../electron-demo/app/desk-api');
const { runDeskApp } = require('../../electron-demo/main/desk-app');
const { startServices } = require('../../electron-demo/main/services');
const { createSyncController } = require('../../electron-demo/app/sync-controller');
const { deskConfig } = require('../../electron-demo/main/config');

const PRELOAD = require.resolve('../../electron-demo/main/preload');

/** What the desk uses of Electron, recording what it is asked to do. */
function fakeElectron(userData) {
  const recorded = { schemes: [], protocolHandlers: new Map(), ipcHandlers: new Map(), windows: [], menu: null,
    exposed: {}, rendererListeners: new Map(), quitCalls: 0 };
  const appEvents = new EventEmitter();
  class BrowserWindow {
    constructor(options) {
      this.options = options;
      this.sent = [];
      this.webContents = {
        send: (channel, payload) => this.sent.push({ channel, payload }),
        setWindowOpenHandler: (handler) => { this.openHandler = handler; },
        on: (event, handler) => { if (event === 'will-navigate') this.navigationHandler = handler; },
      };
      recorded.windows.push(this);
    }

    loadURL(url) { this.url = url; }
    isDestroyed() { return false; }
    static getAllWindows() { return recorded.windows; }
  }
  const electron = {
    app: {
      whenReady: () => Promise.resolve(),
      on: (event, handler) => appEvents.on(event, handler),
      getPath: () => userData,
      quit() {
        recorded.quitCalls += 1;
        appEvents.emit('will-quit', { preventDefault() { this.prevented = true; } });
      },
    },
    BrowserWindow,
    protocol: {
      registerSchemesAsPrivileged: (schemes) => recorded.schemes.push(...schemes),
      handle: (scheme, handler) => recorded.protocolHandlers.set(scheme, handler),
    },
    net: { fetch: async (url) => new Response(fs.readFileSync(fileURLToPath(url))) },
    Menu: { buildFromTemplate: (template) => template, setApplicationMenu: (menu) => { recorded.menu = menu; } },
    ipcMain: {
      handle(channel, handler) {
        assert.ok(!recorded.ipcHandlers.has(channel), `one handler per channel: ${channel}`);
        recorded.ipcHandlers.set(channel, handler);
      },
    },
    powerMonitor: Object.assign(new EventEmitter(), { isOnBatteryPower: () => false }),
    contextBridge: { exposeInMainWorld: (name, api) => { recorded.exposed[name] = api; } },
    ipcRenderer: {
      invoke: (channel, ...args) => recorded.ipcHandlers.get(channel)({ senderFrame: { url: 'app://desk/index.html' } },
        ...args),
      on(channel, listener) {
        if (!recorded.rendererListeners.has(channel)) recorded.rendererListeners.set(channel, new Set());
        recorded.rendererListeners.get(channel).add(listener);
      },
      removeListener: (channel, listener) => recorded.rendererListeners.get(channel)?.delete(listener),
    },
  };
  return { electron, recorded };
}

/** Makes require('electron') return `electron` for the length of the test. */
function provideElectron(t, electron) {
  const originalLoad = Module._load;
  Module._load = function load(request, ...rest) {
    return request === 'electron' ? electron : originalLoad.call(this, request, ...rest);
  };
  t.after(() => { Module._load = originalLoad; });
}

/** The app on a fresh server; `stopAtEnd` false leaves stopping it to the test. */
async function startApp(t, { stopAtEnd = true } = {}) {
  const tmp = tempDir(t);
  const server = await startSyncServer(t, tmp);
  const { electron, recorded } = fakeElectron(tmp.dir);
  provideElectron(t, electron);
  const config = deskConfig({ DESK_SYNC_URL: server.url, DESK_SYNC_TOKEN: TOKEN, DESK_PHOTO_PORT: '0' }, tmp.dir);
  const app = await runDeskApp(electron, config);
  if (stopAtEnd) t.after(() => app.stop());
  return { electron, recorded, app, config };
}

const syncView = async (desk) => (await desk.call('snapshot', [])).value.sync;

test('windows are isolated, load app://desk/ and cannot navigate or open pop-ups', async (t) => {
  const { recorded } = await startApp(t);
  assert.deepEqual(recorded.schemes,
    [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  const [window] = recorded.windows;
  const prefs = window.options.webPreferences;
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.preload, PRELOAD);
  assert.equal(window.url, 'app://desk/index.html');
  assert.deepEqual(window.openHandler({ url: 'https://example.org/' }), { action: 'deny' });
  const navigation = { preventDefault() { this.prevented = true; } };
  window.navigationHandler(navigation, 'https://example.org/');
  assert.equal(navigation.prevented, true);

  const serve = recorded.protocolHandlers.get('app');
  for (const url of ['app://desk/index.html', 'app://desk/']) {
    const page = await serve({ url });
    assert.equal(page.status, 200, url);
    assert.match(await page.text(), /<html/i);
  }
  for (const url of ['app://desk/..%2f..%2fpackage.json', 'app://desk/%2e%2e/main/preload.js', 'app://other/index.html',
    'app://desk/missing.js', 'app://desk/%2e%2f', 'app://desk/index.html/x']) {
    assert.equal((await serve({ url })).status, 404, url);  // '/./' is the renderer folder: a folder is no page
  }
  assert.equal((await serve({ url: 'app://desk/%E0%A4%A' })).status, 400, 'malformed percent-encoding');
});

test('the preload exposes plain functions that reach the one desk every window shares', async (t) => {
  const { recorded, app } = await startApp(t);
  delete require.cache[PRELOAD];
  require(PRELOAD);
  const api = recorded.exposed.desk;
  assert.deepEqual(Object.keys(api).sort(), [...METHODS, 'onEvent'].sort());
  assert.ok(Object.values(api).every((value) => typeof value === 'function'), 'functions only');

  const received = [];
  const receivedToo = [];
  const unsubscribe = api.onEvent((event) => received.push(event));
  api.onEvent((event) => receivedToo.push(event));  // a second subscriber, as a second part of the page
  recorded.menu[0].submenu.find((item) => item.label === 'New Window').click();
  assert.equal(recorded.windows.length, 2);
  assert.equal(recorded.ipcHandlers.size, 1, 'one handler, one desk, for both windows');

  const student = await api.saveStudent({ name: 'Lea Schmidt', phone: '+49 152 000002' });
  assert.equal(app.desk.db.get('SELECT name FROM students WHERE id = ?', [student.id]).name, 'Lea Schmidt');
  await assert.rejects(api.saveStudent({ phone: 'no name' }), (error) => error.code === 'ERR_INVALID_ARG');
  for (const window of recorded.windows) {
    assert.ok(window.sent.some(({ channel, payload }) => channel === 'desk:event' && payload.type === 'data'
      && payload.tables.includes('students')), 'each window hears about the write');
  }
  const deliver = (payload) => {
    for (const listener of recorded.rendererListeners.get('desk:event')) listener({}, payload);
  };
  deliver({ type: 'data', tables: ['students'], origin: 'local' });
  assert.deepEqual(received.at(-1), { type: 'data', tables: ['students'], origin: 'local' });
  unsubscribe();
  assert.equal(recorded.rendererListeners.get('desk:event').size, 1, 'only that listener is removed');
  deliver({ type: 'data', tables: ['vehicles'], origin: 'sync' });
  assert.deepEqual(received.at(-1).tables, ['students']);
  assert.deepEqual(receivedToo.at(-1).tables, ['vehicles']);

  const foreign = await recorded.ipcHandlers.get('desk:call')({ senderFrame: { url: 'https://example.org/' } },
    'list', ['students']);
  assert.equal(foreign.error.code, 'ERR_FORBIDDEN');
  const unknown = await recorded.ipcHandlers.get('desk:call')({ senderFrame: { url: 'app://desk/index.html' } },
    'close', []);
  assert.equal(unknown.error.code, 'ERR_INVALID_ARG');
});

test('suspend stops the engine, resume restarts and syncs, battery switches the schedule', async (t) => {
  const { electron, app } = await startApp(t);
  const { desk } = app;
  await waitUntil(async () => (await syncView(desk)).state === 'idle', 'the first sync');
  electron.powerMonitor.emit('suspend');
  await waitUntil(async () => {
    const view = await syncView(desk);
    return view.suspended && view.state === 'offline' && view.error.code === 'ERR_SUSPENDED';
  }, 'the engine to stop on suspend');
  await desk.call('saveStudent', [{ name: 'Written while asleep' }]);
  assert.equal(desk.db.pendingChanges(), 1);

  electron.powerMonitor.emit('resume');
  await waitUntil(async () => desk.db.pendingChanges() === 0 && (await syncView(desk)).state === 'idle',
    'the engine to sync again on resume');

  electron.powerMonitor.emit('on-battery');
  await waitUntil(async () => (await syncView(desk)).profile === 'battery', 'the battery schedule');
  await desk.call('saveStudent', [{ name: 'Written on battery' }]);
  await waitUntil(() => desk.db.pendingChanges() === 0, 'the write to sync on battery too');
  electron.powerMonitor.emit('on-ac');
  await waitUntil(async () => (await syncView(desk)).profile === 'ac', 'the AC schedule');
});

test('quitting closes the desk and its database before the app ends', async (t) => {
  const { electron, recorded, app } = await startApp(t);
  electron.app.quit();
  await waitUntil(() => recorded.quitCalls === 2, 'the second quit, after everything stopped');
  assert.equal(app.desk.db.open, false);
  assert.throws(() => deskConfig({ DESK_PROFILE: '../escape' }, '/tmp'), /simple name/);
});

test('a failing stop is logged and the app still quits, once', async (t) => {
  const { electron, recorded, app } = await startApp(t, { stopAtEnd: false });
  const closeDesk = app.desk.close;
  t.after(() => closeDesk());
  app.desk.close = () => { throw new Error('the disk is gone'); };
  const logged = t.mock.method(console, 'error', () => {});
  electron.app.quit();
  await waitUntil(() => recorded.quitCalls === 2, 'the second quit, after the failed stop');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(recorded.quitCalls, 2, 'will-quit let the second quit through instead of stopping again');
  assert.match(String(logged.mock.calls[0]?.arguments[0]), /stopping failed/);
  await assert.rejects(app.stop(), /the disk is gone/);
});

test("a taken port is shared only when a server answers there, since another desk's server would", async (t) => {
  const listen = async (server) => {
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((resolve) => server.close(resolve)));
    return server.address().port;
  };
  const config = (photoPort) => ({ syncUrl: 'http://127.0.0.1:9', photoPort });
  // Some other program's port: it takes connections but never speaks HTTP.
  const silentPort = await listen(net.createServer((socket) => socket.destroy()));
  await assert.rejects(startServices(config(silentPort)), (error) => error.code === 'EADDRINUSE');
  // Another desk's photo route: any HTTP answer counts, a 404 too.
  const deskPort = await listen(http.createServer((_request, response) => response.writeHead(404).end()));
  const services = await startServices(config(deskPort));
  assert.equal(services.photoBase, `http://127.0.0.1:${deskPort}`);
  await services.stop();
});

test('the sync controller survives its own event handlers failing and ignores a replaced engine', async (t) => {
  // A stand-in engine: db.sync() records its options and hands out clients whose events the test emits.
  const clients = [];
  const db = {
    pendingChanges: () => 0,
    sync(options) {
      const client = Object.assign(new EventEmitter(), { options, onConflict() {}, start() {}, stop: async () => {},
        close() {}, syncNow: async () => ({}) });
      clients.push(client);
      return client;
    },
  };
  const events = [];
  const conflictLog = { add() { throw Object.assign(new Error('the database is closed'), { code: 'ERR_CLOSED' }); } };
  const controller = createSyncController({ db, options: { url: 'http://127.0.0.1:9', conflictTimeout: 1000 },
    emit: (event) => events.push(event), conflictLog, questionTimeout: 60000 });
  t.after(() => controller.close());
  await controller.start();
  const [first] = clients;
  assert.equal(first.options.conflictTimeout, 65000, 'the engine waits longer than a person may');

  first.emit('conflict', { table: 'students', id: 'st-1' });  // would be an uncaught exception if it escaped
  assert.deepEqual(events.at(-1), { type: 'error', error: { code: 'ERR_CLOSED', message: 'the database is closed' } });

  await controller.setOnBattery(true);  // a new schedule: a new engine
  assert.equal(clients.length, 2);
  const seen = events.length;
  first.emit('status', { state: 'error', lastSyncAt: null, error: null, pending: 7 });
  first.emit('change', { tables: ['students'] });
  assert.equal(events.length, seen, 'the replaced engine is not heard');
  clients[1].emit('change', { tables: ['students'] });
  assert.deepEqual(events.at(-1), { type: 'data', tables: ['students'], origin: 'sync' });

  controller.close();
  clients[1].emit('change', { tables: ['lessons'] });
  assert.equal(events.at(-1).tables[0], 'students', 'a closed desk hears nothing');
});
