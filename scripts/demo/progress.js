'use strict';
// One progress line per device, drawn from the sync client's 'progress' events. On a terminal the lines are redrawn
// in place; otherwise (a pipe, a CI log) each device prints one plain line when its sync is done.
const BAR = 16;

function kB(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} kB`;
}

function bar(done, total) {
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * BAR) : 0;
  return `${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}`;
}

class ProgressBoard {
  /** @param devices [{ label, sync }] @param out a writable stream (process.stdout) */
  constructor(devices, out = process.stdout) {
    this.out = out;
    this.tty = Boolean(out.isTTY);
    this.width = Math.max(...devices.map((device) => device.label.length));
    this.lines = devices.map((device) => ({
      label: device.label,
      // Per phase: rounds finished so far (base) and the round under way (current).
      push: { base: { done: 0, total: 0 }, current: { done: 0, total: 0 } },
      pull: { base: { done: 0, total: 0 }, current: { done: 0, total: 0 } },
      bytes: 0,
      roundBytes: { push: 0, pull: 0 },
      note: 'waiting',
      conflicts: 0,
      ms: 0,
    }));
    this.closed = false;
    this.drawn = false;
    devices.forEach((device, i) => device.sync.on('progress', (p) => this.onProgress(i, p)));
  }

  onProgress(index, { phase, done, total, bytes }) {
    const line = this.lines[index];
    if (line.finished && phase === 'push') line.finished = false;  // its next reconnect pushes again
    const slot = line[phase];
    if (!slot || this.closed) return;
    // Counters restart with every round: fold the finished round into the base.
    if (done < slot.current.done || total < slot.current.total) this.fold(line, phase);
    slot.current = { done, total };
    line.roundBytes[phase] = bytes;
    // A device whose syncNow() resolved keeps its summary; a live round after it only moves the counters.
    if (!line.finished) line.note = phase === 'push' ? 'pushing' : 'pulling';
    this.draw();
  }

  fold(line, phase) {
    const slot = line[phase];
    slot.base = { done: slot.base.done + slot.current.done, total: slot.base.total + slot.current.total };
    slot.current = { done: 0, total: 0 };
    line.bytes += line.roundBytes[phase];
    line.roundBytes[phase] = 0;
  }

  text(line) {
    const part = (phase, unit) => {
      const slot = line[phase];
      const done = slot.base.done + slot.current.done;
      const total = slot.base.total + slot.current.total;
      return this.tty ? `${phase} ${bar(done, total)} ${done}/${total}` : `${phase} ${done}/${total} ${unit}`;
    };
    const bytes = line.bytes + line.roundBytes.push + line.roundBytes.pull;
    return `  ${line.label.padEnd(this.width)}  ${part('push', 'changes')}  ${part('pull', 'rows')}  ${kB(bytes)}` +
      `  ${line.note}`;
  }

  draw() {
    if (!this.tty) return;
    if (this.drawn) this.out.write(`\x1b[${this.lines.length}A`);
    for (const line of this.lines) this.out.write(`\x1b[2K${this.text(line)}\n`);
    this.drawn = true;
  }

  start() {
    this.draw();
  }

  /** A device's syncNow() resolved: close its round and show its conflicts so far and the time it took. */
  done(index, { conflicts, ms }) {
    const line = this.lines[index];
    this.fold(line, 'push');
    this.fold(line, 'pull');
    line.conflicts = conflicts;
    line.ms += Math.round(ms);
    line.finished = true;
    line.note = `${line.conflicts} conflict${line.conflicts === 1 ? '' : 's'}, ${line.ms} ms`;
    this.draw();
  }

  /** Every device is done: plain output prints its lines now. */
  finish() {
    this.closed = true;  // a later round (a live notification) must not redraw over what follows
    if (this.tty) return;
    for (const line of this.lines) this.out.write(`${this.text(line)}\n`);
  }
}

module.exports = { ProgressBoard };
