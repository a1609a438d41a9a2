/**
 * Proofs at every declared depth: a proof verifies with the key of its depth and is
 * refused with the key of any other — by the depth check when its root is known at its
 * own depth, by the pairing when it claims a root of the key's depth. A census that grows
 * keeps its earlier roots checkable at their depth. One real proof per depth, made once.
 */
import { jest } from '@jest/globals';
import * as snarkjs from 'snarkjs';
import { loadMembershipArtifactsForDepth, loadMembershipKeyRing } from '../../src/zk/artifacts-node.ts';
import type { MembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { verifyMembershipBatch } from '../../src/zk/batch-verifier.ts';
import { terminateCurve } from '../../src/zk/curve.ts';
import { ProofRejectedError, ZkInputError } from '../../src/zk/errors.ts';
import { createIdentity, membershipLeaf, membershipNullifier } from '../../src/zk/identity.ts';
import type { Identity } from '../../src/zk/identity.ts';
import { membershipKeyRing } from '../../src/zk/membership-key.ts';
import type { KnownRoot, MembershipKeyRing } from '../../src/zk/membership-key.ts';
import { MEMBERSHIP_DEPTHS, smallestDeclaredDepthFor } from '../../src/zk/membership-depths.ts';
import { PoseidonMerkleTree, extendMerkleProof } from '../../src/zk/merkle-tree.ts';
import type { MerkleProof } from '../../src/zk/merkle-tree.ts';
import { proveMembership } from '../../src/zk/prover.ts';
import type { MembershipProof } from '../../src/zk/prover.ts';
import { verifyMembershipProof, verifyMembershipProofWithKeys } from '../../src/zk/verifier.ts';
import { buildMembershipInput } from '../../src/zk/witness.ts';
import { calculateWitness } from '../../src/zk/witness-calculator.ts';
import { rerandomizeProof } from './support/membership-fixture.ts';

/** A 小区 of 1,000 households: the census the benchmark proves against. */
const CENSUS_SIZE = 1_000;
const MEMBER_INDEX = 617;
const ATTRIBUTE = 1n;
const SCOPE = 31_337n;
const MESSAGE = 2n;

interface AtDepth {
  artifacts: MembershipArtifacts;
  /** The census's leaves in a tree of this depth. */
  root: bigint;
  merkleProof: MerkleProof;
  proof: MembershipProof;
}

let identity: Identity;
let leaves: bigint[];
let keys: MembershipKeyRing;
const byDepth = new Map<number, AtDepth>();
const at = (depth: number) => byDepth.get(depth)!;
const known = (depth: number): KnownRoot => ({ root: at(depth).root, depth });

beforeAll(async () => {
  identity = await createIdentity();
  leaves = Array.from({ length: CENSUS_SIZE }, (_, index) => BigInt(index + 1) * 7_919n);
  leaves[MEMBER_INDEX] = await membershipLeaf(identity.commitment, ATTRIBUTE);
  keys = await loadMembershipKeyRing();
  for (const depth of MEMBERSHIP_DEPTHS) {
    const artifacts = await loadMembershipArtifactsForDepth(depth);
    const tree = await PoseidonMerkleTree.build(leaves, depth);
    const merkleProof = await tree.proof(MEMBER_INDEX);
    const proof = await proveMembership(artifacts, { secret: identity.secret, merkleProof, attribute: ATTRIBUTE, scope: SCOPE, message: MESSAGE });
    byDepth.set(depth, { artifacts, root: await tree.root(), merkleProof, proof });
  }
}, 120_000);
afterAll(terminateCurve);

async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProofRejectedError || error instanceof ZkInputError) return error.code;
    throw error;
  }
  return 'ACCEPTED';
}

const otherDepths = (depth: number) => MEMBERSHIP_DEPTHS.filter((other) => other !== depth);

describe('depths', () => {
  it(`a census of ${CENSUS_SIZE} members proves at depth 10, the smallest declared depth that holds it`, () => {
    expect(smallestDeclaredDepthFor(CENSUS_SIZE)).toBe(10);
    expect(at(10).merkleProof.siblings).toHaveLength(10);
  });

  it('the same leaves have a different root at each depth', () => {
    expect(new Set(MEMBERSHIP_DEPTHS.map((depth) => at(depth).root)).size).toBe(MEMBERSHIP_DEPTHS.length);
  });
});

