// @ci-both-engines: the audit reads the log in pages on PostgreSQL and in one transaction on
// PGlite (src/ledger/audit-reader.ts), and the drivers hand back bigints and bytea differently.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { auditLog, type AuditProblem } from '../../src/ledger/audit.ts';
import { cutCheckpoint } from '../../src/ledger/checkpoints.ts';
import { cosignCheckpoint } from '../../src/ledger/cosignature.ts';
import { leafHash } from '../../src/ledger/merkle-hash.ts';
import { parseNote } from '../../src/ledger/signed-note.ts';
import { registerWitness, submitCosignature } from '../../src/ledger/witnesses.ts';
import { appendMany, asSuperuserBypassingTriggers, newCommunityLog, testSealer } from './ledger-support.ts';

let database: TestDatabase;
let em: SqlEntityManager;

beforeAll(async () => {
  database = await createTestDatabase();
  em = database.orm.em.fork() as SqlEntityManager;
});
afterAll(() => database.dispose());

const witnessPrivateKey = new Uint8Array(32).fill(9);

/** A log of 50 entries with checkpoints at 20 and 50, the first cosigned. */
async function auditedLog(): Promise<string> {
  const communityId = await newCommunityLog(em);
  await appendMany(em, communityId, 20);
  const first = await cutCheckpoint(em, communityId, testSealer);
  await appendMany(em, communityId, 30);
  await cutCheckpoint(em, communityId, testSealer);
  await registerWitness(em, { communityId, keyName: 'committee.test/w', publicKey: ed25519.getPublicKey(witnessPrivateKey), role: 'committee', accountId: null });
  const cosignature = cosignCheckpoint(parseNote(first.note).text, 'committee.test/w', witnessPrivateKey, 1_700_000_000);
  await submitCosignature(em, { communityId, treeSize: 20, cosignature });
  expect((await auditLog(em, communityId)).ok).toBe(true);
  return communityId;
}

async function firstProblem(communityId: string): Promise<AuditProblem | undefined> {
  const report = await auditLog(em, communityId);
  expect(report.ok).toBe(false);
  return report.problems[0];
}

describe('the audit catches rows changed by a superuser who bypasses the triggers', () => {
  test('a changed payload names the entry', async () => {
    const communityId = await auditedLog();
    await asSuperuserBypassingTriggers(em, `update ledger_entries set payload = '{"counter": 7, "amountFen": 1}' where community_id = ? and seq = 7`, [communityId]);
    expect(await firstProblem(communityId)).toMatchObject({ kind: 'entry', seq: 7 });
  });

  test('a changed actor or time names the entry', async () => {
    const communityId = await auditedLog();
    await asSuperuserBypassingTriggers(em, `update ledger_entries set recorded_at = recorded_at + interval '1 ms' where community_id = ? and seq = 33`, [communityId]);
    expect(await firstProblem(communityId)).toMatchObject({ kind: 'entry', seq: 33 });
  });

  test('a changed payload with a replaced leaf hash names the entry', async () => {
    const communityId = await auditedLog();
    await asSuperuserBypassingTriggers(
      em,
      `update ledger_entries set payload = '{"counter": 3, "amountFen": 1}', leaf_hash = ? where community_id = ? and seq = 3`,
      [Buffer.from(leafHash(new Uint8Array([1]))), communityId],
    );
    const report = await auditLog(em, communityId);
    expect(report.ok).toBe(false);
    expect(report.problems.map((problem) => problem.kind)).toEqual(expect.arrayContaining(['entry']));
  });

  test('a deleted entry names the missing sequence number', async () => {
    const communityId = await auditedLog();
    await asSuperuserBypassingTriggers(em, 'delete from ledger_entries where community_id = ? and seq = 12', [communityId]);
    expect(await firstProblem(communityId)).toMatchObject({ kind: 'entry', seq: 12 });
  });

  test('an inserted entry beyond the head is named', async () => {
    const communityId = await auditedLog();
    await asSuperuserBypassingTriggers(
      em,
      `insert into ledger_entries (community_id, seq, type, payload, actor, recorded_at, leaf_hash) values (?, 50, 'test.forged', '{}', 'mallory', now(), ?)`,
      [communityId, Buffer.alloc(32)],
    );
    expect(await firstProblem(communityId)).toMatchObject({ kind: 'entry', seq: 50 });
  });

  test('a changed tree node names the node', async () => {
    const communityId = await auditedLog();
    await asSuperuserBypassingTriggers(em, 'update ledger_tree_nodes set hash = ? where community_id = ? and level = 2 and node_index = 3', [Buffer.alloc(32, 1), communityId]);
    expect(await firstProblem(communityId)).toMatchObject({ kind: 'node', reference: '2:3' });
  });

  test('a changed checkpoint root names the checkpoint', async () => {
    const communityId = await auditedLog();
    await asSuperuserBypassingTriggers(em, 'update ledger_checkpoints set root_hash = ? where community_id = ? and tree_size = 50', [Buffer.alloc(32, 2), communityId]);
    expect(await firstProblem(communityId)).toMatchObject({ kind: 'checkpoint', treeSize: 50 });
  });

  test('a checkpoint note whose size line was altered names the checkpoint', async () => {
    const communityId = await auditedLog();
    await asSuperuserBypassingTriggers(em, `update ledger_checkpoints set note = replace(note, '\n20\n', '\n21\n') where community_id = ? and tree_size = 20`, [communityId]);
    expect(await firstProblem(communityId)).toMatchObject({ kind: 'checkpoint', treeSize: 20 });
  });

  test('a deleted checkpoint leaves its cosignature unverifiable, which is named', async () => {
    const communityId = await auditedLog();
    await asSuperuserBypassingTriggers(em, 'delete from ledger_checkpoints where community_id = ? and tree_size = 20', [communityId]);
    expect(await firstProblem(communityId)).toMatchObject({ kind: 'cosignature', treeSize: 20, reference: 'committee.test/w' });
  });

  test('an inserted checkpoint beyond the log is named', async () => {
    const communityId = await auditedLog();
    const note: Array<{ note: string }> = await em.execute('select note from ledger_checkpoints where community_id = ? and tree_size = 50', [communityId]);
    await asSuperuserBypassingTriggers(em, `insert into ledger_checkpoints values (?, 60, ?, ?, now())`, [communityId, Buffer.alloc(32), note[0]!.note]);
    expect(await firstProblem(communityId)).toMatchObject({ kind: 'checkpoint', treeSize: 60 });
  });

  test('a changed cosignature or witness key names the cosignature', async () => {
    const communityId = await auditedLog();
    await asSuperuserBypassingTriggers(em, 'update ledger_cosignatures set timestamp_seconds = 1 where community_id = ?', [communityId]);
    expect(await firstProblem(communityId)).toMatchObject({ kind: 'cosignature', treeSize: 20 });
    const other = await auditedLog();
    await asSuperuserBypassingTriggers(em, 'update ledger_witnesses set public_key = ? where community_id = ?', [Buffer.from(ed25519.getPublicKey(new Uint8Array(32).fill(3))), other]);
    expect(await firstProblem(other)).toMatchObject({ kind: 'cosignature', reference: 'committee.test/w' });
  });

  test('a rewound head is named', async () => {
    const communityId = await auditedLog();
    await em.execute('update ledger_heads set tree_size = 49 where community_id = ?', [communityId]);
    expect(await firstProblem(communityId)).toMatchObject({ kind: 'head' });
  });
});
