'use strict';
// What the desk talks to: the sync server and the photo route. Each is started here unless one already answers on
// its port (the first desk started it), so two desks on one machine share them.
const { startEmbeddedServer } = require('./embedded-server');
const { startPhotoServer } = require('../app/photo-server');

const local = (port) => `http://127.0.0.1:${port}`;

async function startOrShare(start, port) {
  try {
    return await start();
  } catch (error) {
    // Port taken: another desk runs it. Anything else is a real failure.
    if (error.code !== 'EADDRINUSE' && !/exited before listening/.test(error.message)) throw error;
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
