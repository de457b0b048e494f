// Types of the offline-sync public API (see README.md for the full description).
import { EventEmitter } from 'node:events';

/** Every failure is an OfflineSyncError with a string code: SQLite's own name (SQLITE_BUSY,
 * SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CANTOPEN, ...) or the package's (ERR_INVALID_ARG, ERR_CLOSED,
 * ERR_STATEMENT_BUSY, ERR_TRANSACTION_STATE, ERR_SCHEMA_TOO_NEW, ERR_DEVICE_ID_MISMATCH, ERR_NOT_TRACKABLE,
 * ERR_NOT_BUILT; from sync: ERR_NETWORK, ERR_TIMEOUT, ERR_TLS, ERR_AUTH, ERR_PROTOCOL, ERR_SERVER, ERR_BUSY,
 * ERR_UNAVAILABLE, ERR_STOPPED, ERR_REJECTED, ERR_CONFLICT_HANDLER, ERR_CONFLICT_TIMEOUT). */
export class OfflineSyncError extends Error {
  constructor(message: string, code: string);
  readonly code: string;
}

/** What a parameter may be. Booleans are stored as 0/1, Uint8Array (and Buffer) as BLOB. */
export type BindValue = null | number | bigint | string | boolean | Uint8Array;
/** Positional parameters (`?`) as an array, named ones (`:name`, `@name`, `$name`) as an object keyed by name. */
export type BindParameters = readonly BindValue[] | { readonly [name: string]: BindValue };
/** What a column comes back as: integers beyond ±(2^53-1) as bigint, BLOBs as Buffer. */
export type ColumnValue = null | number | bigint | string | Buffer;
export type Row = { [column: string]: ColumnValue };

