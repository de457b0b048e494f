'use strict';
// The proxy's only source of randomness: a seeded PRNG, so the same seed and the same order of arrivals give the
// same faults. mulberry32: tiny, fast, and good enough to spread faults (not for cryptography).

/** Returns a function that yields numbers in [0, 1), determined entirely by `seed` (any integer). */
function createRandom(seed) {
  let state = Number(seed) >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

module.exports = { createRandom };
