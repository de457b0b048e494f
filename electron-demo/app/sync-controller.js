'use strict';
// The desk's one sync engine: runs it while the person, the network and the power state allow, rebuilds it when the
// power source changes its schedule, turns its events into the plain-data events of desk-api.js, and puts 'manual'
// conflicts to a person (any window may answer; the first answer wins).
const { OfflineSyncError } = require('./addon');
const { plainError } = require('./errors');
const { PROFILES, shouldRun } = require('./sync-schedule');

// A person needs longer than a handler: after this the question closes, the change stays pending and the next round
// asks again.
const QUESTION_TIMEOUT_MS = 120000;

function answerProblem(answer) {
  if (answer === null || typeof answer !== 'object') return 'the answer must be an object';
  if (answer.use === 'local' || answer.use === 'remote') return undefined;
  if (answer.use !== 'merged') return "answer.use must be 'local', 'remote' or 'merged'";
  const { row } = answer;
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return 'a merged answer needs a row object';
  return undefined;
}

/**
 * @param db the desk's database (tracked tables prepared)
 * @param options db.sync options ({ url, token | getToken, retry, ... }); the power profile supplies the schedule
 * @param emit receives every desk event
 * @param conflictLog where settled conflicts are kept
 */
function createSyncController({
  db, options, emit, conflictLog, online = true, questionTimeout = QUESTION_TIMEOUT_MS,
}) {
  const flags = { online, network: true, suspended: false, onBattery: false };
  let engine = { state: 'stopped', lastSyncAt: null, error: null };
  let pending = db.pendingChanges();
  let client = null;
  let started = false;
  let closed = false;
  let queue = Promise.resolve();  // start/stop/rebuild run one after another
  const questions = new Map();  // qid -> { question, settle(answer | Error), timer }
  let nextQid = 1;

  const profile = () => (flags.onBattery ? 'battery' : 'ac');
  // While the OS holds the engine stopped (no network, asleep), the desk is offline for that reason, not 'stopped'.
  const held = () => {
    if (!flags.online || engine.state !== 'stopped') return null;
    if (!flags.network) return { code: 'ERR_NETWORK_DOWN', message: 'the operating system reports no network' };
    if (flags.suspended) return { code: 'ERR_SUSPENDED', message: 'the computer is going to sleep' };
    return null;
  };
  const view = () => {
    const reason = held();
    return { ...engine, ...(reason && { state: 'offline', error: reason }), pending, ...flags, profile: profile() };
  };
  const publish = () => emit({ type: 'sync', sync: view() });

  function closeQuestion(qid, outcome) {
    const entry = questions.get(qid);
    if (!entry) return false;
    questions.delete(qid);
    clearTimeout(entry.timer);
    entry.settle(outcome);
    emit({ type: 'question-closed', qid });
    return true;
  }

  function closeAllQuestions(reason) {
    for (const qid of [...questions.keys()]) closeQuestion(qid, new Error(reason));
  }

  function ask(question) {
    const qid = String(nextQid++);
    const plain = { qid, table: question.table, id: question.id, columns: question.columns, local: question.local,
      remote: question.remote, policy: question.policy };
    return new Promise((resolve, reject) => {
      const settle = (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome));
      const timer = setTimeout(() => closeQuestion(qid, new Error('nobody answered in time')), questionTimeout);
      questions.set(qid, { question: plain, settle, timer });
      emit({ type: 'question', question: plain });
    });
  }

  function createClient() {
    // The profile is the schedule; options may override it (the tests turn the live channel off). The engine must
    // wait longer than a person may (it would otherwise give up on a question that is still open), whatever the
    // options say.
    const conflictTimeout = Math.max(options?.conflictTimeout ?? 0, questionTimeout + 5000);
    const created = db.sync({ ...PROFILES[profile()], ...options, conflictTimeout });
    // lib/sync.js rethrows a listener's exception as an uncaught one, which would end Electron's main process: a
    // failure here becomes a desk 'error' event instead. A replaced or closed engine's late events are stale.
    const on = (name, handle) => created.on(name, (payload) => {
      if (closed || created !== client) return;
      try {
        handle(payload);
      } catch (error) {
        emit({ type: 'error', error: plainError(error) });
      }
    });
    on('status', (status) => {
      const error = status.error ? plainError(status.error) : null;
      engine = { state: status.state, lastSyncAt: status.lastSyncAt, error };
      if (status.pending !== null) pending = status.pending;
      publish();
    });
    on('progress', (progress) => emit({ type: 'progress', progress: { ...progress } }));
    on('change', (change) => emit({ type: 'data', tables: [...change.tables], origin: 'sync' }));
    on('conflict', (conflict) => emit({ type: 'conflict', conflict: conflictLog.add(conflict) }));
    on('error', (error) => emit({ type: 'error', error: plainError(error) }));
    created.onConflict(ask);
    return created;
  }

  // Brings the engine in line with the flags; `rebuild` replaces it first (a new schedule).
  function reconcile({ rebuild = false } = {}) {
    queue = queue.then(async () => {
      if (closed) return;
      if (rebuild && client) {
        closeAllQuestions('the sync engine restarted');
        client.close();
        client = null;
        started = false;
        // The closed engine's own last 'stopped' status is ignored as stale (it could arrive after the new one's).
        engine = { ...engine, state: 'stopped', error: null };
      }
      client ??= createClient();
      const want = shouldRun(flags);
      if (want && !started) {
        client.start();
        started = true;
      } else if (!want && started) {
        started = false;
        closeAllQuestions('sync stopped');
        await client.stop();
      }
    }).catch((error) => emit({ type: 'error', error: plainError(error) })).finally(publish);
    return queue.then(view);
  }

  function setFlag(name, value) {
    if (typeof value !== 'boolean') throw new OfflineSyncError(`${name} must be a boolean`, 'ERR_INVALID_ARG');
    if (flags[name] === value) return Promise.resolve(view());
    const rebuild = name === 'onBattery';
    flags[name] = value;
    return reconcile({ rebuild });
  }

  return {
    view,
    /** The view with the pending count read now (writes may have bypassed the desk, e.g. a bulk import). */
    freshView() {
      pending = db.pendingChanges();
      return view();
    },
    questions: () => [...questions.values()].map((entry) => entry.question),
    start: () => reconcile(),
    setOnline: (value) => setFlag('online', value),
    setNetwork: (value) => setFlag('network', value),
    setSuspended: (value) => setFlag('suspended', value),
    setOnBattery: (value) => setFlag('onBattery', value),
    /** After a local write: the pending count the screen shows. */
    localWrite() {
      pending = db.pendingChanges();
      publish();
    },
    // One round now, whether or not the engine runs (a desk that was never started syncs too).
    async syncNow() {
      if (!flags.online) throw new OfflineSyncError('sync is switched off', 'ERR_SWITCHED_OFF');
      await queue;
      if (closed) throw new OfflineSyncError('the desk is closed', 'ERR_CLOSED');
      client ??= createClient();
      return client.syncNow();
    },
    answer(qid, answer) {
      const problem = answerProblem(answer);
      if (problem) throw new OfflineSyncError(problem, 'ERR_INVALID_ARG');
      if (!closeQuestion(String(qid), answer)) {
        throw new OfflineSyncError(`question ${qid} was already answered or has timed out`, 'ERR_NOT_FOUND');
      }
      return true;
    },
    /** Stops the engine and frees its thread, synchronously. */
    close() {
      if (closed) return;
      closed = true;
      closeAllQuestions('the desk closed');
      if (client) client.close();
    },
  };
}

module.exports = { createSyncController, QUESTION_TIMEOUT_MS };
