// @ci-both-engines: appends are sequenced under each engine's own concurrency (PGlite runs one
// transaction at a time on one connection; PostgreSQL locks across connections).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { appendEntries, appendEntry } from '../../src/ledger/append-entry.ts';
import { integrateBatch, integratePending, MAX_INTEGRATION_BATCH, MAX_SKIPPED_POLLS, pendingCount, sequenceOfEntry, startLedgerIntegrator } from '../../src/ledger/integrator.ts';
import { auditLog } from '../../src/ledger/audit.ts';
import { parseCheckpointBody } from '../../src/ledger/checkpoint.ts';
import { cutDueCheckpoints } from '../../src/ledger/checkpoint-cutter.ts';
import { configureLog, cutCheckpoint, getCheckpoint } from '../../src/ledger/checkpoints.ts';
import { cosignCheckpoint } from '../../src/ledger/cosignature.ts';
import { PersonalDataInPayloadError } from '../../src/ledger/errors.ts';
import { findLogKey } from '../../src/ledger/log-keys.ts';
import { entryLeafBytes, type JsonObject } from '../../src/ledger/entry-encoding.ts';
import { leafHash } from '../../src/ledger/merkle-hash.ts';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/proof-verifier.ts';
import { consistencyProof, inclusionProof } from '../../src/ledger/proofs.ts';
import { noteHasValidSignature, parseNote } from '../../src/ledger/signed-note.ts';
import { checkpointStatus, latestCheckpointText, latestFinalCheckpoint, registerWitness, submitCosignature } from '../../src/ledger/witnesses.ts';
import { appendMany, newCommunityLog, requireCosignatures, testSealer } from './ledger-support.ts';

let database: TestDatabase;
let em: SqlEntityManager;

beforeAll(async () => {
  database = await createTestDatabase();
  em = database.orm.em.fork() as SqlEntityManager;
});
afterAll(() => database.dispose());

async function seqs(communityId: string): Promise<number[]> {
  const rows: Array<{ seq: unknown }> = await em.execute('select seq from ledger_entries where community_id = ? order by seq', [communityId]);
  return rows.map((row) => Number(row.seq));
}

