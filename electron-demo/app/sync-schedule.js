'use strict';
// How often the desk syncs, by power source. On AC power it follows every write within 25 ms. On battery it batches
// writes for up to 30 s and, when the live channel is down, checks the server every 5 min instead of 30 s, so the
// radio and CPU wake up less. The live channel stays open either way: an idle WebSocket costs ~0 CPU, and it is what
// lets the desk stay current without polling.
const PROFILES = Object.freeze({
  ac: Object.freeze({ live: true, interval: 30000, debounce: 25, maxDebounce: 1000 }),
  battery: Object.freeze({ live: true, interval: 300000, debounce: 2000, maxDebounce: 30000 }),
});

/** Whether the engine should run: the person left it on, the OS says the network is up and the machine is awake. */
function shouldRun({ online, network, suspended }) {
  return online && network && !suspended;
}

module.exports = { PROFILES, shouldRun };
