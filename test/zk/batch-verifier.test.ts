import { getCurve } from '../../src/zk/curve.ts';
import { verifyMembershipBatch } from '../../src/zk/batch-verifier.ts';
import type { BatchProofItem } from '../../src/zk/batch-verifier.ts';
import type { MembershipProof } from '../../src/zk/prover.ts';
import { verifyMembershipProof } from '../../src/zk/verifier.ts';
import type { MembershipExpectations } from '../../src/zk/verifier.ts';
import { createCensusFixture, rerandomizeProof } from './support/membership-fixture.ts';
import type { CensusFixture } from './support/membership-fixture.ts';

const SCOPE = 9_001n;
let census: CensusFixture;
let expectations: MembershipExpectations;
let valid: MembershipProof[];

beforeAll(async () => {
  census = await createCensusFixture();
  expectations = { roots: census.merkleProof.root, scope: SCOPE };
  const forYes = await census.prove(SCOPE, 1n);
  const forNo = await census.prove(SCOPE, 2n);
  // 100 distinct valid proofs: re-randomised copies of two real ones.
  valid = await Promise.all(Array.from({ length: 100 }, (_, index) => rerandomizeProof(index % 2 === 0 ? forYes : forNo)));
}, 60_000);

const verifyBatch = (items: readonly BatchProofItem[]) => verifyMembershipBatch(census.artifacts.verificationKey, items, expectations);

describe('batch verification', () => {
  it('accepts 100 valid, distinct proofs in one multi-pairing', async () => {
    expect(new Set(valid.map((item) => JSON.stringify(item.proof))).size).toBe(100);
    await expect(verifyMembershipProof(census.artifacts.verificationKey, valid[3]!.proof, valid[3]!.publicSignals, expectations)).resolves.toBeDefined();
    const results = await verifyBatch(valid);
    expect(results).toHaveLength(100);
    expect(results.every((result) => result.valid)).toBe(true);
    expect(results.map((result) => (result.valid ? result.signals.message : undefined))).toEqual(valid.map((_, index) => (index % 2 === 0 ? 1n : 2n)));
  });

  it('identifies the one bad proof among 100 and still accepts the others', async () => {
    const items = [...valid];
    // Claims the other choice with the proof of "yes": passes every cheap check, fails the pairing.
    items[42] = { proof: valid[42]!.proof, publicSignals: valid[43]!.publicSignals };
    const results = await verifyBatch(items);
    const rejected = results.flatMap((result, index) => (result.valid ? [] : [[index, result.error.code]]));
    expect(rejected).toEqual([[42, 'INVALID_PROOF']]);
  });

  it('reports cheap failures per proof without a pairing, next to the valid ones', async () => {
    const items: BatchProofItem[] = [valid[0]!, { proof: valid[1]!.proof, publicSignals: [...valid[1]!.publicSignals, '0'] }, valid[2]!];
    const otherScope = await census.prove(SCOPE + 1n, 1n);
    items.push(otherScope);
    const results = await verifyBatch(items);
    expect(results.map((result) => (result.valid ? 'valid' : result.error.code))).toEqual(['valid', 'PUBLIC_SIGNAL_COUNT', 'valid', 'SCOPE_MISMATCH']);
  });

  it('rejects two invalid proofs whose errors would cancel in an unweighted sum', async () => {
    const curve = await getCurve();
    const shift = (proof: MembershipProof, point: Uint8Array): MembershipProof => {
      const c = curve.G1.toAffine(curve.G1.add(curve.G1.fromObject(proof.proof.pi_c.map(BigInt)), point));
      const [x, y] = (curve.G1 as unknown as { toObject(p: Uint8Array): bigint[] }).toObject(c);
      return { proof: { ...proof.proof, pi_c: [String(x), String(y), '1'] }, publicSignals: proof.publicSignals };
    };
    const offset = curve.G1.fromObject(census.artifacts.verificationKey.IC[1]!.map(BigInt));
    const items = [shift(valid[0]!, offset), shift(valid[2]!, curve.G1.neg(offset)), valid[4]!];
    const results = await verifyBatch(items);
    expect(results.map((result) => result.valid)).toEqual([false, false, true]);
  });

  it('returns no results for no proofs', async () => {
    await expect(verifyBatch([])).resolves.toEqual([]);
  });
});
