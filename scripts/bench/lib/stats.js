'use strict';
// Medians with min and max over repetitions, and the number formats every benchmark table uses.

/** { median, min, max } of a non-empty list of numbers (the upper median for an even count). */
function stats(values) {
  if (values.length === 0) throw new RangeError('stats() needs at least one value');
  const sorted = [...values].sort((x, y) => x - y);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] };
}

/** An integer with thousands separators: 182693 -> "182,693". */
function int(value) {
  return Math.round(value).toLocaleString('en');
}

/** A ratio with two decimals and an x: 0.5012 -> "0.50x". */
function ratio(value) {
  return `${value.toFixed(2)}x`;
}

/** Milliseconds as "675 ms" below 10 s, else "12.3 s". */
function duration(ms) {
  return ms < 10000 ? `${Math.round(ms).toLocaleString('en')} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** "median (min–max)" of durations in ms. */
function durationSpread(s) {
  return `${duration(s.median)} (${duration(s.min)}–${duration(s.max)})`;
}

module.exports = { stats, int, ratio, duration, durationSpread };
