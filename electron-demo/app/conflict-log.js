'use strict';
// The settled conflicts the desk lists, kept in a local (untracked) table so they survive a restart. Only the newest
// KEEP are kept.
const KEEP = 200;

// Row values as JSON can carry them: bigint as a string, bytes as base64.
function jsonValue(_key, value) {
  if (typeof value === 'bigint') return value.toString();
  if (value && value.type === 'Buffer' && Array.isArray(value.data)) return Buffer.from(value.data).toString('base64');
  return value;
}

function createConflictLog(db) {
  return {
    /** Stores a settled conflict (the engine's 'conflict' event) and returns it as plain data with its time. */
    add(conflict, at = Date.now()) {
      const settled = JSON.parse(JSON.stringify({
        at, table: conflict.table, id: conflict.id, columns: conflict.columns, local: conflict.local,
        remote: conflict.remote, policy: conflict.policy, resolution: conflict.resolution,
      }, jsonValue));
      db.transaction(() => {
        db.run('INSERT INTO desk_conflicts (at, settled) VALUES (?, ?)', [at, JSON.stringify(settled)]);
        db.run('DELETE FROM desk_conflicts WHERE seq <= (SELECT max(seq) FROM desk_conflicts) - ?', [KEEP]);
      });
      return settled;
    },
    /** The newest `limit` settled conflicts, newest first. */
    recent(limit = 50) {
      return db.all('SELECT settled FROM desk_conflicts ORDER BY seq DESC LIMIT ?', [limit])
        .map((row) => JSON.parse(row.settled));
    },
  };
}

module.exports = { createConflictLog, KEEP };
