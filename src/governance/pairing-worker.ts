/**
 * A worker thread that checks pairings for the ballot verifier, so the request thread
 * stays free for parsing, cheap checks and the database while a batch is checked. It
 * receives proofs that already passed every cheap check (points loaded and validated on
 * the request thread) and answers one boolean per proof: one multi-pairing for the batch,
 * and one pairing per proof only when the batch fails.
 */
import { parentPort } from 'node:worker_threads';
import * as snarkjs from 'snarkjs';
import type { Curve, Groth16VerificationKeyJson } from 'snarkjs';
// Only src/zk/pairing.ts: it loads no circomlibjs and so no native addon, which a worker
// thread must not load (see that file; test/governance/pairing-worker.test.ts checks it).
import { batchPairingHolds, pairingHolds } from '../zk/pairing.ts';
import type { CheckedProof } from '../zk/verifier.ts';

export interface PairingRequest {
  id: number;
  key: Groth16VerificationKeyJson;
  proofs: CheckedProof[];
}

export interface PairingResponse {
  id: number;
  holds?: boolean[];
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

const checking = new Set<Promise<void>>();

parentPort?.on('message', (message: PairingRequest | PairingClose) => {
  if ('close' in message) {
    // With the port closed and no timers, the thread's event loop ends and it exits by itself.
    void Promise.all(checking).then(() => parentPort!.close());
    return;
  }
  const request = message;
  const check = (async () => {
    try {
      await singleThreadedCurve();
      const all = request.proofs.length > 1 && (await batchPairingHolds(request.key, request.proofs));
      const holds: boolean[] = [];
      for (const proof of request.proofs) holds.push(all || (await pairingHolds(request.key, proof)));
      parentPort!.postMessage({ id: request.id, holds } satisfies PairingResponse);
    } catch (error) {
      parentPort!.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies PairingResponse);
    }
  })();
  checking.add(check);
  void check.finally(() => checking.delete(check));
});
