/**
 * A witness that follows a community's log over the GraphQL API and cosigns its
 * checkpoints. It keeps its own state — the log's key, pinned on first use, and the last
 * checkpoint it cosigned — in a file, so a server that rewrites history cannot make it
 * sign: every new checkpoint must carry a valid log signature and be proven consistent,
 * by a proof this process verifies, with the checkpoint it last cosigned.
 *
 *   node scripts/ledger/witness.ts --url https://courtyard.example.org --token-file TOKEN
 *        --community <Community global id> --key-name NAME --private-key-file SEED
 *        [--state-file FILE] [--follow] [--interval-seconds 10] [--rounds N]
 *
 * TOKEN holds a bearer token of a committee member of the community or a regulator over
 * it; SEED holds the witness's 32-byte Ed25519 seed in base64. Register the public key
 * first with the `registerWitnessKey` mutation. When the log's key rotates, the witness
 * moves its pin to the new key only after checking the announcement
 * (`ledger.log-key-rotated`, naming the pinned key as the previous one) is the last entry
 * of a checkpoint signed by the pinned key and consistent with its state; a checkpoint
 * signed by a key it cannot reach that way is refused. Without --follow it runs one round;
 * with --follow it runs until stopped, or for --rounds rounds.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseCheckpointBody } from '../../src/ledger/checkpoint.ts';
import { cosignCheckpoint } from '../../src/ledger/cosignature.ts';
import { entryLeafBytes, type JsonObject } from '../../src/ledger/entry-encoding.ts';
import { LOG_KEY_ROTATED } from '../../src/ledger/log-key-rotation.ts';
import { fromHex, leafHash, toHex } from '../../src/ledger/merkle-hash.ts';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/proof-verifier.ts';
import { ed25519PublicKeyProblem, keyHash, noteHasValidSignature, parseNote, SIGNATURE_TYPE_ED25519 } from '../../src/ledger/signed-note.ts';

interface WitnessState {
  logKeyName: string;
  logPublicKeyHex: string;
  treeSize: number;
  rootHashHex: string;
}

/** Bounds on one request and on the polling interval. */
const REQUEST_TIMEOUT_MS = 30_000;
const MIN_INTERVAL_SECONDS = 1;

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'token-file': { type: 'string' },
    community: { type: 'string' },
    'key-name': { type: 'string' },
    'private-key-file': { type: 'string' },
    'state-file': { type: 'string' },
    follow: { type: 'boolean', default: false },
    'interval-seconds': { type: 'string', default: '10' },
    rounds: { type: 'string' },
  },
});
if (!values.url || !values['token-file'] || !values.community || !values['key-name'] || !values['private-key-file']) {
  process.stderr.write(
    'usage: node scripts/ledger/witness.ts --url URL --token-file FILE --community ID --key-name NAME --private-key-file FILE ' +
      '[--state-file FILE] [--follow] [--interval-seconds 10] [--rounds N]\n',
  );
  process.exit(2);
}
const endpoint = new URL('/graphql', values.url).toString();
const communityId = values.community;
const keyName = values['key-name'];
const stateFile = values['state-file'] ?? `witness-state.json`;
const token = (await readFile(values['token-file'], 'utf8')).trim();
const privateKey = new Uint8Array(Buffer.from((await readFile(values['private-key-file'], 'utf8')).trim(), 'base64'));
if (privateKey.length !== 32) throw new Error('the private key file must hold a 32-byte seed in base64');
const intervalMs = Math.max(Number(values['interval-seconds']), MIN_INTERVAL_SECONDS) * 1000;
const rounds = values.follow ? (values.rounds ? Number(values.rounds) : Number.POSITIVE_INFINITY) : 1;

async function graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(endpoint, {
    method: 'POST',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (result.errors?.length || !result.data) {
    throw new Error(`server answered: ${result.errors?.map((error) => `${error.extensions?.code ?? 'ERROR'} ${error.message}`).join('; ')}`);
  }
  return result.data;
}

async function readState(): Promise<WitnessState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile, 'utf8')) as WitnessState;
  } catch {
    return undefined;
  }
}

async function writeState(state: WitnessState): Promise<void> {
  // Write then rename, so a crash never leaves a half-written state file.
  await writeFile(`${stateFile}.tmp`, JSON.stringify(state, null, 2));
  await rename(`${stateFile}.tmp`, stateFile);
}

