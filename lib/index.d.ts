// Types of the offline-sync public API (see README.md for the full description).

/** Every failure is an OfflineSyncError with a string code: SQLite's own name (SQLITE_BUSY,
 * SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CANTOPEN, ...) or the package's (ERR_INVALID_ARG, ERR_CLOSED,
 * ERR_STATEMENT_BUSY, ERR_TRANSACTION_STATE, ERR_SCHEMA_TOO_NEW, ERR_DEVICE_ID_MISMATCH, ERR_NOT_TRACKABLE,
 * ERR_NOT_BUILT). */
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
  /** Closes the connection (idempotent); later calls throw ERR_CLOSED. */
  close(): void;
}

export function openDatabase(file: string, options?: OpenOptions): Database;
