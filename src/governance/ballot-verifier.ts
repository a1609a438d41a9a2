/**
 * The curve arithmetic of arriving anonymous ballots, in small batches. A ballot's cheap
 * checks (sizes, field range, root, scope, message) run in its own request; its curve
 * points and its pairing are queued here (each proof's points are checked before it joins
 * a multi-pairing, and a proof with invalid points is refused with PROOF_POINT_INVALID), and the queue is drained in one multi-pairing of up to
 * `maxBatch` proofs of the same verification key (src/zk/batch-verifier.ts): n + 3 Miller
 * loops and one final exponentiation instead of 4n of each. Proofs that arrive while a
 * batch is being checked form the next batch, so under load the batches grow by
 * themselves and a lone ballot waits for no timer. When a batch fails, each of its proofs
 * is checked on its own, so one bad proof never refuses another ballot.
 *
 * With `worker: true` (the server's default) the batches are checked in a worker thread
 * (pairing-worker.ts), so the request thread keeps serving while a batch is checked and a
 * second core can take the pairings; otherwise on the request thread. The worker is sent
 * each turn's proofs as they arrive and cuts the batches itself, when it is free: the
 * next batch starts at once, not after the request thread has taken in the verdicts of
 * the last one and found time to send it.
 *
 * `mode: 'single'` checks each proof on its own (snarkjs groth16.verify), for comparison.
 */
import { Worker } from 'node:worker_threads';
import type { Groth16VerificationKeyJson } from 'snarkjs';
import { getCurve, loadProofPoints } from '../zk/curve.ts';
import { pairingHolds, pointsAndPairings, rejectionOf } from '../zk/pairing.ts';
import type { SignalCheckedProof } from '../zk/verifier.ts';
import type { PairingClose, PairingRequest, PairingResponse } from './pairing-worker.ts';

/** Most proofs in one multi-pairing: large enough to amortise, small enough to keep the p99 low. */
export const MAX_BALLOT_BATCH = 16;

interface Waiting {
  proof: SignalCheckedProof;
  resolve(holds: boolean): void;
  reject(error: unknown): void;
}

export class BallotVerifier {
  mode: 'batched' | 'single';
  readonly maxBatch: number;
  private readonly queues = new Map<string, { key: Groth16VerificationKeyJson; waiting: Waiting[]; draining: boolean }>();
  /** Batches checked and proofs in them, for the benchmark. */
  readonly stats = { batches: 0, proofs: 0 };

  private readonly useWorker: boolean;
  private worker: Worker | undefined;
  /** Keys (by hash) the current worker thread has been sent. */
  private keysSent = new Set<string>();
  private nextRequest = 0;
  private readonly inFlight = new Map<number, Waiting>();
  /** Proofs of this turn, sent to the worker together when it ends. */
  private outgoing: Array<{ id: number; keyHash: string; key: Groth16VerificationKeyJson; proof: SignalCheckedProof }> = [];

  constructor(options: { mode?: 'batched' | 'single'; maxBatch?: number; worker?: boolean } = {}) {
    this.mode = options.mode ?? 'batched';
    this.maxBatch = Math.max(1, Math.min(options.maxBatch ?? MAX_BALLOT_BATCH, 1024));
    this.useWorker = options.worker ?? false;
  }

  /**
   * Stops the worker thread (at shutdown); a later batch starts a new one. The worker is
   * asked to close its port and exit on its own, between batches, so no batch is cut off;
   * `terminate()` only if it has not exited within the grace. (The glibc heap assertions
   * once blamed on terminating it came from a native addon the thread loaded; see
   * src/zk/pairing.ts.)
   */
  async close(graceMs = 5_000): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    for (const waiting of this.inFlight.values()) waiting.reject(new Error('the ballot verifier was closed'));
    this.inFlight.clear();
    this.outgoing = [];
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ close: true } satisfies PairingClose);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    if ((await Promise.race([exited, grace])) === 'late') await worker.terminate();
    clearTimeout(timer);
  }

  private startWorker(): Worker {
    // snarkjs's web-worker shim takes over any worker thread it is loaded in and imports
    // `workerData.mod`: give it an empty module, so pairing-worker.ts keeps the thread.
    const worker = new Worker(new URL('./pairing-worker.ts', import.meta.url), {
      workerData: { mod: 'data:text/javascript,', name: 'ballot-pairing', type: 'module' },
    });
    worker.unref();
    worker.on('message', (response: PairingResponse) => {
      this.stats.batches += 1;
      this.stats.proofs += response.ids.length;
      response.ids.forEach((id, index) => {
        const waiting = this.inFlight.get(id);
        this.inFlight.delete(id);
        const verdict = response.verdicts?.[index];
        if (!verdict) waiting?.reject(new Error(`Failed to check pairings: ${response.error ?? 'no answer'}`));
        else if ('rejected' in verdict) waiting?.reject(rejectionOf(verdict.rejected));
        else waiting?.resolve(verdict.holds);
      });
    });
    worker.on('error', (error) => {
      for (const waiting of this.inFlight.values()) waiting.reject(error);
      this.inFlight.clear();
      if (this.worker === worker) this.worker = undefined;
    });
    this.keysSent = new Set();
    return worker;
  }

  /**
   * Queues the proof for the worker thread, which cuts the batches itself when it is free
   * (pairing-worker.ts). The proofs of one turn go in one message.
   */
  private verifyInWorker(keyHash: string, key: Groth16VerificationKeyJson, proof: SignalCheckedProof): Promise<boolean> {
    const id = this.nextRequest++;
    const pending = new Promise<boolean>((resolve, reject) => this.inFlight.set(id, { proof, resolve, reject }));
    if (this.outgoing.length === 0) setImmediate(() => this.sendOutgoing());
    this.outgoing.push({ id, keyHash, key, proof });
    return pending;
  }

  private sendOutgoing(): void {
    const outgoing = this.outgoing;
    this.outgoing = [];
    if (outgoing.length === 0) return; // closed meanwhile
    const worker = (this.worker ??= this.startWorker());
    const keys: PairingRequest['keys'] = {};
    for (const item of outgoing) {
      if (this.keysSent.has(item.keyHash)) continue;
      keys[item.keyHash] = item.key;
      this.keysSent.add(item.keyHash);
    }
    worker.postMessage({
      proofs: outgoing.map(({ id, keyHash, proof }) => ({ id, keyHash, proof })),
      keys,
      maxBatch: this.maxBatch,
    } satisfies PairingRequest);
  }

  /**
   * Whether the proof, already through every check before the curve arithmetic, satisfies
   * the pairing equation; rejects with a ProofRejectedError (PROOF_POINT_INVALID) when its
   * points are not valid points of the curve and subgroup.
   */
  async verify(keyHash: string, key: Groth16VerificationKeyJson, proof: SignalCheckedProof): Promise<boolean> {
    if (this.mode === 'single') return pairingHolds(key, { ...proof, points: loadProofPoints(await getCurve(), proof.parsedProof) });
    if (this.useWorker) return this.verifyInWorker(keyHash, key, proof);
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
          const proofs = batch.map((item) => item.proof);
          const verdicts = await pointsAndPairings(queue.key, proofs);
          batch.forEach((item, index) => {
            const verdict = verdicts[index];
            if (verdict && 'rejected' in verdict) item.reject(rejectionOf(verdict.rejected));
            else item.resolve(verdict?.holds === true);
          });
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