describe('appending', () => {
  test('accepts entries as pending rows; the integrator numbers them from 0 without gaps and stores the RFC 8785 leaf hash', async () => {
    const communityId = await newCommunityLog(em);
    const first = await em.transactional((tx) => appendEntry(tx, { communityId, type: 'fees.invoice-issued', payload: { invoiceId: 'i-1', amountFen: 500 }, actor: 'system' }));
    const second = await em.transactional((tx) => appendEntry(tx, { communityId, type: 'fees.payment-recorded', payload: { invoiceId: 'i-1', amountFen: 500 }, actor: 'a-1' }));
    expect(second.entryId).toBeGreaterThan(first.entryId);
    expect(await seqs(communityId)).toEqual([]);
    expect(await pendingCount(em, communityId)).toBe(2);
    expect(await integratePending(em, communityId)).toBe(2);
    expect(await pendingCount(em, communityId)).toBe(0);
    expect(await seqs(communityId)).toEqual([0, 1]);
    expect([await sequenceOfEntry(em, communityId, first.entryId, first.time), await sequenceOfEntry(em, communityId, second.entryId, second.time)]).toEqual([0, 1]);
    const expected = leafHash(entryLeafBytes({ seq: 1, type: 'fees.payment-recorded', payload: { invoiceId: 'i-1', amountFen: 500 }, actor: 'a-1', time: second.time }));
    const stored: Array<{ leaf_hash: Uint8Array }> = await em.execute('select leaf_hash from ledger_entries where community_id = ? and seq = 1', [communityId]);
    expect(new Uint8Array(stored[0]!.leaf_hash)).toEqual(expected);
    expect(await integratePending(em, communityId)).toBe(0);
    expect((await auditLog(em, communityId)).ok).toBe(true);
  });

  test('the integrator hashes exactly what entryLeafBytes encodes, for awkward payloads', async () => {
    const communityId = await newCommunityLog(em);
    const payloads: JsonObject[] = [
      { z: 1, a: [1.5, -0, 1.25e-7, 'é\u2028"\\'], nested: { b: null, a: true }, '\u00e9': 'x', '😀': 2 },
      { amountFen: 9_000_000_000_000_000, when: '2026-11-23' },
      {},
    ];
    const appended = await em.transactional((tx) => appendEntries(tx, communityId, payloads.map((payload) => ({ type: 'test.awkward', payload, actor: 'sys"tem' }))));
    await integratePending(em, communityId);
    const stored: Array<{ seq: unknown; leaf_hash: Uint8Array }> = await em.execute('select seq, leaf_hash from ledger_entries where community_id = ? order by seq', [communityId]);
    for (const [seq, payload] of payloads.entries()) {
      const expected = leafHash(entryLeafBytes({ seq, type: 'test.awkward', payload, actor: 'sys"tem', time: appended[seq]!.time }));
      expect(new Uint8Array(stored[seq]!.leaf_hash)).toEqual(expected);
    }
    expect((await auditLog(em, communityId)).ok).toBe(true);
  });

  test('concurrent writers with the integrator running concurrently produce one gap-free sequence in pending-id order', async () => {
    const communityId = await newCommunityLog(em);
    let writing = true;
    const integrating = (async () => {
      while (writing) await integratePending(database.orm.em.fork() as SqlEntityManager, communityId);
    })();
    const entryIds: number[] = [];
    const writers = Array.from({ length: 4 }, (_, writer) =>
      (async () => {
        for (let index = 0; index < 25; index++) {
          const pending = await database.orm.em.fork().transactional((tx) =>
            appendEntry(tx as SqlEntityManager, { communityId, type: 'test.concurrent', payload: { writer, index }, actor: 'system' }),
          );
          entryIds.push(pending.entryId);
        }
      })(),
    );
    await Promise.all(writers);
    writing = false;
    await integrating;
    await integratePending(em, communityId);
    expect(await seqs(communityId)).toEqual(Array.from({ length: 100 }, (_, index) => index));
    const rows: Array<{ entry_id: unknown }> = await em.execute('select entry_id from ledger_entries where community_id = ? order by seq', [communityId]);
    expect(new Set(rows.map((row) => Number(row.entry_id)))).toEqual(new Set(entryIds));
    expect((await auditLog(em, communityId)).ok).toBe(true);
  });

  test('a rolled-back transaction leaves no entry and no gap', async () => {
    const communityId = await newCommunityLog(em);
    await appendMany(em, communityId, 3);
    await expect(
      em.transactional(async (tx) => {
        await appendEntry(tx, { communityId, type: 'test.doomed', payload: {}, actor: 'system' });
        throw new Error('contract refused');
      }),
    ).rejects.toThrow('contract refused');
    const next = await em.transactional((tx) => appendEntry(tx, { communityId, type: 'test.after', payload: {}, actor: 'system' }));
    await integratePending(em, communityId);
    expect(await sequenceOfEntry(em, communityId, next.entryId, next.time)).toBe(3);
    expect(await seqs(communityId)).toEqual([0, 1, 2, 3]);
  });

  test('an uncommitted append is not integrated; it is once committed', async () => {
    const communityId = await newCommunityLog(em);
    await appendMany(em, communityId, 2);
    const open = database.orm.em.fork() as SqlEntityManager;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let appended!: () => void;
    const didAppend = new Promise<void>((resolve) => (appended = resolve));
    const transaction = open.transactional(async (tx) => {
      await appendEntry(tx, { communityId, type: 'test.slow', payload: {}, actor: 'system' });
      appended();
      await held;
    });
    await didAppend;
    if (database.kind === 'postgresql') {
      await appendMany(em, communityId, 1);
      expect(await seqs(communityId)).toEqual([0, 1, 2]);
    }
    release();
    await transaction;
    await integratePending(em, communityId);
    const rows: Array<{ type: string }> = await em.execute('select type from ledger_entries where community_id = ? order by seq', [communityId]);
    expect(rows.map((row) => row.type)).toEqual(database.kind === 'postgresql' ? ['test.counted', 'test.counted', 'test.counted', 'test.slow'] : ['test.counted', 'test.counted', 'test.slow']);
    expect((await auditLog(em, communityId)).ok).toBe(true);
  });

  test('refuses a payload with personal data and writes nothing', async () => {
    const communityId = await newCommunityLog(em);
    await expect(
      em.transactional((tx) => appendEntry(tx, { communityId, type: 'privacy.read', payload: { phone: '13800000000' }, actor: 'a-1' })),
    ).rejects.toThrow(PersonalDataInPayloadError);
    expect(await pendingCount(em, communityId)).toBe(0);
    expect(await seqs(communityId)).toEqual([]);
  });

  test('refuses a community id that is not a UUID', async () => {
    await expect(em.transactional((tx) => appendEntry(tx, { communityId: 'nope', type: 'a.b', payload: {}, actor: 'x' }))).rejects.toThrow(/communityId/);
  });

  test('integrates in batches of at most MAX_INTEGRATION_BATCH, each batch all or nothing', async () => {
    const communityId = await newCommunityLog(em);
    for (let start = 0; start < MAX_INTEGRATION_BATCH + 10; start += 1_000) {
      const count = Math.min(1_000, MAX_INTEGRATION_BATCH + 10 - start);
      await em.transactional((tx) => appendEntries(tx, communityId, Array.from({ length: count }, (_, offset) => ({ type: 'test.bulk', payload: { n: start + offset }, actor: 'system' }))));
    }
    const batch = await integrateBatch(em, communityId);
    expect([batch.integrated, batch.treeSize]).toEqual([MAX_INTEGRATION_BATCH, MAX_INTEGRATION_BATCH]);
    expect(await integratePending(em, communityId)).toBe(10);
    expect((await seqs(communityId)).length).toBe(MAX_INTEGRATION_BATCH + 10);
    expect((await auditLog(em, communityId)).ok).toBe(true);
  });

  test('the background integrator sequences what is pending', async () => {
    const communityId = await newCommunityLog(em);
    const integrator = startLedgerIntegrator({ forkEntityManager: () => database.orm.em.fork() as SqlEntityManager, intervalMs: 20 });
    try {
      await em.transactional((tx) => appendEntries(tx, communityId, Array.from({ length: 7 }, (_, n) => ({ type: 'test.background', payload: { n }, actor: 'system' }))));
      integrator.nudge();
      for (let attempt = 0; attempt < 200 && (await seqs(communityId)).length < 7; attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await seqs(communityId)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    } finally {
      await integrator.stop();
    }
  });
});

describe('the background integrator beside after-commit passes', () => {
  test(`skips its polls while units of work integrate after their commits, at most ${MAX_SKIPPED_POLLS} in a row, and still answers a nudge`, async () => {
    const communityId = await newCommunityLog(em);
    let asked = 0;
    const started = performance.now();
    const integrator = startLedgerIntegrator({
      forkEntityManager: () => database.orm.em.fork() as SqlEntityManager,
      intervalMs: 100,
      integratingElsewhere: () => (asked += 1) > 0,
    });
    try {
      // Its first pass runs at the start; what is appended after it waits for a poll that is not
      // skipped. The first skipped poll comes after that pass, however slow the machine is.
      for (let attempt = 0; attempt < 300 && asked === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 5));
      await em.transactional((tx) => appendEntry(tx, { communityId, type: 'test.background', payload: { n: 0 }, actor: 'system' }));
      for (let attempt = 0; attempt < 300 && (await seqs(communityId)).length < 1; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await seqs(communityId)).toEqual([0]);
      expect(asked).toBeGreaterThanOrEqual(MAX_SKIPPED_POLLS);
      expect(performance.now() - started).toBeGreaterThanOrEqual(MAX_SKIPPED_POLLS * 100);
      // A nudge is not a poll: it runs at once, long before the next poll that is not skipped.
      await em.transactional((tx) => appendEntry(tx, { communityId, type: 'test.background', payload: { n: 1 }, actor: 'system' }));
      const nudged = performance.now();
      integrator.nudge();
      for (let attempt = 0; attempt < 300 && (await seqs(communityId)).length < 2; attempt++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await seqs(communityId)).toEqual([0, 1]);
      expect(performance.now() - nudged).toBeLessThan(MAX_SKIPPED_POLLS * 100 * 0.6);
    } finally {
      await integrator.stop();
    }
  });
});

