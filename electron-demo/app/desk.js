'use strict';
// The desk's main side: one database connection and one sync engine for the whole app, however many windows ask.
// Windows reach it only through call(method, args) (the names in desk-api.js) and subscribe(listener); both carry
// plain data, so the same object serves Electron's IPC and the UI tests' Playwright bridge.
const { openDatabase, OfflineSyncError } = require('./addon');
const { METHODS } = require('./desk-api');
const { prepare } = require('./schema');
const { createRecords } = require('./records');
const { createSyncController } = require('./sync-controller');
const { createConflictLog } = require('./conflict-log');
const { plainError } = require('./errors');
const { seedIfEmpty } = require('./seed');

/**
 * @param {object} config
 * @param {string} config.file the SQLite file
 * @param {string} [config.deviceId] stored in the file on first open
 * @param {string} [config.deviceName] shown in the header
 * @param {object} config.sync db.sync options without the schedule ({ url, token | getToken, retry, ... })
 * @param {string|null} [config.photoBase] where instructor photos are served (null: none)
 * @param {boolean} [config.online] the offline switch's first position (default true)
 * @param {number} [config.questionTimeout] ms a 'manual' conflict waits for a person
 * @param {boolean} [config.seed] write the sample school when the file has no students (default false)
 */
function createDesk({
  file, deviceId, deviceName, sync, photoBase = null, online = true, questionTimeout, seed = false,
}) {
  const db = openDatabase(file, deviceId ? { deviceId } : {});
  const listeners = new Set();
  const emit = (event) => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error('offline-sync desk: an event listener threw', error);  // one window's failure is not another's
      }
    }
  };
  let controller;
  try {
    prepare(db);
    const conflictLog = createConflictLog(db);
    controller = createSyncController({ db, options: sync, emit, conflictLog, online, questionTimeout });
    // insertWithId stays on this side: only the seed picks ids, and windows may call only the METHODS of desk-api.js.
    const { insertWithId, ...records } = createRecords(db, (tables) => {
      controller.localWrite();
      emit({ type: 'data', tables, origin: 'local' });
    });
    if (seed) seedIfEmpty(db, insertWithId);
    const methods = {
      ...records,
      snapshot: () => ({
        deviceId: db.deviceId, deviceName: deviceName ?? db.deviceId, photoBase, sync: controller.freshView(),
        conflicts: conflictLog.recent(), questions: controller.questions(),
      }),
      syncNow: () => controller.syncNow(),
      setOnline: (value) => controller.setOnline(value),
      networkChanged: (up) => controller.setNetwork(up),
      answerConflict: (qid, answer) => controller.answer(qid, answer),
    };
    for (const name of METHODS) {
      if (typeof methods[name] !== 'function') throw new Error(`desk method ${name} is missing`);
    }

    return {
      db,
      /** Runs a renderer's call; never throws: { ok: true, value } or { ok: false, error: { code, message } }. */
      async call(method, args) {
        if (!METHODS.includes(method)) {
          return { ok: false, error: { code: 'ERR_INVALID_ARG', message: `unknown desk method: ${String(method)}` } };
        }
        if (!Array.isArray(args)) {
          return { ok: false, error: { code: 'ERR_INVALID_ARG', message: 'args must be an array' } };
        }
        try {
          return { ok: true, value: await methods[method](...args) };
        } catch (error) {
          return { ok: false, error: plainError(error) };
        }
      },
      /** listener(event) for every desk event; returns the unsubscribe function. */
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      /** Starts the engine when the switches allow; resolves to the sync view. */
      start: () => controller.start(),
      setSuspended: (value) => controller.setSuspended(value),
      setOnBattery: (value) => controller.setOnBattery(value),
      /** Stops the engine and closes the database, synchronously. Idempotent. */
      close() {
        controller.close();
        listeners.clear();
        if (db.open) db.close();
      },
    };
  } catch (error) {
    controller?.close();
    db.close();
    throw error;
  }
}

module.exports = { createDesk, OfflineSyncError };
