'use strict';
// The desk's renderer API: the one list of what a window may ask the main side, and how `window.desk` is built from
// it. The Electron preload builds it over ipcRenderer; the UI tests build the very same object in headless Chromium
// over a Playwright binding. Plain functions and plain data only: contextBridge copies nothing else.
//
// Methods (each returns a Promise; a failure rejects with an Error carrying the main side's `.code`):
//   snapshot()                      -> { deviceId, deviceName, photoBase, sync: SyncView, conflicts: [Settled],
//                                        questions: [Question] }
//   list(kind)                      -> rows; kind: 'students' | 'instructors' | 'vehicles' | 'lessons' | 'payments'
//                                        (lessons carry student_name, instructor_name and vehicle_plate as well)
//   saveStudent({ id?, name, phone?, email? })            -> row (insert without id, update with one)
//   saveInstructor({ id?, name, license })                -> row
//   saveVehicle({ id?, plate, model, transmission })      -> row ('manual' | 'automatic')
//   bookLesson({ student_id, instructor_id, vehicle_id?, starts_at, minutes })   -> row ('booked')
//   moveLesson(id, starts_at) / cancelLesson(id) / completeLesson(id, notes?)    -> row
//   recordPayment({ student_id, amount_cents, method })   -> row ('cash' | 'card' | 'transfer')
//   (a student's balance_cents in list('students') is the sum of their payments)
//   syncNow()                       -> { pushed, pulled, conflicts, ms }
//   setOnline(boolean)              -> SyncView   (the "offline" switch: false stops the sync engine)
//   networkChanged(boolean)         -> SyncView   (the renderer's online/offline events)
//   answerConflict(qid, answer)     -> true; answer: { use: 'local' } | { use: 'remote' } | { use: 'merged', row }
//
// Events (desk.onEvent(listener) returns an unsubscribe function):
//   { type: 'sync', sync: SyncView }        whenever any part of the view changes
//   { type: 'progress', progress: { phase: 'push' | 'pull', done, total, bytes } }
//   { type: 'conflict', conflict: Settled } a conflict settled (by policy or by a person)
//   { type: 'question', question: Question } a 'manual' conflict waits for a person
//   { type: 'question-closed', qid }        answered (maybe in another window) or timed out
//   { type: 'data', tables: [name], origin: 'local' | 'sync' }   rows changed: refresh these lists
//   { type: 'error', error: { code, message } }   a failure outside any call: the engine's 'error' events (round
//                                        failures such as ERR_NETWORK, also in SyncView.error; ERR_CONFLICT_HANDLER
//                                        when a conflict answer was unusable, ERR_CONFLICT_TIMEOUT when a question
//                                        timed out: that row stays pending, the round goes on), and the desk's own
//                                        failures while handling engine events or starting/stopping the engine
//
// SyncView: { state: 'offline' | 'connecting' | 'syncing' | 'idle' | 'error' | 'stopped', pending, lastSyncAt,
//             error: { code, message } | null, online, network, suspended, onBattery, profile: 'ac' | 'battery' }
//   (with no network or while asleep the engine is stopped and the view says 'offline', error ERR_NETWORK_DOWN or
//   ERR_SUSPENDED)
// Settled: { at, table, id, columns, local, remote, policy, resolution: 'local' | 'remote' | 'merged' }
// Question: { qid, table, id, columns, local, remote, policy }

const METHODS = Object.freeze(['snapshot', 'list', 'saveStudent', 'saveInstructor', 'saveVehicle', 'bookLesson',
  'moveLesson', 'cancelLesson', 'completeLesson', 'recordPayment', 'syncNow', 'setOnline', 'networkChanged',
  'answerConflict']);

/**
 * Builds `window.desk`. Self-contained (the UI tests inject its source into the page), so it may use only its
 * arguments: `invoke(method, args)` resolves to { ok: true, value } or { ok: false, error: { code, message } };
 * `listen(callback)` delivers events and returns an unsubscribe function.
 */
function makeDeskApi(methods, invoke, listen) {
  const api = {};
  for (const method of methods) {
    api[method] = async (...args) => {
      const reply = await invoke(method, args);
      if (reply.ok) return reply.value;
      const error = new Error(reply.error.message);
      error.code = reply.error.code;
      throw error;
    };
  }
  api.onEvent = (callback) => listen(callback);
  return Object.freeze(api);
}

module.exports = { METHODS, makeDeskApi };
