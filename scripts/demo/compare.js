'use strict';
// Compares the devices' tables: row counts and a hash of every table's rows in id order, plus the server's row count
// per table from a full pull.
const crypto = require('node:crypto');

function tableHash(db, table) {
  const hash = crypto.createHash('sha256');
  let rows = 0;
  for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY id`).iterate()) {
    hash.update(JSON.stringify(Object.entries(row)));
    hash.update('\n');
    rows += 1;
  }
  return { rows, hash: hash.digest('hex').slice(0, 12) };
}

/** Every live row on the server, counted per table (the protocol's pull, page by page). */
async function serverCounts(url, token) {
  const counts = {};
  let cursor = 0;
  for (;;) {
    const response = await fetch(`${url}/v1/pull?cursor=${cursor}&limit=5000`,
      { headers: { Authorization: `Bearer ${token}`, 'X-Offline-Sync-Protocol': '1' } });
    if (!response.ok) throw new Error(`server pull answered ${response.status}`);
    const page = await response.json();
    for (const row of page.rows) if (!row.deleted) counts[row.table] = (counts[row.table] ?? 0) + 1;
    cursor = page.cursor;
    if (!page.more) return counts;
  }
}

/** Prints one line per table; returns true when every device's table has the same rows as every other's. */
function printComparison(devices, tables, server, print) {
  const width = Math.max(...devices.map((device) => device.label.length), 18);
  print(`  ${'table'.padEnd(12)}${devices.map((d) => d.label.padEnd(width + 2)).join('')}server`);
  let identical = true;
  for (const table of tables) {
    const sides = devices.map((device) => tableHash(device.db, table));
    const same = sides.every((side) => side.rows === sides[0].rows && side.hash === sides[0].hash) &&
      (server[table] ?? 0) === sides[0].rows;
    identical &&= same;
    const cells = sides.map((side) => `${String(side.rows).padStart(2)} rows ${side.hash}`.padEnd(width + 2));
    print(`  ${table.padEnd(12)}${cells.join('')}${String(server[table] ?? 0).padStart(2)} rows  ${same ? 'same' : 'DIFFERENT'}`);
  }
  return identical;
}

module.exports = { tableHash, serverCounts, printComparison };
