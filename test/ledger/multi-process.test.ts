/**
 * Appends from several operating-system processes sharing one PostgreSQL database, and
 * a process killed with SIGKILL mid-append. PostgreSQL only: PGlite is one process.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { auditLog } from '../../src/ledger/audit.ts';

const onPostgres = Boolean(process.env['DATABASE_URL']);
const describeOnPostgres = onPostgres ? describe : describe.skip;
const WRITER = new URL('./fixtures/append-writer.ts', import.meta.url).pathname;
const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname;

let database: TestDatabase;
beforeAll(async () => {
  if (onPostgres) database = await createTestDatabase();
});
afterAll(async () => {
  if (onPostgres) await database.dispose();
});

interface Ack {
  seq: number;
  writer: number;
  index: number;
}

function startWriter(communityId: string, writers: number, appends: number, label: string, onAck?: (ack: Ack, count: number) => void) {
  const child = spawn(NODE, [WRITER, database.databaseUrl!, communityId, String(writers), String(appends), label], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acks: Ack[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const [, seq, writer, index] = line.split(' ').map(Number);
      acks.push({ seq: seq!, writer: writer!, index: index! });
      onAck?.(acks.at(-1)!, acks.length);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, acks, exited };
}

async function storedEntries(communityId: string): Promise<Array<{ seq: number; label: string; writer: number; index: number }>> {
  const rows: Array<{ seq: unknown; payload: { label: string; writer: number; index: number } }> = await (database.orm.em.fork() as SqlEntityManager).execute(
    'select seq, payload from ledger_entries where community_id = ? order by seq',
    [communityId],
  );
  return rows.map((row) => ({ seq: Number(row.seq), ...row.payload }));
}

describeOnPostgres('appends from several processes', () => {
  test('two processes × 4 writers × 500 appends make one gap-free log with every append exactly once', async () => {
    const communityId = randomUUID();
    const processes = ['p1', 'p2'].map((label) => startWriter(communityId, 4, 500, label));
    expect(await Promise.all(processes.map((process) => process.exited))).toEqual([0, 0]);
    const entries = await storedEntries(communityId);
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 4_000 }, (_, seq) => seq));
    expect(new Set(entries.map((entry) => `${entry.label}/${entry.writer}/${entry.index}`)).size).toBe(4_000);
    for (const [position, label] of ['p1', 'p2'].entries()) {
      for (const ack of processes[position]!.acks) expect(entries[ack.seq]).toMatchObject({ label, writer: ack.writer, index: ack.index });
    }
    expect((await auditLog(database.orm.em.fork() as SqlEntityManager, communityId)).ok).toBe(true);
  }, 180_000);

  test('after kill -9 during appends, every acknowledged append is present and the audit passes', async () => {
    const communityId = randomUUID();
    const victim = startWriter(communityId, 4, 5_000, 'victim', (_, count) => {
      if (count === 300) victim.child.kill('SIGKILL');
    });
    await victim.exited;
    expect(victim.acks.length).toBeGreaterThanOrEqual(300);
    // Connections of the killed process are closed by the server; its open transactions roll back.
    const survivor = startWriter(communityId, 2, 50, 'survivor');
    expect(await survivor.exited).toBe(0);
    const entries = await storedEntries(communityId);
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: entries.length }, (_, seq) => seq));
    for (const ack of victim.acks) expect(entries[ack.seq]).toMatchObject({ label: 'victim', writer: ack.writer, index: ack.index });
    expect((await auditLog(database.orm.em.fork() as SqlEntityManager, communityId)).ok).toBe(true);
  }, 180_000);
});