describe('the pending queue', () => {
  test('refuses UPDATE, TRUNCATE, and DELETE outside the integrator', async () => {
    const communityId = await newCommunityLog(em);
    await em.transactional((tx) => appendEntry(tx, { communityId, type: 'test.queued', payload: {}, actor: 'system' }));
    await expect(em.execute(`update ledger_pending set actor = 'mallory' where community_id = ?`, [communityId])).rejects.toThrow(/append-only/);
    await expect(em.execute('delete from ledger_pending where community_id = ?', [communityId])).rejects.toThrow(/integrator/);
    await expect(em.execute('truncate ledger_pending')).rejects.toThrow(/append-only/);
    expect(await integratePending(em, communityId)).toBe(1);
  });
});

describe('append-only tables', () => {
  test.each([
    ['update ledger_entries set actor = ? where community_id = ?', ['mallory']],
    ['delete from ledger_entries where community_id = ?', []],
    ['update ledger_tree_nodes set hash = hash where community_id = ?', []],
    ['delete from ledger_checkpoints where community_id = ?', []],
    ['update ledger_log_keys set key_name = key_name where community_id = ?', []],
    // A master-key rotation may re-seal the private key, and change nothing else with it.
    ['update ledger_log_keys set public_key = ?, sealed_private_key = sealed_private_key || ? where community_id = ?', [Buffer.alloc(32), Buffer.alloc(1)]],
    ['delete from ledger_log_keys where community_id = ?', []],
  ])('the database refuses: %s', async (sql, extra) => {
    const communityId = await newCommunityLog(em);
    await appendMany(em, communityId, 4);
    await cutCheckpoint(em, communityId, testSealer);
    await expect(em.execute(sql, [...extra, communityId])).rejects.toThrow(/append-only/);
  });

  test('the database refuses TRUNCATE of entries', async () => {
    await expect(em.execute('truncate ledger_entries cascade')).rejects.toThrow(/append-only/);
  });
});

