'use strict';
// What the desk talks to: the sync server and the photo route. Each is started here unless one already answers on
// its port (the first desk started it), so two desks on one machine share them.
const http = require('node:http');
const { startEmbeddedServer } = require('./embedded-server');
const { startPhotoServer } = require('../app/photo-server');

const local = (port) => `http://127.0.0.1:${port}`;
const PROBE_TIMEOUT_MS = 1000;

/** Whether anything answers HTTP on 127.0.0.1:`port`: any status counts (404, 401), no answer in time does not. */
function answersHttp(port, timeout = PROBE_TIMEOUT_MS) {
  return new Promise((resolve) => {
    // No agent: a kept-alive socket to the other desk's server would outlive the probe.
    const request = http.get(`${local(port)}/`, { timeout, agent: false }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('timeout', () => request.destroy(new Error('no answer in time')));
    request.on('error', () => resolve(false));
  });
}

async function startOrShare(start, port) {
  try {
    return await start();
  } catch (error) {
    // Port taken, or the server exited before listening: most likely another desk runs it, but only a server
    // answering there proves it (the port may be some other program's, or the server may have failed on its own).
    if (error.code !== 'EADDRINUSE' && !/exited before listening/.test(error.message)) throw error;
    if (!(await answersHttp(port))) throw error;
    return { url: local(port), stop: async () => {} };
  }
}

/** Resolves to { syncUrl, photoBase, stop() }. */
async function startServices(config) {
  const sync = config.syncUrl
    ? { url: config.syncUrl, stop: async () => {} }
    : await startOrShare(() => startEmbeddedServer({
      db: config.serverDb, token: config.token, tenant: config.tenant, port: config.serverPort,
    }), config.serverPort);
  let photos;
  try {
    photos = await startOrShare(async () => {
      const server = await startPhotoServer({ port: config.photoPort });
      return { url: server.url, stop: () => server.close() };
    }, config.photoPort);
  } catch (error) {
    await sync.stop();
    throw error;
  }
  return {
    syncUrl: sync.url,
    photoBase: photos.url,
    stop: () => Promise.allSettled([sync.stop(), photos.stop()]),
  };
}

module.exports = { startServices };