export interface RunResult {
  /** Rows inserted, updated or deleted by this statement (0 for anything else). */
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface MigrationResult {
  /** Steps run by this call. */
  applied: number;
  /** Steps applied to the file in all. */
  version: number;
}

/** How a tracked table settles a column changed on two devices. */
export type ConflictPolicy = 'merge' | 'server-wins' | 'client-wins' | 'manual';

export interface TrackOptions {
  /** Default 'merge': column-level merge, then last-writer-wins per column by hybrid logical clock. */
  conflict?: ConflictPolicy;
}

export interface TrackedTable {
  /** The table's name as declared. */
  table: string;
  conflict: ConflictPolicy;
  /** The captured columns (every column but id, generated ones excepted). */
  columns: string[];
}

export interface OpenOptions {
  /** This device's id (1 to 128 of [A-Za-z0-9._:-]). Generated once and stored when absent;
   * a different id than the stored one is refused with ERR_DEVICE_ID_MISMATCH. */
  deviceId?: string;
  /** How long a write waits for another connection's lock, in ms (default 5000). */
  timeout?: number;
  /** Fail with SQLITE_CANTOPEN instead of creating the file (default false). */
  fileMustExist?: boolean;
  /** SQLite's synchronous setting (default 'full': a committed write survives power loss). */
  synchronous?: 'off' | 'normal' | 'full' | 'extra';
}

export class Statement {
  private constructor();
  /** The SQL text. */
  readonly source: string;
  /** Whether the statement returns rows. */
  readonly reader: boolean;
  /** Whether the statement leaves the database unchanged. */
  readonly readonly: boolean;
  run(params?: BindParameters): RunResult;
  get<T = Row>(params?: BindParameters): T | undefined;
  all<T = Row>(params?: BindParameters): T[];
  /** Reads one row per step. The statement is busy (ERR_STATEMENT_BUSY) until the iterator ends or returns. */
  iterate<T = Row>(params?: BindParameters): IterableIterator<T>;
}

export class Database {
  private constructor();
  /** This device's id, stored in the file. */
  readonly deviceId: string;
  /** The path the database was opened with. */
  readonly name: string;
  /** False once closed. */
  readonly open: boolean;
  readonly inTransaction: boolean;
  /** Runs the steps the file has not seen, each once and in its own transaction. */
  migrate(steps: readonly string[]): MigrationResult;
  run(sql: string, params?: BindParameters): RunResult;
  get<T = Row>(sql: string, params?: BindParameters): T | undefined;
  all<T = Row>(sql: string, params?: BindParameters): T[];
  /** Runs a script of any number of statements, without parameters. */
  exec(sql: string): void;
  /** Compiles one statement for repeated use. */
  prepare(sql: string): Statement;
  /** BEGIN IMMEDIATE ... COMMIT around fn (a savepoint when nested); ROLLBACK and rethrow if fn throws.
   * fn must be synchronous. */
  transaction<T>(fn: () => T): T;
  /** Starts change capture for a table with a single-column primary key `id` of type TEXT (otherwise
   * ERR_NOT_TRACKABLE, with the reason). Idempotent; call it again after ALTER TABLE ADD COLUMN. Rows already in the
   * table when it is first tracked are queued as inserts. */
  track(table: string, options?: TrackOptions): TrackedTable;
  /** Local changes not yet acknowledged by the server. */
  pendingChanges(): number;
  /** A sync client for this database. It does nothing until start() or syncNow(). A file database only
   * (ERR_INVALID_ARG for ':memory:'). */
  sync(options: SyncOptions): SyncClient;
  /** Closes this database's sync clients, then the connection (idempotent); later calls throw ERR_CLOSED. */
  close(): void;
}

export function openDatabase(file: string, options?: OpenOptions): Database;

/** Retries after failures: delays grow from initialDelay by factor up to maxDelay, each scaled by a random factor in
 * [1 - jitter, 1 + jitter]. */
export interface RetryOptions {
  /** ms, default 250. */
  initialDelay?: number;
  /** ms, default 60000 (and at least initialDelay). */
  maxDelay?: number;
  /** >= 1, default 2. */
  factor?: number;
  /** 0..1, default 0.2. */
  jitter?: number;
}

interface SyncOptionsBase {
  /** The sync server: http://host[:port][/prefix] or https://... (certificates are verified). */
  url: string;
  /** Changes per push request, 1..1000 (default 500). */
  batchSize?: number;
  /** Rows per pull page, 1..5000 (default 1000). */
  pullLimit?: number;
  /** Hold a WebSocket open so the server announces new changes (default true). */
  live?: boolean;
  /** ms between syncs when live is off or down, >= 100 (default 30000). */
  interval?: number;
  retry?: RetryOptions;
  /** Extra CA certificates (PEM) for https, e.g. a private CA. */
  ca?: string | Uint8Array;
  /** ms: a burst of local writes within this window becomes one push (default 25). */
  debounce?: number;
  /** ms: a steady stream of writes still pushes at least this often (default 1000, >= debounce). */
  maxDebounce?: number;
  /** ms an onConflict handler may take before the conflict is left for a later round (default 30000). */
  conflictTimeout?: number;
}

/** Exactly one of `token` and `getToken` (a token is 1 to 4096 characters). getToken is called once, its token
 * reused until the server refuses it (401), then called again with { refresh: true }. */
export type SyncOptions = SyncOptionsBase &
  (
    | { token: string; getToken?: undefined }
    | { getToken: (request: { refresh: boolean }) => string | Promise<string>; token?: undefined }
  );

export type SyncState = 'offline' | 'connecting' | 'syncing' | 'idle' | 'error' | 'stopped';

export interface SyncStatus {
  state: SyncState;
  /** Local changes not yet acknowledged by the server; null when the database was too busy to count them. */
  pending: number | null;
  /** ms since the Unix epoch of the last complete sync; null: never. */
  lastSyncAt: number | null;
  /** Why the state is 'error' or 'offline'. */
  error?: OfflineSyncError;
}

export interface SyncProgress {
  phase: 'push' | 'pull';
  done: number;
  /** push: changes to send in this round; pull: rows known so far (it grows while paging). */
  total: number;
  /** Bytes sent (push) or received (pull) in this round so far. */
  bytes: number;
}

/** What a manual onConflict handler is asked: a column changed both here and on the server. */
export interface ConflictQuestion {
  table: string;
  /** The row's id. */
  id: string;
  /** The columns changed on both sides. */
  columns: string[];
  /** This device's change (its changed columns); null when it deleted the row. */
  local: Row | null;
  /** The server's row; null when it is deleted there. */
  remote: Row | null;
  policy: ConflictPolicy;
}

/** A conflict after it was settled (by the table's policy on the server, or by onConflict). */
export interface SyncConflict extends ConflictQuestion {
  resolution: 'local' | 'remote' | 'merged';
}

/** What onConflict answers: keep this device's change, take the server's row, or write a merged row (its columns,
 * and the local change's undisputed columns it leaves out, are pushed as a new change). */
export type ConflictAnswer =
  | { use: 'local' | 'remote' }
  | { use: 'merged'; row: { [column: string]: BindValue } };

export interface SyncChange {
  /** Tables with rows written locally by sync. */
  tables: string[];
  count: number;
}

export interface SyncResult {
  /** Changes the server answered. */
  pushed: number;
  /** Rows applied from the server. */
  pulled: number;
  /** Conflicts settled in the round. */
  conflicts: number;
  ms: number;
}

/** Returned by db.sync(options). Errors have a code (see OfflineSyncError). 'error' is emitted only while it has a
 * listener, so an app that only watches 'status' never crashes on an unhandled 'error'. A started client (or one
 * with a syncNow() or stop() pending) keeps the event loop alive. */
export class SyncClient extends EventEmitter {
  private constructor();
  /** True once closed (by close() or the database's close()). */
  readonly closed: boolean;
  /** Starts syncing: at once, after local writes (debounced), on live notifications and every `interval`. Throws
   * ERR_CLOSED once closed. */
  start(): this;
  /** Stops; resolves once the engine stopped. Nothing in flight is lost; start() resumes. */
  stop(): Promise<void>;
  /** One full push + pull round (started or not); rejects with the round's coded error (ERR_NETWORK, ERR_AUTH,
   * ERR_STOPPED when stopped or closed meanwhile, ERR_CLOSED once closed, ...). */
  syncNow(): Promise<SyncResult>;
  /** The handler for tables with conflict 'manual'; null removes it. Without one, such conflicts stay pending. A
   * handler that throws, answers an unusable shape or takes longer than conflictTimeout leaves the change pending
   * (an 'error' with ERR_CONFLICT_HANDLER or ERR_CONFLICT_TIMEOUT) until a later round. */
  onConflict(handler: ((question: ConflictQuestion) => ConflictAnswer | Promise<ConflictAnswer>) | null): this;
  /** Stops the engine, joins its thread and closes its connections, synchronously. Idempotent. */
  close(): void;

  on(event: 'status', listener: (status: SyncStatus) => void): this;
  on(event: 'progress', listener: (progress: SyncProgress) => void): this;
  on(event: 'conflict', listener: (conflict: SyncConflict) => void): this;
  on(event: 'change', listener: (change: SyncChange) => void): this;
  on(event: 'error', listener: (error: OfflineSyncError) => void): this;
  once(event: 'status', listener: (status: SyncStatus) => void): this;
  once(event: 'progress', listener: (progress: SyncProgress) => void): this;
  once(event: 'conflict', listener: (conflict: SyncConflict) => void): this;
  once(event: 'change', listener: (change: SyncChange) => void): this;
  once(event: 'error', listener: (error: OfflineSyncError) => void): this;
  off(event: 'status', listener: (status: SyncStatus) => void): this;
  off(event: 'progress', listener: (progress: SyncProgress) => void): this;
  off(event: 'conflict', listener: (conflict: SyncConflict) => void): this;
  off(event: 'change', listener: (change: SyncChange) => void): this;
  off(event: 'error', listener: (error: OfflineSyncError) => void): this;
}
