/**
 * A worker thread that does the curve arithmetic of anonymous ballots for the ballot
 * verifier, so the request thread stays free for parsing, the cheap checks and the
 * database. It receives proofs through every check before the curve arithmetic as they
 * arrive, queues them, and whenever it is free checks what is queued as one batch (up to
 * `maxBatch` of one key), answering one verdict per proof: its points checked (on the
 * curve, not the identity, B in the prime-order subgroup), then one multi-pairing for the
 * proofs whose points are valid, and one pairing per proof only when the multi-pairing fails.
 */
import { parentPort } from 'node:worker_threads';
import * as snarkjs from 'snarkjs';
import type { Curve, Groth16VerificationKeyJson } from 'snarkjs';
// Only src/zk/pairing.ts: it loads no circomlibjs and so no native addon, which a worker
// thread must not load (see that file; test/governance/pairing-worker.test.ts checks it).
import { pointsAndPairings, type PointsAndPairingVerdict } from '../zk/pairing.ts';
import type { SignalCheckedProof } from '../zk/verifier.ts';

/**
 * Proofs for the thread's queue, as they arrive: each with its request id and the hash of
 * its verification key; `keys` carries a key the first time its hash is sent to this thread.
 */
export interface PairingRequest {
  proofs: Array<{ id: number; keyHash: string; proof: SignalCheckedProof }>;
  keys: Record<string, Groth16VerificationKeyJson>;
  /** Most proofs in one multi-pairing. */
  maxBatch: number;
}

/** One batch checked: a verdict (or the batch's error) per request id. */
export interface PairingResponse {
  ids: number[];
  verdicts?: PointsAndPairingVerdict[];
  error?: string;
}

/**
 * snarkjs's curve spawns its own web workers unless built single-threaded, and inside a
 * worker thread it cannot: build it single-threaded once and leave it where snarkjs (and
 * src/zk's getCurve) look for the shared curve.
 */
let curve: Promise<Curve> | undefined;
function singleThreadedCurve(): Promise<Curve> {
  const global = globalThis as { curve_bn128?: Curve | null };
  curve ??= snarkjs.curves.getCurveFromName('bn128', { singleThread: true }).then((built) => {
    global.curve_bn128 = built;
    return built;
  });
  return curve;
}

/** Sent by the verifier at shutdown: finish the batch in hand, close the port, exit. */
export interface PairingClose {
  close: true;
}

const keys = new Map<string, Groth16VerificationKeyJson>();
const queue: PairingRequest['proofs'] = [];
let maxBatch = 1;
let draining: Promise<void> | undefined;

/**
 * Checks the queue batch after batch: the batch is cut here, when the thread is free, so it
 * holds every proof that arrived while the previous one was checked (the messages that came
 * meanwhile are delivered before the setImmediate below runs) and no batch waits for the
 * request thread to collect a verdict and send the next one.
 */
async function drain(): Promise<void> {
  while (queue.length > 0) {
    await new Promise((resolve) => setImmediate(resolve));
    const keyHash = queue[0]!.keyHash;
    const batch: PairingRequest['proofs'] = [];
    for (let index = 0; index < queue.length && batch.length < maxBatch; ) {
      if (queue[index]!.keyHash === keyHash) batch.push(...queue.splice(index, 1));
      else index += 1;
    }
    const ids = batch.map((item) => item.id);
    try {
      await singleThreadedCurve();
      const verdicts = await pointsAndPairings(keys.get(keyHash)!, batch.map((item) => item.proof));
      parentPort!.postMessage({ ids, verdicts } satisfies PairingResponse);
    } catch (error) {
      parentPort!.postMessage({ ids, error: error instanceof Error ? error.message : String(error) } satisfies PairingResponse);
    }
  }
}

parentPort?.on('message', (message: PairingRequest | PairingClose) => {
  if ('close' in message) {
    // With the port closed and no timers, the thread's event loop ends and it exits by itself.
    void Promise.resolve(draining).then(() => parentPort!.close());
    return;
  }
  for (const [hash, key] of Object.entries(message.keys)) keys.set(hash, key);
  maxBatch = message.maxBatch;
  queue.push(...message.proofs);
  draining ??= drain().finally(() => (draining = undefined));
});
