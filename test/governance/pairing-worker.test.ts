/**
 * The ballot verifier's pairing worker thread (src/governance/pairing-worker.ts): it checks
 * the points and pairings of a batch of real proofs and refuses the bad ones in it (a
 * forged message fails the pairing, a point off the curve is PROOF_POINT_INVALID), it starts again after being
 * closed, and it loads no native addon. A native addon loaded by a second thread is what
 * crashed Jest workers with glibc heap assertions: circomlibjs's blake-hash keeps one
 * constructor reference in a C++ static and deletes the previous thread's reference each
 * time a thread loads it (src/zk/pairing.ts says more).
 */
import { Worker } from 'node:worker_threads';
import { BallotVerifier } from '../../src/governance/ballot-verifier.ts';
import type { MembershipProof } from '../../src/zk/prover.ts';
import { checkMembershipSignals, type SignalCheckedProof } from '../../src/zk/verifier.ts';
import { createCensusFixture, rerandomizeProof, type CensusFixture } from '../zk/support/membership-fixture.ts';

const SCOPE = 4_242n;
let census: CensusFixture;
let valid: MembershipProof[];
let other: MembershipProof;

beforeAll(async () => {
  census = await createCensusFixture({ depth: 10, size: 16, memberIndex: 5 });
  const yes = await census.prove(SCOPE, 1n);
  valid = await Promise.all([yes, ...Array.from({ length: 3 }, () => rerandomizeProof(yes))]);
  other = await census.prove(SCOPE, 2n);
}, 60_000);

// Every check before the curve arithmetic, as a ballot's request does them.
const check = async (proof: MembershipProof): Promise<SignalCheckedProof> =>
  checkMembershipSignals(census.artifacts.verificationKey, proof.proof, proof.publicSignals, { roots: census.merkleProof.root, scope: SCOPE });

const pairings = (verifier: BallotVerifier, proofs: SignalCheckedProof[]): Promise<boolean[]> =>
  Promise.all(proofs.map((proof) => verifier.verify('membership-10', census.artifacts.verificationKey, proof)));

describe('the pairing worker', () => {
  it('checks points and pairings in its thread, refuses the bad proofs of a batch, and starts again after being closed', async () => {
    const verifier = new BallotVerifier({ worker: true });
    // The proof of "yes" claiming "no": through every cheap check, fails only the pairing.
    const forged = await check({ proof: valid[1]!.proof, publicSignals: other.publicSignals });
    // pi_a moved off the curve: its coordinates are still in range, so only the thread's point check catches it.
    const [x, y] = valid[2]!.proof.pi_a;
    const offCurve = await check({ proof: { ...valid[2]!.proof, pi_a: [x!, String(BigInt(y!) + 1n), '1'] }, publicSignals: valid[2]!.publicSignals });
    const batch = [await check(valid[0]!), forged, await check(valid[2]!), offCurve];
    try {
      const settled = await Promise.allSettled(batch.map((proof) => verifier.verify('membership-10', census.artifacts.verificationKey, proof)));
      expect(settled.slice(0, 3).map((outcome) => outcome.status === 'fulfilled' && outcome.value)).toEqual([true, false, true]);
      expect(settled[3]).toMatchObject({ status: 'rejected', reason: { name: 'ProofRejectedError', code: 'PROOF_POINT_INVALID', message: expect.stringContaining('pi_a') } });
      expect(verifier.stats).toEqual({ batches: 1, proofs: 4 });
      await verifier.close();
      // A later batch starts a new thread: the second thread is the case that crashed.
      expect(await pairings(verifier, [await check(valid[3]!), await check(other)])).toEqual([true, true]);
    } finally {
      await verifier.close();
    }
  });

  it('loads no native addon in its thread', async () => {
    // A probe thread imports the worker module as the verifier starts it, then lists every
    // file its CommonJS loader holds: a native addon loaded through node-gyp-build is there.
    const target = new URL('../../src/governance/pairing-worker.ts', import.meta.url).href;
    const probe = `
      import { createRequire } from 'node:module';
      import { parentPort, workerData } from 'node:worker_threads';
      await import(workerData.target);
      parentPort.postMessage(Object.keys(createRequire(workerData.target).cache));
    `;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(probe)}`), {
      workerData: { mod: 'data:text/javascript,', name: 'ballot-pairing', type: 'module', target },
    });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const loaded = await new Promise<string[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    worker.postMessage({ close: true });
    await exited;
    // The list is real: snarkjs's curve code and web-worker shim are CommonJS files in it.
    expect(loaded.some((file) => file.includes('web-worker'))).toBe(true);
    expect(loaded.filter((file) => file.endsWith('.node') || /circomlibjs|blake-hash/.test(file))).toEqual([]);
  });
});
