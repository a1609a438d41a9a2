/**
 * Zero-knowledge figures: proving (depth 20, census of 10,000), strict one-by-one
 * verification, batch verification of 100 proofs, and census-tree insertion.
 * The batch uses re-randomised copies of real proofs (distinct, valid, and cheap).
 */
import { loadavg } from 'node:os';
import type { BenchFigure, BenchOptions, BenchSuite } from './bench-suite.ts';
import { median, timeEach } from './bench-suite.ts';
import { loadMembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { verifyMembershipBatch } from '../../src/zk/batch-verifier.ts';
import { terminateCurve } from '../../src/zk/curve.ts';
import { createIdentity, membershipLeaf } from '../../src/zk/identity.ts';
import { PoseidonMerkleTree } from '../../src/zk/merkle-tree.ts';
import { proveMembership } from '../../src/zk/prover.ts';
import type { MembershipProof } from '../../src/zk/prover.ts';
import { verifyMembershipProof } from '../../src/zk/verifier.ts';
import { rerandomizeProof } from '../../test/zk/support/membership-fixture.ts';

const CENSUS_SIZE = 10_000;
const BATCH_SIZE = 100;

function sizes(quick: boolean) {
  return quick
    ? { proofs: 3, verifications: 30, batches: 2, insertions: 1_000 }
    : { proofs: 10, verifications: BATCH_SIZE, batches: 5, insertions: CENSUS_SIZE };
}

async function run(options: BenchOptions): Promise<BenchFigure[]> {
  const size = sizes(options.quick);
  // Two shared cores: other work on the machine shows up in the proving time, so record it.
  const loadAverageAtStart = loadavg()[0]!;
  const artifacts = await loadMembershipArtifacts();
  const identity = await createIdentity();
  const attribute = 8_450n;
  const leaves = Array.from({ length: CENSUS_SIZE }, (_, index) => BigInt(index + 1) * 7_919n);
  const memberIndex = 6_789;
  leaves[memberIndex] = await membershipLeaf(identity.commitment, attribute);
  const bulkStart = performance.now();
  const census = await PoseidonMerkleTree.build(leaves);
  const bulkBuildMs = performance.now() - bulkStart;
  const merkleProof = await census.proof(memberIndex);
  const scope = 42n;
  const prove = (message: bigint) => proveMembership(artifacts, { secret: identity.secret, merkleProof, attribute, scope, message });

  const warmProof = await prove(0n); // builds the curve and warms the wasm
  const proofs: MembershipProof[] = [];
  const proveMs = await timeEach(size.proofs, async (index) => proofs.push(await prove(BigInt(index + 1))));

  const batch = await Promise.all(Array.from({ length: BATCH_SIZE }, (_, index) => rerandomizeProof(index % 2 === 0 ? warmProof : proofs[0]!)));
  const expectations = { roots: merkleProof.root, scope };
  const verifyMs = await timeEach(size.verifications, (index) =>
    verifyMembershipProof(artifacts.verificationKey, batch[index]!.proof, batch[index]!.publicSignals, expectations));
  const batchMs = await timeEach(size.batches, async () => {
    const results = await verifyMembershipBatch(artifacts.verificationKey, batch, expectations);
    if (!results.every((result) => result.valid)) throw new Error('Failed to benchmark: a batch proof did not verify');
  });

  const tree = await PoseidonMerkleTree.open();
  const insertMs = await timeEach(size.insertions, (index) => tree.insert(leaves[index]!));
  await terminateCurve();

  const oneByOnePerSecond = 1_000 / median(verifyMs);
  const batchPerSecond = (BATCH_SIZE * 1_000) / median(batchMs);
  const ratio = batchPerSecond / oneByOnePerSecond;
  return [
    {
      name: `proof generation, depth 20, census of ${CENSUS_SIZE}`, median: median(proveMs), unit: 'ms', samples: proveMs.length,
      target: '<= 1000', met: median(proveMs) <= 1_000, detail: { censusBulkBuildMs: Math.round(bulkBuildMs), loadAverageAtStart: Number(loadAverageAtStart.toFixed(2)) },
    },
    {
      name: 'strict verification, one by one', median: median(verifyMs), unit: 'ms', samples: verifyMs.length,
      detail: { proofsPerSecond: Number(oneByOnePerSecond.toFixed(1)) },
    },
    {
      name: `batch verification of ${BATCH_SIZE} proofs`, median: median(batchMs), unit: 'ms', samples: batchMs.length,
      target: '>= 3x one-by-one throughput', met: ratio >= 3,
      detail: { proofsPerSecond: Number(batchPerSecond.toFixed(1)), ratioToOneByOne: Number(ratio.toFixed(2)) },
    },
    {
      name: `census insertion, ${size.insertions} members one at a time`, median: median(insertMs), unit: 'ms per insert', samples: insertMs.length,
      detail: { totalMs: Math.round(insertMs.reduce((sum, value) => sum + value, 0)), insertsPerSecond: Math.round(1_000 / median(insertMs)) },
    },
  ];
}

export const suite: BenchSuite = { name: 'zk', run };
