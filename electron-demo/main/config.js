'use strict';
// Where the desk keeps its data and which server it syncs with, from the environment:
//   DESK_PROFILE       the device: 'office' (default) or any name; each has its own data folder and device name
//   DESK_SYNC_URL      a sync server to use (with DESK_SYNC_TOKEN); without it the desk starts the embedded one
//   DESK_SERVER_PORT   the embedded server's port (default 47800); a second desk finds the first one's there
//   DESK_PHOTO_PORT    the photo route's port (default 47801), shared the same way
const path = require('node:path');

const TOKEN = 'desk-demo-token';
const TENANT = 'city-driving-school';

function port(value, fallback) {
  const number = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) throw new Error(`not a port: ${value}`);
  return number;
}

/** The desk's configuration from `env`, with data under `dataRoot` (Electron's userData folder). */
function deskConfig(env, dataRoot) {
  const profile = env.DESK_PROFILE || 'office';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(profile)) throw new Error(`DESK_PROFILE must be a simple name: ${profile}`);
  const dataDir = path.join(dataRoot, profile);
  return {
    profile,
    dataDir,
    file: path.join(dataDir, 'desk.db'),
    deviceName: profile,
    syncUrl: env.DESK_SYNC_URL || null,
    token: env.DESK_SYNC_TOKEN || TOKEN,
    tenant: TENANT,
    serverDb: path.join(dataRoot, 'embedded-server.db'),
    serverPort: port(env.DESK_SERVER_PORT, 47800),
    photoPort: port(env.DESK_PHOTO_PORT, 47801),
    // Only the first device of a fresh school writes the sample data, so two desks do not both seed it.
    seed: profile === 'office' && !env.DESK_SYNC_URL,
  };
}

module.exports = { deskConfig, TOKEN, TENANT };
