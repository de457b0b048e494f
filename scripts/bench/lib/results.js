'use strict';
// Every benchmark saves what it measured as one JSON file in scripts/bench/results/ (or BENCH_RESULTS_DIR);
// report.js turns them into docs/BENCHMARKS.md and its chart. A result:
//   { name, title, description (markdown), columns: [..], rows: [[..strings..]],
//     targets: [{ what, target, measured, met }], bars: [{ group, label, value, unit, ours }],
//     notes: [markdown lines], measuredAt (ISO) }
// bars feed the chart: one panel per group, one bar per contender (ours highlighted).
const fs = require('node:fs');
const path = require('node:path');

const RESULTS_DIR = process.env.BENCH_RESULTS_DIR || path.join(__dirname, '..', 'results');

function checkResult(result) {
  for (const key of ['name', 'title', 'description']) {
    if (typeof result[key] !== 'string' || result[key] === '') throw new TypeError(`a result needs a ${key}`);
  }
  if (!/^[a-z0-9-]+$/.test(result.name)) throw new TypeError(`result name ${result.name} is not a file name`);
  if (!Array.isArray(result.columns) || !Array.isArray(result.rows)) {
    throw new TypeError('a result needs columns and rows');
  }
  for (const row of result.rows) {
    if (!Array.isArray(row) || row.length !== result.columns.length) {
      throw new TypeError(`result ${result.name}: a row has ${row.length} cells for ${result.columns.length} columns`);
    }
  }
}

/** Prints the result's table to stdout and writes it to RESULTS_DIR/<name>.json. */
function saveResult(result) {
  checkResult(result);
  const full = { targets: [], bars: [], notes: [], ...result, measuredAt: new Date().toISOString() };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, `${full.name}.json`), `${JSON.stringify(full, null, 2)}\n`);
  console.log(`\n${full.title}`);
  console.log(textTable(full.columns, full.rows));
  for (const target of full.targets) {
    const verdict = target.met ? 'MET' : 'MISSED';
    console.log(`  target ${target.what}: ${target.target}, measured ${target.measured} ${verdict}`);
  }
  return full;
}

/** Reads every saved result, in name order. */
function loadResults() {
  if (!fs.existsSync(RESULTS_DIR)) return [];
  return fs.readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, f), 'utf8')));
}

function textTable(columns, rows) {
  const widths = columns.map((c, i) => Math.max(String(c).length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
    .join('  ');
  return [line(columns), ...rows.map(line)].map((l) => `  ${l}`).join('\n');
}

function markdownTable(columns, rows) {
  const escape = (cell) => String(cell).replace(/\|/g, '\\|');
  return [
    `| ${columns.map(escape).join(' | ')} |`,
    `|${columns.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

module.exports = { RESULTS_DIR, saveResult, loadResults, textTable, markdownTable };