describe.each(MEMBERSHIP_DEPTHS.map((depth) => [depth]))('a proof made at depth %i', (depth) => {
  it('verifies with the key of its depth against its root named at that depth', async () => {
    const { proof, artifacts } = at(depth);
    expect(proof.publicSignals[1]).toBe(String(at(depth).root));
    const verified = await verifyMembershipProof(artifacts.membershipKey, proof.proof, proof.publicSignals, { roots: [known(depth)], scope: SCOPE, message: MESSAGE });
    expect(verified).toEqual({ nullifier: await membershipNullifier(SCOPE, identity.secret), root: at(depth).root, attribute: ATTRIBUTE, scope: SCOPE, message: MESSAGE });
  });

  it("is refused with DEPTH_MISMATCH by another depth's key while its root is known at its own depth", async () => {
    const { proof } = at(depth);
    for (const other of otherDepths(depth)) {
      const roots = MEMBERSHIP_DEPTHS.map(known);
      expect(await rejectionCode(verifyMembershipProof(at(other).artifacts.membershipKey, proof.proof, proof.publicSignals, { roots, scope: SCOPE }))).toBe('DEPTH_MISMATCH');
    }
  });

  it("fails the pairing of another depth's key when it claims that depth's root, and with the stock snarkjs check", async () => {
    const { proof } = at(depth);
    for (const other of otherDepths(depth)) {
      const claimed = [...proof.publicSignals];
      claimed[1] = String(at(other).root);
      const key = at(other).artifacts.membershipKey;
      expect(await rejectionCode(verifyMembershipProof(key, proof.proof, claimed, { roots: [known(other)], scope: SCOPE }))).toBe('INVALID_PROOF');
      expect(await snarkjs.groth16.verify(key.verificationKey, proof.publicSignals, proof.proof)).toBe(false);
      expect(await snarkjs.groth16.verify(key.verificationKey, claimed, proof.proof)).toBe(false);
    }
    // The same claim against its own key fails too: the root is part of the statement.
    const claimed = [...proof.publicSignals];
    claimed[1] = String(at(otherDepths(depth)[0]!).root);
    expect(await rejectionCode(verifyMembershipProof(at(depth).artifacts.membershipKey, proof.proof, claimed, { roots: [{ root: BigInt(claimed[1]), depth }], scope: SCOPE }))).toBe('INVALID_PROOF');
  });

  it('is verified with the key the key ring holds for the depth of its root', async () => {
    const { proof } = at(depth);
    // The roots as a one-shot iterator, as a database cursor might give them.
    const roots = (function* () {
      for (const each of MEMBERSHIP_DEPTHS) yield known(each);
    })();
    const verified = await verifyMembershipProofWithKeys(keys, proof.proof, proof.publicSignals, { roots, scope: SCOPE });
    expect(verified).toMatchObject({ depth, instance: `membership-${depth}`, root: at(depth).root });
  });
});

describe('key ring', () => {
  it('refuses a root it does not know, and a depth it holds no key for', async () => {
    const { proof } = at(10);
    expect(await rejectionCode(verifyMembershipProofWithKeys(keys, proof.proof, proof.publicSignals, { roots: [known(14)], scope: SCOPE }))).toBe('ROOT_UNKNOWN');
    const without10 = membershipKeyRing([...keys.values()].filter((key) => key.depth !== 10));
    expect(await rejectionCode(verifyMembershipProofWithKeys(without10, proof.proof, proof.publicSignals, { roots: [known(10)], scope: SCOPE }))).toBe('NO_KEY_FOR_DEPTH');
  });

  it('refuses two keys for one depth', () => {
    const key = keys.get(10)!;
    expect(() => membershipKeyRing([key, { ...key }])).toThrow(/two keys for depth 10/);
  });

  it('runs the cheap checks before choosing a key', async () => {
    const { proof } = at(10);
    expect(await rejectionCode(verifyMembershipProofWithKeys(keys, proof.proof, proof.publicSignals.slice(0, 4), { roots: [known(10)], scope: SCOPE }))).toBe('PUBLIC_SIGNAL_COUNT');
  });
});

describe('keys and roots that name their depth', () => {
  it('a bare snarkjs key cannot vouch for a root that names its depth; bare roots still verify with it', async () => {
    const { proof, artifacts } = at(10);
    expect(await rejectionCode(verifyMembershipProof(artifacts.verificationKey, proof.proof, proof.publicSignals, { roots: [known(10)], scope: SCOPE }))).toBe('VERIFICATION_KEY_INVALID');
    await expect(verifyMembershipProof(artifacts.verificationKey, proof.proof, proof.publicSignals, { roots: at(10).root, scope: SCOPE })).resolves.toBeDefined();
    await expect(verifyMembershipProof(artifacts.membershipKey, proof.proof, proof.publicSignals, { roots: [at(10).root], scope: SCOPE })).resolves.toBeDefined();
  });

  it('refuses a key whose depth is not a tree depth', async () => {
    const { proof, artifacts } = at(10);
    for (const depth of [0, 33, 10.5, Number.NaN]) {
      const key = { ...artifacts.membershipKey, depth };
      expect(await rejectionCode(verifyMembershipProof(key, proof.proof, proof.publicSignals, { roots: [at(10).root], scope: SCOPE }))).toBe('VERIFICATION_KEY_INVALID');
    }
  });
});

