'use strict';
// Time in the proxy: a scheduler whose timers all die with the proxy (close() must leave no handle open), and a
// Pacer stream that adds latency and caps bandwidth. Due times are checked against performance.now(), not only
// against the timer, so a paced transfer never takes less than its theoretical minimum.
const { Transform } = require('node:stream');
const { performance } = require('node:perf_hooks');

// Above this many queued bytes a Pacer stops accepting input, so a slow link pushes back on its source.
const PACER_HIGH_WATER = 1 << 20;
// A paced chunk is cut into slices of this fraction of a second's worth of bytes, so the rate is smooth.
const SLICES_PER_SECOND = 50;

class Scheduler {
  #timers = new Set();
  #closed = false;
  #onError;

  /** @param onError called with anything a scheduled function throws (nothing may escape a timer) */
  constructor(onError) {
    this.#onError = onError;
  }

  /** Runs fn after ms (at once-ish for 0); returns a handle for cancel(). Nothing runs after closeAll(). */
  later(ms, fn) {
    if (this.#closed) return null;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      try {
        fn();
      } catch (error) {
        this.#onError(error);
      }
    }, Math.max(0, ms));
    this.#timers.add(timer);
    return timer;
  }

  cancel(timer) {
    if (timer === null) return;
    clearTimeout(timer);
    this.#timers.delete(timer);
  }

  closeAll() {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

/**
 * A Transform that releases each chunk no earlier than `delayMs` after it arrived and, with `bytesPerSecond`, no
 * faster than that rate: a slice is released once the time to transmit it (and everything before it) has passed.
 */
class Pacer extends Transform {
  #scheduler;
  #delayMs;
  #bytesPerSecond;
  #queue = [];  // { due, data }, due times never decrease
  #queuedBytes = 0;
  #linkFreeAt = 0;
  #timer = null;
  #heldCallback = null;
  #flushCallback = null;

  constructor(scheduler, { delayMs = 0, bytesPerSecond = null } = {}) {
    super();
    this.#scheduler = scheduler;
    this.#delayMs = delayMs;
    this.#bytesPerSecond = bytesPerSecond;
  }

  _transform(chunk, encoding, callback) {
    const arrivedAt = performance.now() + this.#delayMs;
    if (this.#bytesPerSecond === null) {
      this.#queue.push({ due: arrivedAt, data: chunk });
    } else {
      const sliceBytes = Math.max(1, Math.floor(this.#bytesPerSecond / SLICES_PER_SECOND));
      for (let offset = 0; offset < chunk.length; offset += sliceBytes) {
        const data = chunk.subarray(offset, offset + sliceBytes);
        this.#linkFreeAt = Math.max(arrivedAt, this.#linkFreeAt) + (data.length * 1000) / this.#bytesPerSecond;
        this.#queue.push({ due: this.#linkFreeAt, data });
      }
    }
    this.#queuedBytes += chunk.length;
    if (this.#queuedBytes > PACER_HIGH_WATER) this.#heldCallback = callback;
    else callback();
    this.#release();
  }

  _flush(callback) {
    this.#flushCallback = callback;
    this.#release();
  }

  _destroy(error, callback) {
    this.#scheduler.cancel(this.#timer);
    this.#timer = null;
    this.#queue = [];
    callback(error);
  }

  #release() {
    this.#scheduler.cancel(this.#timer);
    this.#timer = null;
    if (this.destroyed) return;
    const now = performance.now();
    while (this.#queue.length > 0 && this.#queue[0].due <= now) {
      const { data } = this.#queue.shift();
      this.#queuedBytes -= data.length;
      this.push(data);
    }
    if (this.#heldCallback !== null && this.#queuedBytes <= PACER_HIGH_WATER) {
      const callback = this.#heldCallback;
      this.#heldCallback = null;
      callback();
    }
    if (this.#queue.length > 0) {
      this.#timer = this.#scheduler.later(Math.ceil(this.#queue[0].due - now), () => this.#release());
    } else if (this.#flushCallback !== null) {
      const callback = this.#flushCallback;
      this.#flushCallback = null;
      callback();
    }
  }
}

/** A Pacer, or null when it would change nothing (no latency, no bandwidth cap). */
function createPacer(scheduler, { delayMs = 0, bytesPerSecond = null } = {}) {
  if (delayMs === 0 && bytesPerSecond === null) return null;
  return new Pacer(scheduler, { delayMs, bytesPerSecond });
}

module.exports = { Scheduler, Pacer, createPacer };
