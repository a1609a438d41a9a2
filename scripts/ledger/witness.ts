/**
 * A witness that follows a community's log and cosigns its checkpoints, reading the log
 * from the database. It keeps its own state (the last checkpoint it cosigned and the
 * log's key, pinned on first use) in a file, so a server that rewrites history cannot
 * make it sign: every new checkpoint must carry a valid log signature and be proven
 * consistent with the state it last signed.
 *
 *   node scripts/ledger/witness.ts --community <uuid> --key-name NAME --private-key-file FILE
 *        [--state-file FILE] [--follow] [--interval-seconds 10]
 *
 * The private key file holds the 32-byte Ed25519 seed as base64. The witness's public
 * key must be registered for the community first (registerWitness).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { parseCheckpointBody } from '../../src/ledger/checkpoint.ts';
import { latestCheckpoint } from '../../src/ledger/checkpoints.ts';
import { cosignCheckpoint } from '../../src/ledger/cosignature.ts';
import { findLogKey } from '../../src/ledger/log-keys.ts';
import { fromHex, toHex } from '../../src/ledger/merkle-hash.ts';
import { verifyConsistency } from '../../src/ledger/proof-verifier.ts';
import { consistencyProof } from '../../src/ledger/proofs.ts';
import { noteHasValidSignature, parseNote } from '../../src/ledger/signed-note.ts';
import { submitCosignature } from '../../src/ledger/witnesses.ts';
import { openDatabase } from './open-database.ts';

interface WitnessState {
  logKeyName: string;
  logPublicKeyHex: string;
  treeSize: number;
  rootHashHex: string;
}

const { values } = parseArgs({
  options: {
    community: { type: 'string' },
    'key-name': { type: 'string' },
    'private-key-file': { type: 'string' },
    'state-file': { type: 'string' },
    follow: { type: 'boolean', default: false },
    'interval-seconds': { type: 'string', default: '10' },
  },
});
if (!values.community || !values['key-name'] || !values['private-key-file']) {
  process.stderr.write('usage: node scripts/ledger/witness.ts --community <uuid> --key-name NAME --private-key-file FILE [--state-file FILE] [--follow]\n');
  process.exit(2);
}
const communityId = values.community;
const keyName = values['key-name'];
const stateFile = values['state-file'] ?? `witness-${communityId}.json`;
const privateKey = new Uint8Array(Buffer.from((await readFile(values['private-key-file'], 'utf8')).trim(), 'base64'));
if (privateKey.length !== 32) throw new Error('the private key file must hold a 32-byte seed in base64');

async function readState(): Promise<WitnessState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile, 'utf8')) as WitnessState;
  } catch {
    return undefined;
  }
}

/** Checks and cosigns the latest checkpoint; returns a line for the log. */
async function step(em: SqlEntityManager): Promise<string> {
  const checkpoint = await latestCheckpoint(em, communityId);
  if (!checkpoint) return 'no checkpoint yet';
  let state = await readState();
  if (!state) {
    const logKey = (await findLogKey(em, communityId))!;
    // Trust on first use: the log key and the empty tree are the starting point.
    state = { logKeyName: logKey.keyName, logPublicKeyHex: toHex(logKey.publicKey), treeSize: 0, rootHashHex: '' };
  }
  const note = parseNote(checkpoint.note);
  if (!noteHasValidSignature(note, state.logKeyName, fromHex(state.logPublicKeyHex))) throw new Error(`checkpoint ${checkpoint.treeSize}: log signature does not verify`);
  const body = parseCheckpointBody(note.text);
  if (body.treeSize < state.treeSize) throw new Error(`checkpoint ${body.treeSize} is smaller than the cosigned ${state.treeSize}`);
  if (body.treeSize === state.treeSize && toHex(body.rootHash) === state.rootHashHex) return `checkpoint ${body.treeSize} already cosigned`;
  const proof = await consistencyProof(em, communityId, state.treeSize, body.treeSize);
  const oldRoot = state.treeSize === 0 ? body.rootHash : fromHex(state.rootHashHex);
  if (!verifyConsistency(state.treeSize, body.treeSize, oldRoot, body.rootHash, proof)) {
    throw new Error(`checkpoint ${body.treeSize} is NOT consistent with cosigned checkpoint ${state.treeSize}: refusing to cosign`);
  }
  const cosignature = cosignCheckpoint(note.text, keyName, privateKey, Math.floor(Date.now() / 1000));
  await submitCosignature(em, { communityId, treeSize: body.treeSize, cosignature });
  await writeFile(stateFile, JSON.stringify({ ...state, treeSize: body.treeSize, rootHashHex: toHex(body.rootHash) }, null, 2));
  return `cosigned checkpoint ${body.treeSize} (consistent with ${state.treeSize})`;
}

const orm = await openDatabase();
try {
  do {
    console.log(await step(orm.em.fork() as SqlEntityManager));
    if (values.follow) await new Promise((resolve) => setTimeout(resolve, Number(values['interval-seconds']) * 1000));
  } while (values.follow);
} catch (error) {
  console.error(`witness stopped: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await orm.close(true);
}
