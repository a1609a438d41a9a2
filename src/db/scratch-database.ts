/**
 * A throwaway database on a PostgreSQL server, for tests and benchmarks that must
 * not touch each other's data: created empty, dropped (forcibly) when done.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ScratchDatabase {
  url: string;
  /** The database's name on the server. */
  name: string;
  drop(): Promise<void>;
}

const DATABASE_NAME = /^[a-z0-9_]{1,63}$/u;

/** Runs `statements` in order on one connection to the server (outside any transaction, as CREATE DATABASE needs). */
async function runOnServer(serverUrl: string, ...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabaseOptions {
  /**
   * Commits return before their WAL reaches the disk (`synchronous_commit = off` for every
   * session of this database). For tests: a commit then costs 0.2 ms instead of the 3.8 ms
   * of an fdatasync on this machine, and nothing they check changes — what a session
   * commits is visible to every other at once, and no test crashes the PostgreSQL server
   * itself (their crashes kill Courtyard's processes, whose acknowledged commits the server
   * still holds). Never for benchmarks: they measure the durable configuration.
   */
  asynchronousCommit?: boolean;
  /**
   * A copy of this database (`create database … template`), e.g. one already migrated; no
   * session may be connected to it meanwhile. Its per-database settings are not copied.
   */
  template?: string;
}

/** `prefix` names who made it (e.g. `courtyard_test`), so leftovers are easy to spot. */
export async function createScratchDatabase(serverUrl: string, prefix: string, options: ScratchDatabaseOptions = {}): Promise<ScratchDatabase> {
  if (!/^[a-z_]{1,40}$/u.test(prefix)) throw new Error('A scratch database prefix is lowercase letters and "_"');
  if (options.template !== undefined && !DATABASE_NAME.test(options.template)) throw new Error('A template is named by lowercase letters, digits and "_"');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await runOnServer(
    serverUrl,
    options.template ? `create database ${name} template ${options.template}` : `create database ${name}`,
    ...(options.asynchronousCommit ? [`alter database ${name} set synchronous_commit = off`] : []),
  );
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => dropScratchDatabase(serverUrl, name) };
}

export async function dropScratchDatabase(serverUrl: string, name: string): Promise<void> {
  if (!DATABASE_NAME.test(name)) throw new Error('A scratch database is named by lowercase letters, digits and "_"');
  await runOnServer(serverUrl, `drop database if exists ${name} with (force)`);
}
