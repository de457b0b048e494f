'use strict';
// The model the randomized convergence runs are checked against: every write a device made (in the order they were
// made, one per millisecond, so that order is also the order of their hybrid-clock stamps), and what the conflict
// rules of docs/CONFLICTS.md then say the tables must hold.
//
// - merge (last writer wins per column): a row is live iff its newest write is not a delete; each column holds the
//   value of its newest write (a row that comes back keeps the columns nobody rewrote), or, when a device deleted
//   the row after writing it, possibly that device's earlier value: its update and delete may have folded into one
//   delete before they were pushed (see mergeProblems).
// - server-wins, client-wins, manual: the winner depends on the order the server received changes in, which the
//   devices do not know. Checked: every value was written by some device to that row and column (nothing invented,
//   nothing crossed between rows), a row nobody deleted is live, and a row nobody created is absent.

const COLUMNS = ['a', 'b', 'n'];

// The values column `column` of a row may hold: see mergeProblems.
function acceptableValues(ofRow, column) {
  const setting = ofRow.filter((w) => w.op !== 'delete' && column in w.columns);
  const absorbable = (w) => ofRow.some((later) => later.seq > w.seq && later.op === 'delete'
    && later.device === w.device);
  let from = setting.length - 1;
  while (from > 0 && absorbable(setting[from])) from -= 1;
  return setting.slice(Math.max(from, 0)).map((w) => w.columns[column]);
}

function createModel() {
  const writes = [];  // { seq, device, table, id, op: 'insert' | 'update' | 'delete', columns }
  const written = new Map();  // 'table/id/column' -> Set of values written (by writes and by merged answers)
  const answers = [];  // merged answers, for failure messages
  let seq = 0;

  const remember = (table, id, columns) => {
    for (const [column, value] of Object.entries(columns)) {
      const key = `${table}/${id}/${column}`;
      if (!written.has(key)) written.set(key, new Set());
      written.get(key).add(value);
    }
  };

  return {
    writes,
    /** A write that returned (committed) on `device`. */
    record(device, table, id, op, columns = {}) {
      seq += 1;
      writes.push({ seq, device, table, id, op, columns });
      remember(table, id, columns);
    },
    /** Values a manual conflict's merged answer wrote: legitimate final values too. */
    recordMerged(device, question, columns) {
      remember(question.table, question.id, columns);
      answers.push(`${device} merged ${question.table}/${question.id} ${JSON.stringify(columns)} (local ` +
        `${JSON.stringify(question.local)}, remote ${JSON.stringify(question.remote)})`);
    },

    /**
     * Problems with the merge table (empty: none). `actual` is { id -> row } of live rows. A row is live iff its
     * newest write is not a delete. A column holds its newest write, except that a device's update followed by its
     * own delete of the row may never have left it (pending, the two fold into the delete): from the newest write
     * that no delete by its device follows, any later write of the column is an acceptable value.
     */
    mergeProblems(table, actual) {
      const problems = [];
      const ofTable = writes.filter((w) => w.table === table);
      for (const id of new Set([...ofTable.map((w) => w.id), ...Object.keys(actual)])) {
        const ofRow = ofTable.filter((w) => w.id === id);
        const live = ofRow.length > 0 && ofRow.at(-1).op !== 'delete';
        const row = actual[id];
        const rowProblems = [];
        if (live !== (row !== undefined)) {
          rowProblems.push(`should be ${live ? 'live' : 'absent'}`);
        } else if (live) {
          for (const column of COLUMNS) {
            const allowed = acceptableValues(ofRow, column);
            if (!allowed.includes(row[column])) {
              rowProblems.push(`${column} = ${JSON.stringify(row[column])}, not one of ${JSON.stringify(allowed)}`);
            }
          }
        }
        if (rowProblems.length > 0) {
          problems.push(`${table}/${id}: ${rowProblems.join('; ')} (last writer wins); server row ` +
            `${JSON.stringify(row ?? null)}; its writes:\n      ${this.history(table, id).join('\n      ')}`);
        }
      }
      return problems;
    },

    /** The writes of one row, one line each, for a failure message. */
    history(table, id) {
      return [...writes.filter((w) => w.table === table && w.id === id)
        .map((w) => `#${w.seq} ${w.device} ${w.op} ${JSON.stringify(w.columns)}`),
      ...answers.filter((line) => line.includes(` ${table}/${id} `))];
    },

    /** Problems with a table settled by arrival order (empty: none). `actual` is { id -> row }. */
    weakProblems(table, actual) {
      const problems = [];
      const ids = new Set(writes.filter((w) => w.table === table).map((w) => w.id));
      for (const id of ids) {
        const ofRow = writes.filter((w) => w.table === table && w.id === id);
        const deleted = ofRow.some((w) => w.op === 'delete');
        if (!deleted && !actual[id]) problems.push(`${table}/${id}: nobody deleted it, but it is gone`);
      }
      for (const [id, row] of Object.entries(actual)) {
        if (!ids.has(id)) problems.push(`${table}/${id}: nobody created it, but it exists`);
        for (const column of COLUMNS) {
          const values = written.get(`${table}/${id}/${column}`);
          if (!values || !values.has(row[column])) {
            problems.push(`${table}/${id}.${column} = ${JSON.stringify(row[column])}: no device wrote that there; ` +
              `its writes:\n      ${this.history(table, id).join('\n      ')}`);
          }
        }
      }
      return problems;
    },
  };
}

module.exports = { createModel, COLUMNS };
