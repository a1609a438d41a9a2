/**
 * Log-key and witness-key rotation (docs/ledger.md, "Key rotation"): one scenario from
 * a log's first key through `npm run keys:rotate-log` to checkpoints, cosignatures,
 * audit and bundles on both sides of the rotation, and a forgery with the retired key.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ed25519 } from '@noble/curves/ed25519.js';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfiguration, type Configuration } from '../../src/config/configuration.ts';
import { loadInstallationKeys } from '../../src/config/keys.ts';
import type { Orm, SqlEntityManager } from '../../src/db/orm.ts';
import { auditLog } from '../../src/ledger/audit.ts';
import { exportBundle, verifyBundle, type LedgerBundle } from '../../src/ledger/bundle.ts';
import { consistencyProblem } from '../../src/ledger/bundle-consistency.ts';
import { formatCheckpointBody } from '../../src/ledger/checkpoint.ts';
import { cutCheckpoint, getCheckpoint } from '../../src/ledger/checkpoints.ts';
import { cosignCheckpoint } from '../../src/ledger/cosignature.ts';
import { ensureLogKey, loadLogSigningKey, type LogSigningKey } from '../../src/ledger/log-keys.ts';
import type { LogKeyRotation } from '../../src/ledger/log-key-rotation.ts';
import { appendEntries } from '../../src/ledger/append-entry.ts';
import { integratePending } from '../../src/ledger/integrator.ts';
import { toHex } from '../../src/ledger/merkle-hash.ts';
import { consistencyProof } from '../../src/ledger/proofs.ts';
import { formatNote, formatVerifierKey, noteHasValidSignature, parseNote, signNoteText, SIGNATURE_TYPE_ED25519 } from '../../src/ledger/signed-note.ts';
import { registerWitness, rotateWitnessKey, submitCosignature } from '../../src/ledger/witnesses.ts';
import type { MasterKey } from '../../src/privacy/envelope.ts';
import { openDatabase } from '../../src/server/app.ts';
import { COMMAND_EXIT } from '../../scripts/ledger/command.ts';
import { createTestDatabase, seedPgliteDataFolder, serverDatabaseUrl, type TestDatabase } from '../support/database.ts';
import { appendMany } from './ledger-support.ts';

const run = promisify(execFile);
const NODE = join(process.cwd(), 'node_modules/.bin/node');

async function command(script: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(NODE, [script, ...args], { timeout: 60_000, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

const verifierKey = (key: LogSigningKey): string => formatVerifierKey(key.keyName, SIGNATURE_TYPE_ED25519, key.publicKey);
const witness1 = new Uint8Array(32).fill(21);
const witness2 = new Uint8Array(32).fill(22);
const copy = (bundle: LedgerBundle): LedgerBundle => JSON.parse(JSON.stringify(bundle)) as LedgerBundle;

let folder: string;
let configuration: Configuration;
let env: Record<string, string>;
let database: TestDatabase | undefined;
let orm: Orm;
let em: SqlEntityManager;
let masterKey: MasterKey;
const communityId = randomUUID();
let oldKey: LogSigningKey;
let newKey: LogSigningKey;
let rotation: LogKeyRotation;
let rotationOutput: string;

async function open(): Promise<void> {
  orm = database ? database.orm : await openDatabase(configuration);
  em = orm.em.fork() as SqlEntityManager;
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'courtyard-key-rotation-'));
  configuration = loadConfiguration({ COURTYARD_DATA_DIR: folder });
  masterKey = (await loadInstallationKeys(configuration)).masterKey;
  if (serverDatabaseUrl) database = await createTestDatabase();
  env = { DATABASE_URL: database?.databaseUrl ?? '', COURTYARD_DATA_DIR: folder };
  // On PGlite the folder starts from the run's migrated template (what is tested here is the rotation).
  if (!database) await seedPgliteDataFolder(folder);
  await open();
  await ensureLogKey(em, { communityId, origin: `courtyard.test/rotating-${communityId.slice(0, 8)}`, sealer: masterKey });
  await appendMany(em, communityId, 10);
  const first = await cutCheckpoint(em, communityId, masterKey);
  await registerWitness(em, { communityId, keyName: 'committee.test/w1', publicKey: ed25519.getPublicKey(witness1), role: 'committee', accountId: null });
  await submitCosignature(em, { communityId, treeSize: 10, cosignature: cosignCheckpoint(parseNote(first.note).text, 'committee.test/w1', witness1, 1_700_000_000) });
  oldKey = await loadLogSigningKey(em, communityId, masterKey);
  // Accepted but not yet integrated, with the witness's registration: the rotation sequences them before its announcement.
  await em.transactional((tx) => appendEntries(tx, communityId, [0, 1].map((counter) => ({ type: 'test.pending', payload: { counter }, actor: 'system' }))));
  // The command opens the database itself: a PGlite folder must be free for it.
  if (!database) await orm.close(true);
  const outcome = await command('scripts/keys/rotate-log.ts', ['--community', communityId, '--json'], env);
  expect(outcome).toMatchObject({ code: COMMAND_EXIT.ok, stderr: '' });
  rotation = JSON.parse(outcome.stdout) as LogKeyRotation;
  rotationOutput = outcome.stdout + outcome.stderr;
  if (!database) await open();
  newKey = await loadLogSigningKey(em, communityId, masterKey);
  await appendMany(em, communityId, 5);
  await cutCheckpoint(em, communityId, masterKey);
}, 120_000);

afterAll(async () => {
  await (database ? database.dispose() : orm.close(true));
  await rm(folder, { recursive: true, force: true });
});

describe('log-key rotation', () => {
  test('the old key signs the checkpoint that announces the new one; later checkpoints carry the new key', async () => {
    expect(rotation).toMatchObject({ announcementSeq: 13, retiredAfterSize: 14, verifierKey: verifierKey(newKey) });
    const [announcement] = await em.execute('select type, payload, actor from ledger_entries where community_id = ? and seq = 13', [communityId]);
    expect(announcement).toEqual({
      type: 'ledger.log-key-rotated',
      actor: 'system',
      payload: { keyId: rotation.keyId, previousKeyId: rotation.previousKeyId, publicKey: Buffer.from(newKey.publicKey).toString('base64') },
    });
    const retirement = parseNote((await getCheckpoint(em, communityId, 14))!.note);
    expect(noteHasValidSignature(retirement, oldKey.keyName, oldKey.publicKey)).toBe(true);
    const later = parseNote((await getCheckpoint(em, communityId, 19))!.note);
    expect(noteHasValidSignature(later, newKey.keyName, newKey.publicKey)).toBe(true);
    expect(noteHasValidSignature(later, oldKey.keyName, oldKey.publicKey)).toBe(false);
  });

  test('no private key reaches the ledger or the command output', async () => {
    const [ledger] = await em.execute(
      `select coalesce((select string_agg(payload::text, ' ') from ledger_entries where community_id = ?), '') ||
              (select string_agg(note, ' ') from ledger_checkpoints where community_id = ?) as text`,
      [communityId, communityId],
    );
    for (const key of [oldKey, newKey]) {
      for (const encoded of [toHex(key.privateKey), Buffer.from(key.privateKey).toString('base64')]) {
        expect((ledger as { text: string }).text).not.toContain(encoded);
        expect(rotationOutput).not.toContain(encoded);
      }
    }
  });

  test('a log key row cannot be set back to a retired key', async () => {
    await expect(em.execute('update ledger_log_keys set public_key = ?, valid_from_size = 20 where community_id = ?', [Buffer.from(oldKey.publicKey), communityId])).rejects.toThrow(/append-only/);
  });

  test('witness keys rotate on the record; old cosignatures still verify, the retired key cosigns no more', async () => {
    const note = parseNote((await getCheckpoint(em, communityId, 19))!.note).text;
    await rotateWitnessKey(em, { communityId, retiredKeyName: 'committee.test/w1', keyName: 'committee.test/w2', publicKey: ed25519.getPublicKey(witness2), actor: 'system' });
    await expect(submitCosignature(em, { communityId, treeSize: 19, cosignature: cosignCheckpoint(note, 'committee.test/w1', witness1, 1_700_000_100) })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await submitCosignature(em, { communityId, treeSize: 19, cosignature: cosignCheckpoint(note, 'committee.test/w2', witness2, 1_700_000_100) });
    await integratePending(em, communityId);
    const [entry] = await em.execute("select payload from ledger_entries where community_id = ? and type = 'ledger.witness-key-rotated'", [communityId]);
    expect(entry).toEqual({
      payload: { keyId: expect.stringMatching(/^[0-9a-f]{8}$/), retiredKeyId: expect.stringMatching(/^[0-9a-f]{8}$/), publicKey: Buffer.from(ed25519.getPublicKey(witness2)).toString('base64'), role: 'committee' },
    });
    expect(JSON.stringify(entry)).not.toContain('committee.test');
    const report = await auditLog(em, communityId);
    expect(report).toMatchObject({ ok: true, checkpointsVerified: 3, cosignaturesVerified: 2 });
  });

  test('bundles before and across the rotation verify with the old key, offline and with ledger:verify', async () => {
    const before = await exportBundle(em, { communityId, treeSize: 10 });
    const across = await exportBundle(em, { communityId, treeSize: 19 });
    expect(before.logVerifierKey).toBe(verifierKey(oldKey));
    expect(across.logVerifierKey).toBe(verifierKey(newKey));
    expect(verifyBundle(copy(across), verifierKey(oldKey))).toMatchObject({ treeSize: 19, entriesVerified: 19, cosignedBy: ['committee.test/w2'] });
    expect(verifyBundle(copy(across), verifierKey(newKey)).treeSize).toBe(19);
    // A consistency section from a checkpoint of the old key verifies under the bundle's key history.
    const fromOld = { checkpoint: (await getCheckpoint(em, communityId, 10))!.note, proof: (await consistencyProof(em, communityId, 10, 19)).map(toHex) };
    expect(consistencyProblem(fromOld, across, across.checkpoint)).toBeUndefined();
    expect(consistencyProblem(fromOld, across.logVerifierKey, across.checkpoint)).toMatch(/signature/);
    const tampered = copy(across);
    tampered.logKeyRotations![0]!.announcement.payload = { ...tampered.logKeyRotations![0]!.announcement.payload, publicKey: 'AAAA' };
    expect(() => verifyBundle(tampered, verifierKey(oldKey))).toThrow(/announcement/);
    const files = [join(folder, 'before.json'), join(folder, 'across.json')];
    await writeFile(files[0]!, JSON.stringify(before));
    await writeFile(files[1]!, JSON.stringify(across));
    for (const file of files) {
      const outcome = await command('scripts/ledger/verify.ts', [file, '--log-key', verifierKey(oldKey)], {});
      expect(outcome).toMatchObject({ code: COMMAND_EXIT.ok, stdout: expect.stringContaining('OK:') });
    }
  });

  test('a checkpoint forged with the retired key after its retirement is refused by the bundle verifier and the audit', async () => {
    await appendMany(em, communityId, 2);
    const bundle = await exportBundle(em, { communityId, treeSize: 19, start: 19 });
    const head = (await em.execute('select tree_size, frontier from ledger_heads where community_id = ?', [communityId]))[0] as { tree_size: unknown; frontier: Uint8Array };
    const size = Number(head.tree_size);
    const { rootFromFrontier } = await import('../../src/ledger/merkle-tree.ts');
    const { splitHashes, toBytes } = await import('../../src/ledger/sql-values.ts');
    const root = rootFromFrontier(splitHashes(toBytes(head.frontier)));
    const body = formatCheckpointBody({ origin: oldKey.keyName, treeSize: size, rootHash: root, extensions: [] });
    const forged = formatNote(body, [signNoteText(body, oldKey.keyName, oldKey.privateKey)]);
    const withHistory = { ...copy(bundle), checkpoint: forged, logVerifierKey: verifierKey(oldKey), witnessVerifierKeys: [], range: { start: size, end: size }, entries: [] };
    expect(() => verifyBundle(withHistory, verifierKey(oldKey))).toThrow(/retired after tree size 14/);
    const { logKeyRotations: _dropped, ...withoutHistory } = withHistory;
    expect(() => verifyBundle(withoutHistory, verifierKey(newKey))).toThrow(/trusted/);
    const file = join(folder, 'forged.json');
    await writeFile(file, JSON.stringify(withHistory));
    const outcome = await command('scripts/ledger/verify.ts', [file, '--log-key', verifierKey(oldKey)], {});
    expect(outcome).toMatchObject({ code: COMMAND_EXIT.failed, stdout: expect.stringContaining('retired after tree size 14') });
    // Stored in the database (an INSERT the append-only tables allow), the audit names it.
    await em.execute('insert into ledger_checkpoints (community_id, tree_size, root_hash, note, created_at) values (?, ?, ?, ?, now())', [communityId, size, Buffer.from(root), forged]);
    const report = await auditLog(em, communityId);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{ kind: 'checkpoint', treeSize: size, message: expect.stringMatching(/checkpoint \d+: it is signed by log key [0-9a-f]{8}, retired after tree size 14/) }]);
  });
});