interface LatestAnswer {
  ledgerLog: { origin: string; publicKey: string } | null;
  latestCheckpoint: { treeSize: string; note: string } | null;
}

const MAX_ROTATIONS_PER_ROUND = 10;

interface EntryNode {
  seq: string;
  type: string;
  payload: string;
  actor: string;
  time: string;
}

/** Verifies a consistency proof between two roots this process holds. */
async function proveConsistent(fromSize: number, fromRoot: Uint8Array, toSize: number, toRoot: Uint8Array): Promise<boolean> {
  const proof = await graphql<{ consistencyProof: { hashes: string[] } }>(
    `query ($c: ID!, $from: BigInt!, $to: BigInt!) { consistencyProof(communityId: $c, fromSize: $from, toSize: $to) { hashes } }`,
    { c: communityId, from: String(fromSize), to: String(toSize) },
  );
  return verifyConsistency(fromSize, toSize, fromSize === 0 ? toRoot : fromRoot, toRoot, proof.consistencyProof.hashes.map(fromHex));
}

/**
 * The state pinned to the pinned key's successor, or undefined when the log announced
 * none. The announcement must be the last entry of a checkpoint signed by the pinned key
 * (its last), which extends this witness's state; the new key must be the announced one.
 */
async function followRotation(state: WitnessState): Promise<WitnessState | undefined> {
  const pinnedId = toHex(keyHash(state.logKeyName, SIGNATURE_TYPE_ED25519, fromHex(state.logPublicKeyHex)));
  const answer = await graphql<{ ledgerEntries: { edges: Array<{ node: EntryNode }> } }>(
    `query ($c: ID!, $t: String!) { ledgerEntries(communityId: $c, type: $t, first: 100) { edges { node { seq type payload actor time } } } }`,
    { c: communityId, t: LOG_KEY_ROTATED },
  );
  const entry = answer.ledgerEntries.edges.map((edge) => edge.node).find((node) => (JSON.parse(node.payload) as { previousKeyId?: unknown }).previousKeyId === pinnedId);
  if (!entry) return undefined;
  const seq = Number(entry.seq);
  const payload = JSON.parse(entry.payload) as JsonObject & { keyId: string; publicKey: string };
  const lastSize = seq + 1;
  const checkpoint = await graphql<{ checkpoint: { note: string } | null }>(`query ($c: ID!, $s: BigInt!) { checkpoint(communityId: $c, treeSize: $s) { note } }`, {
    c: communityId,
    s: String(lastSize),
  });
  if (!checkpoint.checkpoint) throw new Error(`log key rotation at seq ${seq}: no checkpoint of size ${lastSize}`);
  const note = parseNote(checkpoint.checkpoint.note);
  if (!noteHasValidSignature(note, state.logKeyName, fromHex(state.logPublicKeyHex))) throw new Error(`log key rotation at seq ${seq}: checkpoint ${lastSize} is not signed by the pinned key`);
  const body = parseCheckpointBody(note.text);
  if (body.treeSize < state.treeSize || !(await proveConsistent(state.treeSize, fromHex(state.rootHashHex), body.treeSize, body.rootHash))) {
    throw new Error(`log key rotation at seq ${seq}: checkpoint ${lastSize} is NOT consistent with cosigned checkpoint ${state.treeSize}`);
  }
  const inclusion = await graphql<{ inclusionProof: { hashes: string[] } }>(
    `query ($c: ID!, $q: BigInt!, $s: BigInt!) { inclusionProof(communityId: $c, seq: $q, treeSize: $s) { hashes } }`,
    { c: communityId, q: entry.seq, s: String(lastSize) },
  );
  const leaf = leafHash(entryLeafBytes({ seq, type: entry.type, payload, actor: entry.actor, time: new Date(entry.time) }));
  if (entry.type !== LOG_KEY_ROTATED || !verifyInclusion(seq, lastSize, leaf, inclusion.inclusionProof.hashes.map(fromHex), body.rootHash)) {
    throw new Error(`log key rotation at seq ${seq}: the announcement is not in checkpoint ${lastSize}`);
  }
  const publicKey = new Uint8Array(Buffer.from(payload.publicKey, 'base64'));
  if (ed25519PublicKeyProblem(publicKey) || toHex(keyHash(state.logKeyName, SIGNATURE_TYPE_ED25519, publicKey)) !== payload.keyId) {
    throw new Error(`log key rotation at seq ${seq}: the announced key does not match its id`);
  }
  console.log(`log key rotated at seq ${seq}: ${pinnedId} signed up to ${lastSize}, now pinned to ${payload.keyId}`);
  return { logKeyName: state.logKeyName, logPublicKeyHex: toHex(publicKey), treeSize: body.treeSize, rootHashHex: toHex(body.rootHash) };
}

