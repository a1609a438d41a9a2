/**
 * How the audit reads the database: rows as arrays, no ORM hydration, and — on
 * PostgreSQL — one pooled connection holding a REPEATABLE READ READ ONLY transaction, so
 * that the head, the entries, the nodes, the checkpoints and the cosignatures are all read
 * from one snapshot (an append committed mid-audit cannot make a sound log look broken).
 * On PostgreSQL only jsonb and bytea are parsed (the rest stays the server's text, and
 * `toSafeNumber` reads bigints from either); on PGlite (or inside a caller's transaction)
 * the entity manager's connection is used, with the driver's parsers.
 */
import type { SqlEntityManager } from '../db/orm.ts';

export type AuditRow = unknown[];

export interface AuditSource {
  /** Runs SQL with `?` placeholders; rows come back as arrays in column order. */
  query(sql: string, parameters: readonly unknown[]): Promise<AuditRow[]>;
  close(): Promise<void>;
}

/** What the audit needs of a node-postgres client (structural, so no driver import here). */
interface PgQueryConfig {
  text: string;
  values: unknown[];
  rowMode: 'array';
  types: { getTypeParser(oid: number, format?: string): (value: string) => unknown };
}
interface PgClientLike {
  query(config: PgQueryConfig): Promise<{ rows: AuditRow[] }>;
  release(error?: Error | boolean): void;
}
interface PgPoolLike {
  connect(): Promise<PgClientLike>;
  totalCount: number;
}

const JSON_OID = 114;
const JSONB_OID = 3802;
const BYTEA_OID = 17;
const identity = (value: string): unknown => value;
const parseJson = (value: string): unknown => JSON.parse(value);
const parseBytea = (value: string): unknown => Buffer.from(value.slice(2), 'hex');
const auditTypes = {
  getTypeParser: (oid: number) => (oid === JSONB_OID || oid === JSON_OID ? parseJson : oid === BYTEA_OID ? parseBytea : identity),
};

function isPgPool(client: unknown): client is PgPoolLike {
  return typeof client === 'object' && client !== null && typeof (client as PgPoolLike).connect === 'function' && 'totalCount' in client;
}

function numbered(sql: string): string {
  let position = 0;
  return sql.replaceAll('?', () => `$${++position}`);
}

export async function openAuditSource(em: SqlEntityManager): Promise<AuditSource> {
  if (!em.isInTransaction()) {
    const connection = em.getConnection() as { getNativeClient?: () => Promise<unknown> };
    const native = typeof connection.getNativeClient === 'function' ? await connection.getNativeClient() : undefined;
    if (isPgPool(native)) return openSnapshot(await native.connect());
  }
  return {
    async query(sql, parameters) {
      const rows: Array<Record<string, unknown>> = await em.execute(sql, [...parameters]);
      return rows.map((row) => Object.values(row));
    },
    async close() {},
  };
}

async function openSnapshot(client: PgClientLike): Promise<AuditSource> {
  const run = async (sql: string, parameters: readonly unknown[]) =>
    (await client.query({ text: numbered(sql), values: [...parameters], rowMode: 'array', types: auditTypes })).rows;
  try {
    await run('begin isolation level repeatable read read only', []);
    await run("set local bytea_output = 'hex'", []);
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
  let open = true;
  return {
    query: run,
    async close() {
      if (!open) return;
      open = false;
      try {
        await run('rollback', []);
        client.release();
      } catch (error) {
        client.release(error as Error);
      }
    },
  };
}

/** bytea as a Buffer (a view, no copy). */
export function byteaValue(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`expected bytea, got ${typeof value}`);
}
