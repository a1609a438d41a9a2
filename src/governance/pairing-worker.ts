/**
 * A worker thread that does the curve arithmetic of anonymous ballots for the ballot
 * verifier, so the request thread stays free for parsing, the cheap checks and the
 * database. It receives proofs through every check before the curve arithmetic and
 * answers one verdict per proof: its points checked (on the curve, not the identity, B in
 * the prime-order subgroup), then one multi-pairing for the proofs whose points are
 * valid, and one pairing per proof only when the multi-pairing fails.
 */
import { parentPort } from 'node:worker_threads';
import * as snarkjs from 'snarkjs';
import type { Curve, Groth16VerificationKeyJson } from 'snarkjs';
// Only src/zk/pairing.ts: it loads no circomlibjs and so no native addon, which a worker
// thread must not load (see that file; test/governance/pairing-worker.test.ts checks it).
import { pointsAndPairings, type PointsAndPairingVerdict } from '../zk/pairing.ts';
import type { SignalCheckedProof } from '../zk/verifier.ts';

export interface PairingRequest {
  id: number;
  key: Groth16VerificationKeyJson;
  proofs: SignalCheckedProof[];
}

export interface PairingResponse {
  id: number;
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
      const verdicts = await pointsAndPairings(request.key, request.proofs);
      parentPort!.postMessage({ id: request.id, verdicts } satisfies PairingResponse);
    } catch (error) {
      parentPort!.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies PairingResponse);
    }
  })();
  checking.add(check);
  void check.finally(() => checking.delete(check));
});
