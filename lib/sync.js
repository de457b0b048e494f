'use strict';
// db.sync(options): the SyncClient, an EventEmitter over the native client whose engine runs on its own C++ thread.
// This file checks and defaults the options, relays the app's onConflict and getToken answers to the engine, and
// closes clients with their database and at process exit.
const { EventEmitter } = require('node:events');
const { OfflineSyncError } = require('./errors');

const MAX_MS = 2 ** 31 - 1;  // setTimeout's limit, about 24 days
const TOKEN_TIMEOUT_MS = 30000;
// A header line must stay well within what HTTP servers accept (8 KiB of headers is a common limit).
const MAX_TOKEN_LENGTH = 4096;
const OPTION_NAMES = ['url', 'token', 'getToken', 'batchSize', 'pullLimit', 'live', 'interval', 'retry', 'ca',
  'debounce', 'maxDebounce', 'conflictTimeout'];
const RETRY_NAMES = ['initialDelay', 'maxDelay', 'factor', 'jitter'];
const ANSWER_SHAPE = "{ use: 'local' | 'remote' } or { use: 'merged', row }";

function invalid(message) {
  return new OfflineSyncError(message, 'ERR_INVALID_ARG');
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function describe(value) {
  if (value instanceof Error) return value.message;
  return typeof value === 'string' ? value : String(value);
}

// Errors thrown by app code called from an event (a listener, a handler) surface as Node reports any callback's:
// an uncaught exception, not a silently lost one.
function rethrowLater(error) {
  process.nextTick(() => {
    throw error;
  });
}

function rejectUnknown(object, known, where) {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) throw invalid(`${where}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
}

// An optional number within [min, max] (whole when `integer`); undefined gives `fallback`.
function numberOption(object, name, { min, max, integer = false, fallback, where = 'options' }) {
  const value = object[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
    throw invalid(`db.sync(options): ${where}.${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

function urlOption(url) {
  if (typeof url !== 'string' || !/^https?:\/\/\S+$/i.test(url)) {
    throw invalid('db.sync(options): options.url must be an http:// or https:// URL string');
  }
  return url;
}

// Exactly one of token (a fixed string) and getToken (a function, called again after a 401).
function tokenOptions(options) {
  const { token, getToken } = options;
  if (token !== undefined && getToken !== undefined) {
    throw invalid('db.sync(options): give options.token or options.getToken, not both');
  }
  if (token === undefined && getToken === undefined) {
    throw invalid('db.sync(options): options.token (a string) or options.getToken (a function) is required');
  }
  if (token !== undefined && (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_LENGTH)) {
    throw invalid('db.sync(options): options.token must be a non-empty string of at most ' +
      `${MAX_TOKEN_LENGTH} characters`);
  }
  if (getToken !== undefined && typeof getToken !== 'function') {
    throw invalid('db.sync(options): options.getToken must be a function');
  }
  return { token, getToken };
}

function caOption(ca) {
  if (ca === undefined) return undefined;
  if (typeof ca === 'string') return ca;
  if (ca instanceof Uint8Array) return Buffer.from(ca.buffer, ca.byteOffset, ca.byteLength).toString('utf8');
  throw invalid('db.sync(options): options.ca must be a PEM string or a Buffer');
}

function retryOption(retry) {
  if (retry === undefined) retry = {};
  if (!isPlainObject(retry)) throw invalid('db.sync(options): options.retry must be an object');
  rejectUnknown(retry, RETRY_NAMES, 'db.sync(options.retry)');
  const where = 'options.retry';
  const initialDelay = numberOption(retry, 'initialDelay', { min: 1, max: MAX_MS, fallback: 250, where });
  const maxDelay = numberOption(retry, 'maxDelay', { min: 1, max: MAX_MS, fallback: Math.max(60000, initialDelay), where });
  if (maxDelay < initialDelay) throw invalid('db.sync(options): options.retry.maxDelay must be >= initialDelay');
  const factor = numberOption(retry, 'factor', { min: 1, max: 1000, fallback: 2, where });
  const jitter = numberOption(retry, 'jitter', { min: 0, max: 1, fallback: 0.2, where });
  return { initialDelay, maxDelay, factor, jitter };
}

// Checks db.sync()'s options; returns the native options (defaults filled in) and getToken, if given.
function normalizeOptions(options) {
  if (!isPlainObject(options)) throw invalid('db.sync(options): options must be an object');
  rejectUnknown(options, OPTION_NAMES, 'db.sync(options)');
  const { token, getToken } = tokenOptions(options);
  const debounce = numberOption(options, 'debounce', { min: 0, max: MAX_MS, fallback: 25 });
  const native = {
    url: urlOption(options.url),
    batchSize: numberOption(options, 'batchSize', { min: 1, max: 1000, integer: true, fallback: 500 }),
    pullLimit: numberOption(options, 'pullLimit', { min: 1, max: 5000, integer: true, fallback: 1000 }),
    live: options.live === undefined ? true : options.live,
    interval: numberOption(options, 'interval', { min: 100, max: MAX_MS, fallback: 30000 }),
    retry: retryOption(options.retry),
    debounce,
    maxDebounce: numberOption(options, 'maxDebounce', { min: debounce, max: MAX_MS, fallback: Math.max(1000, debounce) }),
    conflictTimeout: numberOption(options, 'conflictTimeout', { min: 1, max: MAX_MS, fallback: 30000 }),
  };
  if (typeof native.live !== 'boolean') throw invalid('db.sync(options): options.live must be a boolean');
  if (token !== undefined) native.token = token;
  const ca = caOption(options.ca);
  if (ca !== undefined) native.ca = ca;
  return { native, getToken };
}

// Why an onConflict answer cannot be used, or undefined. The native side checks the merged row's values.
function answerProblem(answer) {
  if (!isPlainObject(answer)) return `the onConflict handler must return ${ANSWER_SHAPE}, not ${describe(answer)}`;
  if (!['local', 'remote', 'merged'].includes(answer.use)) {
    return `the onConflict handler's answer.use must be 'local', 'remote' or 'merged', not ${describe(answer.use)}`;
  }
  if (answer.use === 'merged' && !isPlainObject(answer.row)) {
    return "a { use: 'merged' } answer needs row: an object of column values";
  }
  return undefined;
}

// This environment's open clients: the module is loaded once per main thread, worker and renderer, so these are
// per environment. The native cleanup hook covers environments that end without running JS (worker.terminate()).
const openClients = new Set();
const clientsByDatabase = new WeakMap();

// process.exit() ends the process without the native teardown: engine threads must be joined before that.
function closeAllOnExit() {
  for (const client of [...openClients]) client.close();
}

function register(client, db) {
  openClients.add(client);
  if (openClients.size === 1) process.on('exit', closeAllOnExit);
  let clients = clientsByDatabase.get(db);
  if (!clients) clientsByDatabase.set(db, (clients = new Set()));
  clients.add(client);
}

function unregister(client, db) {
  if (!openClients.delete(client)) return;
  if (openClients.size === 0) process.removeListener('exit', closeAllOnExit);
  const clients = clientsByDatabase.get(db);
  if (clients) clients.delete(client);
}

/** Closes the sync clients of `db` (db.close() calls this before closing the connection). */
function closeSyncClientsOf(db) {
  const clients = clientsByDatabase.get(db);
  if (clients) for (const client of [...clients]) client.close();
}

/**
 * What db.sync(options) returns. It does not sync until start() (or a syncNow()). Events: 'status', 'progress',
 * 'conflict', 'change' and 'error'. 'error' is emitted only while it has a listener: an unhandled one would throw and
 * crash an app that only watches 'status' (whose `error` carries the same failures).
 * A started client, or one with a syncNow()/stop() pending, keeps the event loop alive; close() it when done.
 */
class SyncClient extends EventEmitter {
  #native;
  #db;
  #getToken;
  #conflictHandler = null;

  constructor(db, options) {
    super();
    const { native, getToken } = normalizeOptions(options);
    this.#db = db;
    this.#getToken = getToken;
    this.#native = db._openSync(native, (kind, payload) => this.#dispatch(kind, payload));
    register(this, db);
  }

  /** True once close() ran (or the database was closed). */
  get closed() {
    return this.#native.closed;
  }

  /** Starts syncing: now, after local writes (debounced), on live notifications and every `interval`. */
  start() {
    this.#native.start();
    return this;
  }

  /** Stops syncing; resolves once the engine stopped. Nothing in flight is lost: start() resumes. */
  stop() {
    return this.#native.stop();
  }

  /** One full push and pull; resolves { pushed, pulled, conflicts, ms } or rejects with a coded error. */
  syncNow() {
    return this.#native.syncNow();
  }

  /** The handler for tables with conflict 'manual' (null removes it). */
  onConflict(handler) {
    if (handler !== null && typeof handler !== 'function') {
      throw invalid('onConflict(handler): handler must be a function or null');
    }
    this.#conflictHandler = handler;
    if (!this.#native.closed) this.#native._setConflictHandler(handler !== null);
    return this;
  }

  /** Stops the engine and frees its thread and connections, synchronously. Idempotent. */
  close() {
    unregister(this, this.#db);
    this.#native.close();
  }

  #dispatch(kind, payload) {
    try {
      // Questions queued before close() need no answer any more; events (the last 'stopped' status) still go out.
      if ((kind === 'ask' || kind === 'token') && this.#native.closed) return;
      if (kind === 'ask') {
        this.#ask(payload.id, payload.question).catch(rethrowLater);
      } else if (kind === 'token') {
        this.#token(payload.id, payload.refresh).catch(rethrowLater);
      } else if (kind !== 'error' || this.listenerCount('error') > 0) {
        this.emit(kind, payload);
      }
    } catch (error) {
      rethrowLater(error);
    }
  }

  // The engine times out a handler that never answers (conflictTimeout); a late answer is then ignored.
  async #ask(id, question) {
    const handler = this.#conflictHandler;
    if (handler === null) return this.#answerConflict(id, null, 'no onConflict handler is set');
    let answer;
    try {
      answer = await handler(question);
    } catch (error) {
      return this.#answerConflict(id, null, `the onConflict handler threw: ${describe(error)}`);
    }
    const problem = answerProblem(answer);
    return this.#answerConflict(id, problem === undefined ? answer : null, problem);
  }

  #answerConflict(id, answer, problem) {
    if (!this.#native.closed) this.#native._answerConflict(id, answer, problem);
  }

  // A getToken that never settles would hold the round forever: it gets TOKEN_TIMEOUT_MS, then the round fails with
  // ERR_AUTH and is retried on the backoff schedule.
  async #token(id, refresh) {
    let token = null;
    let problem;
    let timer;
    try {
      const timeout = new Promise((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`it did not settle within ${TOKEN_TIMEOUT_MS} ms`)),
          TOKEN_TIMEOUT_MS);
        timer.unref();
      });
      token = await Promise.race([this.#getToken({ refresh }), timeout]);
      if (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_LENGTH) {
        problem = `it resolved to ${describe(token).slice(0, 80)}, not a non-empty string of at most ` +
          `${MAX_TOKEN_LENGTH} characters`;
        token = null;
      }
    } catch (error) {
      problem = describe(error);
    } finally {
      clearTimeout(timer);
    }
    if (!this.#native.closed) this.#native._answerToken(id, token, problem);
  }
}

module.exports = { SyncClient, closeSyncClientsOf };
