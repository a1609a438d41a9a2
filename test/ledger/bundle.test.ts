import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { exportBundle, verifyBundle, type LedgerBundle } from '../../src/ledger/bundle.ts';
import { cutCheckpoint } from '../../src/ledger/checkpoints.ts';
import { cosignCheckpoint } from '../../src/ledger/cosignature.ts';
import { parseNote } from '../../src/ledger/signed-note.ts';
import { registerWitness, submitCosignature } from '../../src/ledger/witnesses.ts';
import { appendMany, newCommunityLog, testSealer } from './ledger-support.ts';

let database: TestDatabase;
let em: SqlEntityManager;
let bundle: LedgerBundle;

beforeAll(async () => {
  database = await createTestDatabase();
  em = database.orm.em.fork() as SqlEntityManager;
  const communityId = await newCommunityLog(em);
  await appendMany(em, communityId, 45);
  const checkpoint = await cutCheckpoint(em, communityId, testSealer);
  const witnessKey = new Uint8Array(32).fill(5);
  await registerWitness(em, { communityId, keyName: 'regulator.test/w', publicKey: ed25519.getPublicKey(witnessKey), role: 'regulator', accountId: null });
  await submitCosignature(em, { communityId, treeSize: 45, cosignature: cosignCheckpoint(parseNote(checkpoint.note).text, 'regulator.test/w', witnessKey, 1_700_000_000) });
  bundle = await exportBundle(em, { communityId, start: 10, end: 30 });
});
afterAll(() => database.dispose());

const copy = (): LedgerBundle => JSON.parse(JSON.stringify(bundle)) as LedgerBundle;

describe('portable bundles', () => {
  test('a range verifies offline with its checkpoint, proofs and cosignature', () => {
    const round = JSON.parse(JSON.stringify(bundle)) as LedgerBundle;
    expect(verifyBundle(round, bundle.logVerifierKey)).toMatchObject({ treeSize: 45, entriesVerified: 20, cosignedBy: ['regulator.test/w'] });
  });

  test('rejects a changed payload, a dropped entry, a wrong proof and an untrusted log key', () => {
    const changed = copy();
    changed.entries[3]!.payload = { counter: 99 };
    expect(() => verifyBundle(changed)).toThrow(/entry 13/);
    const dropped = copy();
    dropped.entries.splice(5, 1);
    expect(() => verifyBundle(dropped)).toThrow(/entries/);
    const wrongProof = copy();
    wrongProof.entries[0]!.inclusionProof.reverse();
    expect(() => verifyBundle(wrongProof)).toThrow(/entry 10 is not included/);
    expect(() => verifyBundle(copy(), 'someone+00000000+AQ==')).toThrow(/trusted/);
  });

  test('rejects an altered checkpoint or cosignature', () => {
    const altered = copy();
    altered.checkpoint = altered.checkpoint.replace('\n45\n', '\n46\n');
    expect(() => verifyBundle(altered)).toThrow(/signature/);
    const forgedCosignature = copy();
    const lines = forgedCosignature.checkpoint.split('\n');
    lines[lines.length - 2] = lines[lines.length - 2]!.replace(/.{6}$/, 'AAAAA=');
    forgedCosignature.checkpoint = lines.join('\n');
    expect(() => verifyBundle(forgedCosignature)).toThrow(/cosignature|base64|signature/);
  });
});