describe('checkpoints, witnesses and proofs', () => {
  test('a checkpoint is a signed C2SP note over the current root, and proofs verify against it', async () => {
    const communityId = await newCommunityLog(em);
    await appendMany(em, communityId, 37);
    const small = await cutCheckpoint(em, communityId, testSealer);
    await appendMany(em, communityId, 70);
    const large = await cutCheckpoint(em, communityId, testSealer);
    const key = (await findLogKey(em, communityId))!;
    const note = parseNote(large.note);
    expect(noteHasValidSignature(note, key.keyName, key.publicKey)).toBe(true);
    const body = parseCheckpointBody(note.text);
    expect([body.origin, body.treeSize]).toEqual([key.keyName, 107]);
    const leaves: Array<{ leaf_hash: Uint8Array }> = await em.execute('select leaf_hash from ledger_entries where community_id = ? and seq = 41', [communityId]);
    const proof = await inclusionProof(em, communityId, 41, 107);
    expect(verifyInclusion(41, 107, new Uint8Array(leaves[0]!.leaf_hash), proof, body.rootHash)).toBe(true);
    const consistency = await consistencyProof(em, communityId, small.treeSize, large.treeSize);
    expect(verifyConsistency(37, 107, small.rootHash, large.rootHash, consistency)).toBe(true);
    expect(await cutCheckpoint(em, communityId, testSealer)).toEqual(large);
  });

  test('refuses proofs beyond the log', async () => {
    const communityId = await newCommunityLog(em);
    await appendMany(em, communityId, 5);
    await expect(inclusionProof(em, communityId, 2, 6)).rejects.toThrow(/treeSize/);
    await expect(inclusionProof(em, communityId, 5, 5)).rejects.toThrow(/seq/);
    await expect(consistencyProof(em, communityId, 4, 3)).rejects.toThrow(/fromSize/);
  });

  test('a checkpoint becomes final at the configured number of valid cosignatures', async () => {
    const communityId = await newCommunityLog(em);
    await requireCosignatures(em, communityId, 2);
    await appendMany(em, communityId, 10);
    const checkpoint = await cutCheckpoint(em, communityId, testSealer);
    const body = parseNote(checkpoint.note).text;
    const witnesses = ['committee.test/w1', 'regulator.test/w2'].map((keyName, index) => ({ keyName, privateKey: new Uint8Array(32).fill(index + 1) }));
    for (const [index, witness] of witnesses.entries()) {
      await registerWitness(em, { communityId, keyName: witness.keyName, publicKey: ed25519.getPublicKey(witness.privateKey), role: index === 0 ? 'committee' : 'regulator', accountId: null });
    }
    const now = Math.floor(Date.now() / 1000);
    const forged = cosignCheckpoint(body, witnesses[0]!.keyName, witnesses[1]!.privateKey, now);
    await expect(submitCosignature(em, { communityId, treeSize: 10, cosignature: forged })).rejects.toThrow(/does not verify/);
    await submitCosignature(em, { communityId, treeSize: 10, cosignature: cosignCheckpoint(body, witnesses[0]!.keyName, witnesses[0]!.privateKey, now) });
    expect((await checkpointStatus(em, checkpoint)).final).toBe(false);
    expect(await latestFinalCheckpoint(em, communityId)).toBeUndefined();
    await submitCosignature(em, { communityId, treeSize: 10, cosignature: cosignCheckpoint(body, witnesses[1]!.keyName, witnesses[1]!.privateKey, now) });
    const status = await checkpointStatus(em, checkpoint);
    expect(status.final).toBe(true);
    expect((await latestFinalCheckpoint(em, communityId))?.treeSize).toBe(10);
    const text = (await latestCheckpointText(em, communityId))!;
    expect(parseNote(text).signatures.map((signature) => signature.keyName)).toEqual([parseCheckpointBody(body).origin, 'committee.test/w1', 'regulator.test/w2']);
    const report = await auditLog(em, communityId);
    expect([report.ok, report.checkpointsVerified, report.cosignaturesVerified]).toEqual([true, 1, 2]);
  });

  test('the cutter cuts checkpoints by size and skips logs that are not due', async () => {
    const communityId = await newCommunityLog(em);
    await configureLog(em, communityId, { checkpointEveryEntries: 5, checkpointEverySeconds: 3600 });
    await appendMany(em, communityId, 3);
    await cutCheckpoint(em, communityId, testSealer);
    await appendMany(em, communityId, 2);
    expect((await cutDueCheckpoints(em, testSealer)).map((checkpoint) => checkpoint.communityId)).not.toContain(communityId);
    await appendMany(em, communityId, 3);
    const cut = await cutDueCheckpoints(em, testSealer);
    expect(cut.find((checkpoint) => checkpoint.communityId === communityId)?.treeSize).toBe(8);
    expect(await getCheckpoint(em, communityId, 8)).toBeDefined();
  });
});
