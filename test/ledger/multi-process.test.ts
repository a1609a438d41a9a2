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
import { integratePending, pendingCount } from '../../src/ledger/integrator.ts';

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
  entryId: number;
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
      const [, entryId, writer, index] = line.split(' ').map(Number);
      acks.push({ entryId: entryId!, writer: writer!, index: index! });
      onAck?.(acks.at(-1)!, acks.length);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, acks, exited };
}

/** Integrates what is still pending (as a restarted server would), then reads the log. */
async function storedEntries(communityId: string): Promise<Array<{ seq: number; entryId: number; label: string; writer: number; index: number }>> {
  const em = database.orm.em.fork() as SqlEntityManager;
  await integratePending(em, communityId);
  expect(await pendingCount(em, communityId)).toBe(0);
  const rows: Array<{ seq: unknown; entry_id: unknown; payload: { label: string; writer: number; index: number } }> = await em.execute(
    'select seq, entry_id, payload from ledger_entries where community_id = ? order by seq',
    [communityId],
  );
  return rows.map((row) => ({ seq: Number(row.seq), entryId: Number(row.entry_id), ...row.payload }));
}

function byEntryId<T extends { entryId: number }>(entries: T[]): Map<number, T> {
  return new Map(entries.map((entry) => [entry.entryId, entry]));
}

describeOnPostgres('appends from several processes', () => {
  test('two processes × 4 writers × 500 appends make one gap-free log with every append exactly once', async () => {
    const communityId = randomUUID();
    const processes = ['p1', 'p2'].map((label) => startWriter(communityId, 4, 500, label));
    expect(await Promise.all(processes.map((process) => process.exited))).toEqual([0, 0]);
    const entries = await storedEntries(communityId);
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 4_000 }, (_, seq) => seq));
    expect(new Set(entries.map((entry) => `${entry.label}/${entry.writer}/${entry.index}`)).size).toBe(4_000);
    expect(new Set(entries.map((entry) => entry.entryId)).size).toBe(4_000);
    const sequenced = byEntryId(entries);
    for (const [position, label] of ['p1', 'p2'].entries()) {
      expect(processes[position]!.acks).toHaveLength(2_000);
      for (const ack of processes[position]!.acks) expect(sequenced.get(ack.entryId)).toMatchObject({ label, writer: ack.writer, index: ack.index });
    }
    // Within one writer, appends were sequential transactions: their seqs increase.
    for (const label of ['p1', 'p2']) {
      for (let writer = 0; writer < 4; writer++) {
        const mine = entries.filter((entry) => entry.label === label && entry.writer === writer).map((entry) => entry.index);
        expect(mine).toEqual(Array.from({ length: 500 }, (_, index) => index));
      }
    }
    expect((await auditLog(database.orm.em.fork() as SqlEntityManager, communityId)).ok).toBe(true);
  }, 180_000);

  test('after kill -9 during appends, every acknowledged append is sequenced after integration and the audit passes', async () => {
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
    const sequenced = byEntryId(entries);
    expect(sequenced.size).toBe(entries.length);
    for (const ack of [...victim.acks, ...survivor.acks]) expect(sequenced.get(ack.entryId)).toBeDefined();
    for (const ack of victim.acks) expect(sequenced.get(ack.entryId)).toMatchObject({ label: 'victim', writer: ack.writer, index: ack.index });
    expect(survivor.acks).toHaveLength(100);
    expect((await auditLog(database.orm.em.fork() as SqlEntityManager, communityId)).ok).toBe(true);
  }, 180_000);
});

