/**
 * The pairing check of arriving anonymous ballots, in small batches. A ballot's cheap
 * checks (sizes, field range, root, scope, message, curve points) run in its own request;
 * its pairing is queued here, and the queue is drained in one multi-pairing of up to
 * `maxBatch` proofs of the same verification key (src/zk/batch-verifier.ts): n + 3 Miller
 * loops and one final exponentiation instead of 4n of each. Proofs that arrive while a
 * batch is being checked form the next batch, so under load the batches grow by
 * themselves and a lone ballot waits for no timer. When a batch fails, each of its proofs
 * is checked on its own, so one bad proof never refuses another ballot.
 *
 * `mode: 'single'` checks each proof on its own (snarkjs groth16.verify), for comparison.
 */
import type { Groth16VerificationKeyJson } from 'snarkjs';
import { batchPairingHolds } from '../zk/batch-verifier.ts';
import { pairingHolds, type CheckedProof } from '../zk/verifier.ts';

/** Most proofs in one multi-pairing: large enough to amortise, small enough to keep the p99 low. */
export const MAX_BALLOT_BATCH = 16;

interface Waiting {
  proof: CheckedProof;
  resolve(holds: boolean): void;
  reject(error: unknown): void;
}

export class BallotVerifier {
  mode: 'batched' | 'single';
  readonly maxBatch: number;
  private readonly queues = new Map<string, { key: Groth16VerificationKeyJson; waiting: Waiting[]; draining: boolean }>();
  /** Batches checked and proofs in them, for the benchmark. */
  readonly stats = { batches: 0, proofs: 0 };

  constructor(options: { mode?: 'batched' | 'single'; maxBatch?: number } = {}) {
    this.mode = options.mode ?? 'batched';
    this.maxBatch = Math.max(1, Math.min(options.maxBatch ?? MAX_BALLOT_BATCH, 1024));
  }

  /** Whether the proof, already through every cheap check, satisfies the pairing equation. */
  pairingHolds(keyHash: string, key: Groth16VerificationKeyJson, proof: CheckedProof): Promise<boolean> {
    if (this.mode === 'single') return pairingHolds(key, proof);
    let queue = this.queues.get(keyHash);
    if (!queue) {
      queue = { key, waiting: [], draining: false };
      this.queues.set(keyHash, queue);
    }
    const pending = new Promise<boolean>((resolve, reject) => queue.waiting.push({ proof, resolve, reject }));
    if (!queue.draining) {
      queue.draining = true;
      // Let the requests already parsed in this turn join the first batch.
      setImmediate(() => void this.drain(keyHash));
    }
    return pending;
  }

  private async drain(keyHash: string): Promise<void> {
    const queue = this.queues.get(keyHash)!;
    try {
      while (queue.waiting.length > 0) {
        const batch = queue.waiting.splice(0, this.maxBatch);
        this.stats.batches += 1;
        this.stats.proofs += batch.length;
        try {
          const all = batch.length > 1 && (await batchPairingHolds(queue.key, batch.map((item) => item.proof)));
          for (const item of batch) item.resolve(all || (await pairingHolds(queue.key, item.proof)));
        } catch (error) {
          for (const item of batch) item.reject(error);
        }
        // Let newly arrived requests reach the queue before the next batch is cut.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      queue.draining = false;
      if (queue.waiting.length === 0) this.queues.delete(keyHash);
      else {
        queue.draining = true;
        setImmediate(() => void this.drain(keyHash));
      }
    }
  }
}
