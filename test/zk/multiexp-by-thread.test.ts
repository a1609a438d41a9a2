/**
 * The provers' multi-exponentiation (src/zk/multiexp-by-thread.ts): on random points of
 * G1 and G2 it equals the sum of the scalar multiples computed one by one and
 * ffjavascript's own function; it sends each base and scalar to the curve's threads
 * once; and proofs made through it — several in a row, at two depths, and after the
 * curve is rebuilt — verify with the strict verifier, while a changed signal does not.
 */
import { randomBytes } from 'node:crypto';
import type { Curve, CurveGroup } from 'snarkjs';
import { getCurve, terminateCurve } from '../../src/zk/curve.ts';
import { hasMultiExpByThread, installMultiExpByThread } from '../../src/zk/multiexp-by-thread.ts';
import { verifyMembershipProof } from '../../src/zk/verifier.ts';
import { createCensusFixture, rejectionCode } from './support/membership-fixture.ts';

type MultiExpAffine = (bases: Uint8Array, scalars: Uint8Array) => Promise<Uint8Array>;

interface ThreadedCurve extends Curve {
  tm: { concurrency: number; queueAction(task: Array<{ buff?: Uint8Array }>, transfers?: unknown): Promise<unknown> };
}

const SCALAR_BYTES = 32;

let curve: ThreadedCurve;
/** ffjavascript's own functions, taken before the layer replaces them. */
const library = {} as Record<'G1' | 'G2', MultiExpAffine>;

/** `count` random affine points of the group and `count` random 32-byte scalars, some of them 0. */
function randomInput(group: CurveGroup, count: number): { bases: Uint8Array; scalars: Uint8Array } {
  const affineBytes = group.F.n8 * 2;
  const bases = new Uint8Array(count * affineBytes);
  const scalars = new Uint8Array(randomBytes(count * SCALAR_BYTES));
  for (let index = 0; index < count; index++) {
    bases.set(
      group.toAffine(group.timesScalar(group.g, new Uint8Array(randomBytes(SCALAR_BYTES)))),
      index * affineBytes,
    );
    if (index % 7 === 3) scalars.fill(0, index * SCALAR_BYTES, (index + 1) * SCALAR_BYTES);
  }
  return { bases, scalars };
}

/** Σ scalars[i]·bases[i], one scalar multiplication at a time: no multi-exponentiation involved. */
function oneByOne(group: CurveGroup, bases: Uint8Array, scalars: Uint8Array): Uint8Array {
  const affineBytes = group.F.n8 * 2;
  let sum = group.zero;
  for (let index = 0; index * affineBytes < bases.byteLength; index++) {
    const base = bases.slice(index * affineBytes, (index + 1) * affineBytes);
    sum = group.add(sum, group.timesScalar(base, scalars.slice(index * SCALAR_BYTES, (index + 1) * SCALAR_BYTES)));
  }
  return sum;
}

describe('multi-exponentiation split by points', () => {
  beforeAll(async () => {
    curve = (await getCurve()) as ThreadedCurve;
    if (hasMultiExpByThread(curve)) throw new Error('the curve already has the layer: this file needs a fresh one');
    library.G1 = curve.G1.multiExpAffine.bind(curve.G1);
    library.G2 = curve.G2.multiExpAffine.bind(curve.G2);
    installMultiExpByThread(curve);
  }, 60_000);

  // The proofs below start from a curve of their own, as a page's first proof does.
  afterAll(() => terminateCurve());

  // 1 and 255: one part; 513: two parts of unequal size (257 and 256 points).
  it.each([
    ['G1', 1],
    ['G1', 255],
    ['G1', 513],
    ['G2', 1],
    ['G2', 513],
  ] as const)(
    'in %s over %i points equals the scalar multiples added one by one, and ffjavascript',
    async (groupName, count) => {
      const group = curve[groupName];
      const { bases, scalars } = randomInput(group, count);
      const expected = oneByOne(group, bases, scalars);
      const result = await group.multiExpAffine(bases, scalars);
      expect(group.eq(result, expected)).toBe(true);
      expect(group.eq(await library[groupName](bases, scalars), expected)).toBe(true);
      // A different scalar gives a different sum: the comparison can fail.
      scalars[0] = scalars[0]! ^ 1;
      expect(group.eq(await group.multiExpAffine(bases, scalars), expected)).toBe(false);
    },
  );

  it('over no points is the group zero', async () => {
    expect(curve.G1.isZero(await curve.G1.multiExpAffine(new Uint8Array(0), new Uint8Array(0)))).toBe(true);
  });

  it('refuses scalars that do not divide evenly among the bases', async () => {
    const { bases } = randomInput(curve.G1, 3);
    await expect(curve.G1.multiExpAffine(bases, new Uint8Array(3 * SCALAR_BYTES + 1))).rejects.toThrow(
      'the scalars do not divide evenly among the bases',
    );
  });

  it('sends each base and scalar to the threads once, where ffjavascript sends them once per window', async () => {
    const { bases, scalars } = randomInput(curve.G1, 2_000);
    const threads = curve.tm;
    const queueAction = threads.queueAction;
    const sent = { bytes: 0, tasks: 0 };
    threads.queueAction = (task, transfers) => {
      sent.tasks += 1;
      for (const command of task) sent.bytes += command.buff?.byteLength ?? 0;
      return queueAction.call(threads, task, transfers);
    };
    try {
      const layered = await curve.G1.multiExpAffine(bases, scalars);
      expect(sent).toEqual({ bytes: bases.byteLength + scalars.byteLength, tasks: Math.min(threads.concurrency, 7) });
      sent.bytes = 0;
      expect(curve.G1.eq(await library.G1(bases, scalars), layered)).toBe(true);
      expect(sent.bytes).toBeGreaterThan(10 * (bases.byteLength + scalars.byteLength));
    } finally {
      threads.queueAction = queueAction;
    }
  }, 30_000);
});

describe('proofs made through it', () => {
  it.each([10, 20])(
    'at depth %i, three in a row, verify; with the message changed, one does not',
    async (depth) => {
      const census = await createCensusFixture({ depth, size: 40, memberIndex: 17 });
      const expectations = { roots: [census.merkleProof.root], scope: 5n, attribute: census.attribute };
      for (const message of [1n, 2n, 3n]) {
        const { proof, publicSignals } = await census.prove(5n, message);
        expect(hasMultiExpByThread(await getCurve())).toBe(true);
        const verified = await verifyMembershipProof(census.artifacts.verificationKey, proof, publicSignals, {
          ...expectations,
          message,
        });
        expect(verified.message).toBe(message);
        if (message === 3n) {
          const changed = [...publicSignals];
          changed[4] = '4';
          expect(
            await rejectionCode(verifyMembershipProof(census.artifacts.verificationKey, proof, changed, expectations)),
          ).toBe('INVALID_PROOF');
        }
      }
    },
    120_000,
  );

  it('is put on a curve rebuilt after the threads were stopped, and its proof verifies', async () => {
    await terminateCurve();
    const census = await createCensusFixture({ depth: 10, size: 5, memberIndex: 2 });
    const { proof, publicSignals } = await census.prove(9n, 1n);
    const rebuilt = await getCurve();
    expect(rebuilt).not.toBe(curve);
    expect(hasMultiExpByThread(rebuilt)).toBe(true);
    await expect(
      verifyMembershipProof(census.artifacts.verificationKey, proof, publicSignals, {
        roots: [census.merkleProof.root],
        scope: 9n,
      }),
    ).resolves.toMatchObject({ message: 1n });
  }, 60_000);
});
