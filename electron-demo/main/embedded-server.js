'use strict';
// The reference sync server the desk starts when no SYNC_URL is given: the one built with the offline-sync package,
// on 127.0.0.1, its database in the app's data folder. The launcher is the one `npm run demo` uses.
const path = require('node:path');

function packageRoot() {
  try {
    return path.dirname(require.resolve('offline-sync/package.json'));
  } catch {
    return path.join(__dirname, '..', '..');  // running inside the offline-sync repository
  }
}

const { startServer } = require(path.join(packageRoot(), 'scripts', 'demo', 'server.js'));

/** Resolves to { url, stop() } once the server listens; `port` 0 picks a free one. */
async function startEmbeddedServer({ db, token, tenant, port }) {
  const server = await startServer({ db, token: `${token}:${tenant}`, port });
  return { url: server.url, stop: () => server.stop() };
}

module.exports = { startEmbeddedServer };