describe('a census that grows from depth 10 to depth 14', () => {
  it('proves at depth 14 from its depth-10 path lifted with zero siblings, and its depth-10 proofs stay verifiable at depth 10', async () => {
    const lifted = await extendMerkleProof(at(10).merkleProof, 14);
    expect(lifted.root).toBe(at(14).root);
    const grownProof = await proveMembership(at(14).artifacts, { secret: identity.secret, merkleProof: at(10).merkleProof, attribute: ATTRIBUTE, scope: SCOPE, message: MESSAGE });
    const roots = [known(10), known(14)];
    await expect(verifyMembershipProofWithKeys(keys, grownProof.proof, grownProof.publicSignals, { roots, scope: SCOPE })).resolves.toMatchObject({ depth: 14 });
    await expect(verifyMembershipProofWithKeys(keys, at(10).proof.proof, at(10).proof.publicSignals, { roots, scope: SCOPE })).resolves.toMatchObject({ depth: 10 });
  });
});

describe('proving with one witness calculator per circuit', () => {
  it('proves twice at once with the same artifacts, each proof bound to its own message', async () => {
    const request = { secret: identity.secret, merkleProof: at(10).merkleProof, attribute: ATTRIBUTE, scope: SCOPE };
    const [seven, eight] = await Promise.all([7n, 8n].map((message) => proveMembership(at(10).artifacts, { ...request, message })));
    for (const [proof, message] of [[seven!, 7n], [eight!, 8n]] as const) {
      await expect(verifyMembershipProof(at(10).artifacts.membershipKey, proof.proof, proof.publicSignals, { roots: [known(10)], scope: SCOPE, message })).resolves.toBeDefined();
    }
  });

  it('still proves after the calculator refused a witness', async () => {
    const input = await buildMembershipInput({ secret: identity.secret, merkleProof: at(10).merkleProof, attribute: ATTRIBUTE, scope: SCOPE, message: MESSAGE, depth: 10 });
    const mute = jest.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await expect(calculateWitness(at(10).artifacts.wasm, { ...input, root: String(at(10).root + 1n) })).rejects.toThrow(/Assert Failed/);
    } finally {
      mute.mockRestore();
    }
    const proof = await proveMembership(at(10).artifacts, { secret: identity.secret, merkleProof: at(10).merkleProof, attribute: ATTRIBUTE, scope: SCOPE, message: 9n });
    await expect(verifyMembershipProof(at(10).artifacts.membershipKey, proof.proof, proof.publicSignals, { roots: [known(10)], scope: SCOPE, message: 9n })).resolves.toBeDefined();
  });
});

describe('proving at a depth', () => {
  it('refuses a request for another depth than its artifacts, and a path deeper than the circuit', async () => {
    const request = { secret: identity.secret, merkleProof: at(10).merkleProof, attribute: ATTRIBUTE, scope: SCOPE, message: MESSAGE };
    expect(await rejectionCode(proveMembership(at(10).artifacts, { ...request, depth: 14 }))).toBe('DEPTH_MISMATCH');
    expect(await rejectionCode(proveMembership(at(10).artifacts, { ...request, merkleProof: at(14).merkleProof }))).toBe('DEPTH_MISMATCH');
  });
});

describe('batch verification at a depth', () => {
  let batch: MembershipProof[];

  beforeAll(async () => {
    batch = await Promise.all(Array.from({ length: 8 }, () => rerandomizeProof(at(10).proof)));
  });

  it('accepts a batch of depth-10 proofs with the depth-10 key, its roots given even as a one-shot iterator', async () => {
    const results = await verifyMembershipBatch(keys.get(10)!, batch, { roots: [known(10)], scope: SCOPE });
    expect(results.every((result) => result.valid)).toBe(true);
    const once = (function* () {
      yield known(10);
    })();
    const again = await verifyMembershipBatch(keys.get(10)!, batch, { roots: once, scope: SCOPE });
    expect(again.map((result) => result.valid)).toEqual(Array(8).fill(true));
  });

  it('refuses every proof of the batch with DEPTH_MISMATCH under the depth-14 key', async () => {
    const results = await verifyMembershipBatch(keys.get(14)!, batch, { roots: [known(10), known(14)], scope: SCOPE });
    expect(results.map((result) => (result.valid ? 'valid' : result.error.code))).toEqual(Array(8).fill('DEPTH_MISMATCH'));
  });

  it('singles out the proof of another depth in a mixed batch', async () => {
    const items = [batch[0]!, at(14).proof, batch[1]!];
    const results = await verifyMembershipBatch(keys.get(10)!, items, { roots: [known(10), known(14)], scope: SCOPE });
    expect(results.map((result) => (result.valid ? 'valid' : result.error.code))).toEqual(['valid', 'DEPTH_MISMATCH', 'valid']);
    // A depth-14 proof that claims the depth-10 root passes the cheap checks and fails in the pairing.
    const forged = { proof: at(14).proof.proof, publicSignals: [...at(14).proof.publicSignals] };
    forged.publicSignals[1] = String(at(10).root);
    const withForged = await verifyMembershipBatch(keys.get(10)!, [batch[0]!, forged, batch[1]!], { roots: [known(10)], scope: SCOPE });
    expect(withForged.map((result) => (result.valid ? 'valid' : result.error.code))).toEqual(['valid', 'INVALID_PROOF', 'valid']);
  });
});