/** Checks and cosigns the latest checkpoint; returns a line for the log. */
async function step(): Promise<string> {
  const latest = await graphql<LatestAnswer>(
    `query ($c: ID!) { ledgerLog(communityId: $c) { origin publicKey } latestCheckpoint(communityId: $c) { treeSize note } }`,
    { c: communityId },
  );
  if (!latest.ledgerLog) throw new Error('the community has no log');
  if (!latest.latestCheckpoint) return 'no checkpoint yet';
  // Trust on first use: the log key and the empty tree are the starting point.
  const pinned = (await readState()) ?? {
    logKeyName: latest.ledgerLog.origin,
    logPublicKeyHex: latest.ledgerLog.publicKey,
    treeSize: 0,
    rootHashHex: '',
  };
  const note = parseNote(latest.latestCheckpoint.note);
  let state = pinned;
  for (let rotations = 0; !noteHasValidSignature(note, state.logKeyName, fromHex(state.logPublicKeyHex)); rotations++) {
    const followed = rotations < MAX_ROTATIONS_PER_ROUND ? await followRotation(state) : undefined;
    if (!followed) throw new Error(`checkpoint ${latest.latestCheckpoint.treeSize}: log signature does not verify against the pinned key`);
    state = followed;
  }
  if (state !== pinned) await writeState(state);
  const body = parseCheckpointBody(note.text);
  if (body.treeSize < state.treeSize) throw new Error(`checkpoint ${body.treeSize} is smaller than the cosigned ${state.treeSize}`);
  if (body.treeSize === state.treeSize && toHex(body.rootHash) === state.rootHashHex) return `checkpoint ${body.treeSize} already cosigned`;
  const proof = await graphql<{ consistencyProof: { hashes: string[] } }>(
    `query ($c: ID!, $from: BigInt!, $to: BigInt!) { consistencyProof(communityId: $c, fromSize: $from, toSize: $to) { hashes } }`,
    { c: communityId, from: String(state.treeSize), to: String(body.treeSize) },
  );
  // The proof is checked against the roots this witness holds: its own and the signed one.
  const oldRoot = state.treeSize === 0 ? body.rootHash : fromHex(state.rootHashHex);
  if (!verifyConsistency(state.treeSize, body.treeSize, oldRoot, body.rootHash, proof.consistencyProof.hashes.map(fromHex))) {
    throw new Error(`checkpoint ${body.treeSize} is NOT consistent with cosigned checkpoint ${state.treeSize}: refusing to cosign`);
  }
  const timestampSeconds = Math.floor(Date.now() / 1000);
  const cosignature = cosignCheckpoint(note.text, keyName, privateKey, timestampSeconds);
  const answer = await graphql<{ cosignCheckpoint: { __typename: string; code?: string; message?: string; data?: { final: boolean } } }>(
    `mutation ($c: ID!, $size: BigInt!, $key: String!, $time: BigInt!, $signature: Hex!) {
      cosignCheckpoint(communityId: $c, treeSize: $size, keyName: $key, timestampSeconds: $time, signature: $signature) {
        __typename
        ... on MutationCosignCheckpointSuccess { data { final } }
        ... on Error { code message }
      }
    }`,
    { c: communityId, size: String(body.treeSize), key: keyName, time: String(timestampSeconds), signature: toHex(cosignature.signature) },
  );
  if (!answer.cosignCheckpoint.data) {
    throw new Error(`cosignature refused: ${answer.cosignCheckpoint.code} ${answer.cosignCheckpoint.message}`);
  }
  await writeState({ ...state, treeSize: body.treeSize, rootHashHex: toHex(body.rootHash) });
  const final = answer.cosignCheckpoint.data.final ? ', now final' : '';
  return `cosigned checkpoint ${body.treeSize} (consistent with ${state.treeSize})${final}`;
}

try {
  for (let round = 1; round <= rounds; round++) {
    console.log(await step());
    if (round < rounds) await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
} catch (error) {
  console.error(`witness stopped: ${(error as Error).message}`);
  process.exitCode = 1;
}
