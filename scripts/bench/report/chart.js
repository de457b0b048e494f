'use strict';
// docs/benchmarks.png: every result's `bars` as one small panel per group (horizontal bars, value labels, ours
// highlighted), laid out in HTML and screenshotted by headless Chromium through playwright-core. HTML rather than a
// hand-placed SVG because the browser sizes the labels; nothing here needs a plotting library.
const fs = require('node:fs');

const WIDTH = 1100;
const COLUMNS = 2;
const OURS = '#d9480f';
const THEIRS = '#adb5bd';

function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

/** 182693 -> "182,693", 13.57 -> "13.6", 0.00213 -> "0.00213": about three significant digits, never exponents. */
function formatValue(value) {
  const abs = Math.abs(value);
  const decimals = abs >= 100 || abs === 0 ? 0 : Math.min(6, 2 - Math.floor(Math.log10(abs)));
  return value.toLocaleString('en', { maximumFractionDigits: decimals });
}

/** The bars of every result, grouped by `group` in first-seen order (results are already in report order). */
function groupBars(results) {
  const groups = new Map();
  for (const result of results) {
    for (const bar of result.bars || []) {
      if (!Number.isFinite(bar.value)) continue;
      if (!groups.has(bar.group)) groups.set(bar.group, []);
      groups.get(bar.group).push(bar);
    }
  }
  return [...groups].map(([name, bars]) => ({ name, bars }));
}

/** A group's title carries its unit when every bar shares one; otherwise each value label carries its own. */
function panelHtml(group) {
  const units = new Set(group.bars.map((b) => b.unit || ''));
  const sharedUnit = units.size === 1 ? [...units][0] : null;
  const max = Math.max(...group.bars.map((b) => b.value), 0) || 1;
  const rows = group.bars.map((bar) => {
    // 75% at most, so the value label after the longest bar still fits in its track.
    const width = Math.max(0.4, (75 * bar.value) / max);
    const value = sharedUnit === null && bar.unit ? `${formatValue(bar.value)} ${bar.unit}` : formatValue(bar.value);
    const ours = bar.ours ? ' ours' : '';
    return `<div class="label${ours}">${escapeHtml(bar.label)}</div><div class="track${ours}">`
      + `<div class="bar" style="width:${width.toFixed(2)}%"></div>`
      + `<span class="value">${escapeHtml(value)}</span></div>`;
  });
  // A group name that already says its unit ("Local writes (rows/s)") does not get it twice.
  const named = sharedUnit && group.name.includes(`(${sharedUnit}`);
  const unit = sharedUnit && !named ? ` <span class="unit">(${escapeHtml(sharedUnit)})</span>` : '';
  return `<section><h2>${escapeHtml(group.name)}${unit}</h2><div class="rows">${rows.join('')}</div></section>`;
}

function pageHtml(groups, caption) {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; background: #fff; color: #212529; font: 13px 'DejaVu Sans', system-ui, sans-serif; }
#chart { width: ${WIDTH}px; box-sizing: border-box; padding: 16px 20px 18px; }
.caption { color: #495057; margin: 0 0 12px; }
.caption b { color: ${OURS}; }
.panels { display: grid; grid-template-columns: repeat(${COLUMNS}, 1fr); gap: 14px 28px; }
section { border-top: 1px solid #dee2e6; padding-top: 6px; }
h2 { font-size: 13px; margin: 0 0 6px; }
.unit { font-weight: normal; color: #6c757d; }
/* One grid per panel, so its bars start at one edge: the labels' column is as wide as the longest, up to 240 px. */
.rows { display: grid; grid-template-columns: fit-content(240px) 1fr; align-items: center; row-gap: 4px; }
.label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; padding-right: 10px; }
.track { display: flex; align-items: center; height: 16px; min-width: 0; }
.bar { height: 14px; background: ${THEIRS}; border-radius: 1px; }
.value { padding-left: 6px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.label.ours, .ours .value { font-weight: bold; }
.ours .bar { background: ${OURS}; }
</style></head><body><div id="chart"><p class="caption">${escapeHtml(caption)} · <b>■ offline-sync</b></p>
<div class="panels">${groups.map(panelHtml).join('')}</div></div></body></html>`;
}

/** playwright-core's chromium and a browser binary, or the reason there are none. */
function findBrowser() {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) return { why: `no Chromium at ${executablePath} (set CHROMIUM_PATH)` };
  try {
    return { chromium: require('playwright-core').chromium, executablePath };
  } catch {
    return { why: 'playwright-core is not installed (npm install at the repository root)' };
  }
}

/**
 * Writes the chart of `results`' bars to `file`. Returns 'drawn', 'no-bars', or 'failed' after a warning (no browser,
 * or it broke): the report must not fail over its picture, and the old PNG then stays as it was.
 */
async function renderChart(results, file, caption) {
  const groups = groupBars(results);
  if (groups.length === 0) {
    console.warn('bench report: no result has bars; no chart');
    return 'no-bars';
  }
  const { chromium, executablePath, why } = findBrowser();
  if (why) {
    console.warn(`bench report: WARNING: chart not drawn, ${why}; ${file} left as it was`);
    return 'failed';
  }
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    // Scale 1 keeps the PNG small (flat colours, ~1100 px wide); the height follows the panels.
    const page = await browser.newPage({ viewport: { width: WIDTH, height: 200 }, deviceScaleFactor: 1 });
    await page.setContent(pageHtml(groups, caption));
    fs.writeFileSync(file, await page.locator('#chart').screenshot({ type: 'png' }));
    return 'drawn';
  } catch (error) {
    console.warn(`bench report: WARNING: chart not drawn (${error.message.split('\n')[0]}); ${file} left as it was`);
    return 'failed';
  } finally {
    if (browser) await browser.close();
  }
}

module.exports = { renderChart, formatValue, groupBars, pageHtml };
