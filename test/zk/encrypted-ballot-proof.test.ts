/**
 * Real Groth16 proofs of the encrypted-weight ballot (issue 15) at depth 10, made once
 * for the file: the strict verifier accepts exactly the proof for the pinned root, scope,
 * message and election key, the ciphertext it returns decrypts to the leaf's area, and
 * every mismatch has its code. One more proof at depth 20 checks the committed set-up over
 * the 2^14 development ptau.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { BASE8, multiply, randomScalar } from '../../src/governance/encrypted-weights/baby-jubjub.ts';
import { decryptToPoint, encryptWeight, weightPoint } from '../../src/governance/encrypted-weights/elgamal.ts';
import { ptauPath } from '../../src/zk/artifact-paths.ts';
import { loadEncryptedBallotArtifactsForDepth, loadMembershipArtifactsForDepth, REPOSITORY_ROOT } from '../../src/zk/artifacts-node.ts';
import type { MembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { terminateCurve } from '../../src/zk/curve.ts';
import { proveEncryptedBallot, verifyEncryptedBallotProof } from '../../src/zk/encrypted-ballot.ts';
import type { EncryptedBallotExpectations, EncryptedBallotProof } from '../../src/zk/encrypted-ballot.ts';
import { createIdentity, membershipLeaf } from '../../src/zk/identity.ts';
import type { Identity } from '../../src/zk/identity.ts';
import { PoseidonMerkleTree } from '../../src/zk/merkle-tree.ts';
import { verifyMembershipProof } from '../../src/zk/verifier.ts';

const DEPTH = 10;
const AREA = 12_345n;
const SCOPE = 0xc0ffeen;
const MESSAGE = 1n;

let artifacts: MembershipArtifacts;
let identity: Identity;
let tree: PoseidonMerkleTree;
let root: bigint;
let ballot: EncryptedBallotProof;
const electionSecret = randomScalar();
const electionKey = multiply(BASE8, electionSecret);
const affineKey = electionKey.toAffine();
const randomness = randomScalar();

function expectations(overrides: Partial<EncryptedBallotExpectations> = {}): EncryptedBallotExpectations {
  return { roots: [{ root, depth: DEPTH }], scope: SCOPE, message: MESSAGE, electionKey: affineKey, ...overrides };
}

beforeAll(async () => {
  artifacts = await loadEncryptedBallotArtifactsForDepth(DEPTH);
  identity = await createIdentity();
  const leaves = Array.from({ length: 20 }, (_, index) => BigInt(index + 7));
  leaves[13] = await membershipLeaf(identity.commitment, AREA);
  tree = await PoseidonMerkleTree.build(leaves, DEPTH);
  root = await tree.root();
  ballot = await proveEncryptedBallot(artifacts, {
    secret: identity.secret,
    merkleProof: await tree.proof(13),
    area: AREA,
    scope: SCOPE,
    message: MESSAGE,
    electionKey: affineKey,
    randomness,
  });
}, 60_000);

afterAll(() => terminateCurve());

describe('encrypted-ballot proof', () => {
  it('verifies strictly, and its ciphertext is encryptWeight(area, PK, r) and decrypts to area · G', async () => {
    expect(artifacts.insecure).toBe(true);
    const signals = await verifyEncryptedBallotProof(
      artifacts.membershipKey,
      ballot.proof,
      ballot.publicSignals,
      expectations(),
    );
    const expected = encryptWeight(AREA, electionKey, randomness);
    expect([signals.c1, signals.c2]).toEqual([expected.c1.toAffine(), expected.c2.toAffine()]);
    expect(signals).toMatchObject({ root, scope: SCOPE, message: MESSAGE, electionKey: affineKey });
    expect(decryptToPoint(expected, electionSecret).equals(weightPoint(AREA))).toBe(true);
  });

  it('refuses another election key, scope, message, root or a used nullifier, each with its code', async () => {
    const otherKey = multiply(BASE8, randomScalar()).toAffine();
    const cases: Array<[Partial<EncryptedBallotExpectations>, string]> = [
      [{ electionKey: otherKey }, 'ELECTION_KEY_MISMATCH'],
      [{ scope: SCOPE + 1n }, 'SCOPE_MISMATCH'],
      [{ message: MESSAGE + 1n }, 'MESSAGE_MISMATCH'],
      [{ roots: [{ root: root + 1n, depth: DEPTH }] }, 'ROOT_UNKNOWN'],
      [{ roots: [{ root, depth: 14 }] }, 'DEPTH_MISMATCH'],
      [{ isNullifierUsed: () => true }, 'NULLIFIER_USED'],
    ];
    for (const [override, code] of cases) {
      await expect(
        verifyEncryptedBallotProof(artifacts.membershipKey, ballot.proof, ballot.publicSignals, expectations(override)),
      ).rejects.toMatchObject({ code });
    }
  });

  it('refuses a ciphertext swapped for another encryption (another weight) with INVALID_PROOF', async () => {
    // The same r and key with another area: a well-formed ciphertext the proof does not vouch for.
    const other = encryptWeight(AREA + 1n, electionKey, randomness);
    const signals = [...ballot.publicSignals];
    const { x, y } = other.c2.toAffine();
    signals[3] = x.toString();
    signals[4] = y.toString();
    await expect(
      verifyEncryptedBallotProof(artifacts.membershipKey, ballot.proof, signals, expectations()),
    ).rejects.toMatchObject({ code: 'INVALID_PROOF' });
  });

  it('refuses the key of another depth: as labelled (DEPTH_MISMATCH), and relabelled as this depth (INVALID_PROOF)', async () => {
    const deeper = await loadEncryptedBallotArtifactsForDepth(14);
    await expect(
      verifyEncryptedBallotProof(deeper.membershipKey, ballot.proof, ballot.publicSignals, expectations()),
    ).rejects.toMatchObject({ code: 'DEPTH_MISMATCH' });
    const relabelled = { instance: artifacts.instance, depth: DEPTH, verificationKey: deeper.verificationKey };
    await expect(
      verifyEncryptedBallotProof(relabelled, ballot.proof, ballot.publicSignals, expectations()),
    ).rejects.toMatchObject({ code: 'INVALID_PROOF' });
  });

  it('refuses the membership key of the same depth, and a proof of the plain membership circuit', async () => {
    const membership = await loadMembershipArtifactsForDepth(DEPTH);
    await expect(
      verifyEncryptedBallotProof(membership.membershipKey, ballot.proof, ballot.publicSignals, expectations()),
    ).rejects.toMatchObject({
      code: 'VERIFICATION_KEY_INVALID',
    });
    await expect(
      verifyMembershipProof(membership.membershipKey, ballot.proof, ballot.publicSignals, {
        roots: root,
        scope: SCOPE,
      }),
    ).rejects.toMatchObject({
      code: 'PUBLIC_SIGNAL_COUNT',
    });
  });

  it('proves and verifies at depth 20, set up over the committed 2^14 development ptau', async () => {
    const deep = await loadEncryptedBallotArtifactsForDepth(20);
    const setup = JSON.parse(await readFile(deep.paths.setupRecord, 'utf8')) as { insecure: boolean; ptau: string; ptauSha256: string; verificationKeyHash: string };
    expect(setup).toMatchObject({ insecure: true, ptau: 'pot14.insecure-dev.ptau', verificationKeyHash: deep.hashes.verificationKey });
    expect(createHash('sha256').update(await readFile(ptauPath(REPOSITORY_ROOT, 14))).digest('hex')).toBe(setup.ptauSha256);
    expect(deep.insecure).toBe(true);
    const deepTree = await PoseidonMerkleTree.build([await membershipLeaf(identity.commitment, AREA)], 20);
    const proof = await proveEncryptedBallot(deep, {
      secret: identity.secret, merkleProof: await deepTree.proof(0), area: AREA, scope: SCOPE, message: MESSAGE, electionKey: affineKey, randomness,
    });
    const signals = await verifyEncryptedBallotProof(deep.membershipKey, proof.proof, proof.publicSignals,
      expectations({ roots: [{ root: await deepTree.root(), depth: 20 }] }));
    expect(decryptToPoint(encryptWeight(AREA, electionKey, randomness), electionSecret).equals(weightPoint(AREA))).toBe(true);
    expect(signals.c2).toEqual(encryptWeight(AREA, electionKey, randomness).c2.toAffine());
    // The depth-10 proof does not verify against the depth-20 key.
    await expect(verifyEncryptedBallotProof(deep.membershipKey, ballot.proof, ballot.publicSignals, expectations())).rejects.toMatchObject({ code: 'DEPTH_MISMATCH' });
  }, 120_000);
});
