'use strict';
// The Electron main process of the desk, given the `electron` module (so a test can hand it a stand-in):
// one desk (one database connection, one sync engine) for the app, however many windows; windows are isolated
// (contextIsolation on, nodeIntegration off, no navigation, no pop-ups) and load the renderer from app://desk/.
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { createDesk } = require('../app/desk');
const { followPower } = require('../app/power-policy');
const { startServices } = require('./services');

const SCHEME = 'app';
const ORIGIN = 'app://desk';
const RENDERER = path.join(__dirname, '..', 'renderer');
const REFUSED = {
  ok: false, error: { code: 'ERR_FORBIDDEN', message: 'desk calls are only answered for app://desk/' },
};

/** Must run before the app is ready: app:// behaves like https (secure context, fetch, Cache Storage). */
function registerScheme(protocol) {
  protocol.registerSchemesAsPrivileged([
    { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;  // missing, or a path through a file (ENOTDIR)
  }
}

/** app://desk/<path> serves renderer/<path> (app://desk/ its index.html), and nothing outside that folder. */
function rendererResponse(net, url) {
  const { host, pathname } = new URL(url);
  if (host !== 'desk') return new Response('not found', { status: 404 });
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return new Response('bad request', { status: 400 });  // malformed percent-encoding (a URIError)
  }
  const file = path.join(RENDERER, path.normalize(decoded === '/' ? '/index.html' : decoded));
  if (!file.startsWith(RENDERER + path.sep) || !isFile(file)) return new Response('not found', { status: 404 });
  return net.fetch(pathToFileURL(file).toString());
}

function windowOptions() {
  return {
    width: 1280,
    height: 800,
    title: 'Driving School Desk',
    webPreferences: {
      preload: path.join(__dirname, 'preload.js'),
      contextIsolation: true,
      nodeIntegration: false,
      // The preload requires desk-api.js, which a sandboxed preload cannot; the page itself stays isolated.
      sandbox: false,
      webSecurity: true,
    },
  };
}

function isDeskFrame(event) {
  return typeof event?.senderFrame?.url === 'string' && event.senderFrame.url.startsWith(`${ORIGIN}/`);
}

/**
 * Runs the desk in `electron` with `config` (config.js). Resolves to { desk, openWindow, stop() } once the first
 * window is open; stop() is what quitting runs (idempotent).
 */
async function runDeskApp(electron, config) {
  const { app, BrowserWindow, ipcMain, powerMonitor, protocol, net, Menu } = electron;
  registerScheme(protocol);
  await app.whenReady();
  protocol.handle(SCHEME, (request) => rendererResponse(net, request.url));

  fs.mkdirSync(config.dataDir, { recursive: true });
  const services = await startServices(config);
  let desk;
  try {
    desk = createDesk({
      file: config.file, deviceName: config.deviceName, photoBase: services.photoBase, seed: config.seed,
      sync: { url: services.syncUrl, token: config.token, retry: { initialDelay: 1000, maxDelay: 30000 } },
    });
  } catch (error) {
    await services.stop();
    throw error;
  }

  ipcMain.handle('desk:call', (event, method, args) => (isDeskFrame(event) ? desk.call(method, args) : REFUSED));
  desk.subscribe((event) => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed()) window.webContents.send('desk:event', event);
    }
  });
  const unfollowPower = followPower(powerMonitor, desk);
  await desk.start();

  const openWindow = () => {
    const window = new BrowserWindow(windowOptions());
    window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    window.webContents.on('will-navigate', (event) => event.preventDefault());
    window.loadURL(`${ORIGIN}/index.html`);
    return window;
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate([
    { label: 'File', submenu: [{ label: 'New Window', accelerator: 'CmdOrCtrl+N', click: () => openWindow() },
      { role: 'quit' }] },
    { role: 'editMenu' },
    { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }] },
  ]));

  // Close the engine and database before the process ends; the server and photo route after them.
  let stopped = false;
  let stopping = null;
  const stopEverything = () => {
    stopping ??= (async () => {
      try {
        try {
          unfollowPower();
          desk.close();
        } finally {
          await services.stop();  // even when closing the desk failed: the ports must not stay taken
        }
      } finally {
        stopped = true;  // even after a failure: will-quit must not prevent quitting forever
      }
    })();
    return stopping;
  };
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    stopEverything()
      .catch((error) => console.error('offline-sync desk: stopping failed; quitting anyway', error))
      .finally(() => app.quit());
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  openWindow();
  return { desk, openWindow, stop: stopEverything };
}

module.exports = { runDeskApp, registerScheme, rendererResponse, windowOptions, ORIGIN };
