/**
 * Proving time of the encrypted-weight ballot (issue 15) next to the plain membership proof,
 * in the same run: a census of 1,000 owners at depth 10 (the depth such a census proves at),
 * one warm-up proof of each, then rounds of one membership proof and one encrypted-ballot
 * proof in alternating order. The ratio is judged on the median of the per-round ratios
 * (both proofs made seconds apart), which other work on a shared machine disturbs less.
 *
 *   npm run bench -- --only encrypted-ballot [--quick]
 */
import { loadavg } from 'node:os';
import { BASE8, multiply, randomScalar } from '../../src/governance/encrypted-weights/baby-jubjub.ts';
import { loadEncryptedBallotArtifactsForDepth, loadMembershipArtifactsForDepth } from '../../src/zk/artifacts-node.ts';
import { proveEncryptedBallot, verifyEncryptedBallotProof } from '../../src/zk/encrypted-ballot.ts';
import { createIdentity, membershipLeaf } from '../../src/zk/identity.ts';
import { PoseidonMerkleTree } from '../../src/zk/merkle-tree.ts';
import { proveMembership } from '../../src/zk/prover.ts';
import { median, type BenchFigure, type BenchOptions, type BenchSuite } from './bench-suite.ts';

const DEPTH = 10;
const CENSUS = 1_000;
const MEMBER_INDEX = 421;
const AREA = 9_876n;
const SCOPE = 0xe1ec7n;
const TARGET_RATIO = 3;

async function run(options: BenchOptions): Promise<BenchFigure[]> {
  const rounds = options.quick ? 3 : 8;
  const loadAverageAtStart = loadavg()[0]!;
  const [membership, encrypted] = await Promise.all([
    loadMembershipArtifactsForDepth(DEPTH),
    loadEncryptedBallotArtifactsForDepth(DEPTH),
  ]);
  const identity = await createIdentity();
  const leaves = Array.from({ length: CENSUS }, (_, index) => BigInt(index + 10_000));
  leaves[MEMBER_INDEX] = await membershipLeaf(identity.commitment, AREA);
  const tree = await PoseidonMerkleTree.build(leaves, DEPTH);
  const merkleProof = await tree.proof(MEMBER_INDEX);
  const root = await tree.root();
  const electionKey = multiply(BASE8, randomScalar()).toAffine();

  const proveOne = (kind: 'membership' | 'encrypted', message: bigint) =>
    kind === 'membership'
      ? proveMembership(membership, { secret: identity.secret, merkleProof, attribute: AREA, scope: SCOPE, message })
      : proveEncryptedBallot(encrypted, {
          secret: identity.secret,
          merkleProof,
          area: AREA,
          scope: SCOPE,
          message,
          electionKey,
          randomness: randomScalar(),
        });
  const timed = async (kind: 'membership' | 'encrypted', message: bigint) => {
    const start = performance.now();
    const proof = await proveOne(kind, message);
    return { ms: performance.now() - start, proof };
  };

  // Warm-up: curve workers, witness calculators, key parsing.
  await proveOne('membership', 0n);
  const warm = await proveOne('encrypted', 0n);
  const verifyStart = performance.now();
  await verifyEncryptedBallotProof(encrypted.membershipKey, warm.proof, warm.publicSignals, {
    roots: [{ root, depth: DEPTH }],
    scope: SCOPE,
    message: 0n,
    electionKey,
  });
  const verifyMs = performance.now() - verifyStart;

  const membershipMs: number[] = [];
  const encryptedMs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order: Array<'membership' | 'encrypted'> =
      round % 2 === 0 ? ['membership', 'encrypted'] : ['encrypted', 'membership'];
    const times: Record<string, number> = {};
    for (const kind of order) times[kind] = (await timed(kind, BigInt(round + 1))).ms;
    membershipMs.push(times['membership']!);
    encryptedMs.push(times['encrypted']!);
    ratios.push(times['encrypted']! / times['membership']!);
  }
  const ratio = median(ratios);
  return [
    {
      name: `membership proof, depth ${DEPTH}, census of ${CENSUS}`,
      median: median(membershipMs),
      unit: 'ms',
      samples: membershipMs.length,
      detail: { instance: membership.instance, loadAverageAtStart: Number(loadAverageAtStart.toFixed(2)) },
    },
    {
      name: `encrypted-weight ballot proof, depth ${DEPTH}, census of ${CENSUS}`,
      median: median(encryptedMs),
      unit: 'ms',
      samples: encryptedMs.length,
      detail: {
        instance: encrypted.instance,
        strictVerifyMs: Math.round(verifyMs),
        ratioOfMedians: Number((median(encryptedMs) / median(membershipMs)).toFixed(2)),
      },
    },
    {
      name: 'encrypted-weight ballot / membership proving time (median of per-round ratios)',
      median: ratio,
      unit: '×',
      samples: ratios.length,
      target: `<= ${TARGET_RATIO}`,
      met: ratio <= TARGET_RATIO,
      detail: { loadAverageAtEnd: Number(loadavg()[0]!.toFixed(2)) },
    },
  ];
}

export const suite: BenchSuite = { name: 'encrypted-ballot', run };
