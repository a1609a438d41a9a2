/**
 * Witness tests of circuits/encrypted-ballot.circom (issue 15): the ciphertext the circuit
 * outputs must be exactly what src/governance/encrypted-weights/elgamal.ts encryptWeight
 * computes (a different implementation: @noble/curves' Baby Jubjub), for random r, r close
 * to l, and areas at both ends of the 40-bit range; and the circuit must refuse an area
 * other than the leaf's, an area or a randomness out of range.
 */
import { jest } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import * as snarkjs from 'snarkjs';
import { domainPower } from '../../scripts/zk/build-circuits.ts';
import { BASE8, SUBGROUP_ORDER, multiply, randomScalar } from '../../src/governance/encrypted-weights/baby-jubjub.ts';
import { encryptWeight, MAX_ENCRYPTED_WEIGHT } from '../../src/governance/encrypted-weights/elgamal.ts';
import type { CurvePoint } from '../../src/governance/encrypted-weights/baby-jubjub.ts';
import { readCircuitManifest, REPOSITORY_ROOT } from '../../src/zk/artifacts-node.ts';
import { developmentSetupPaths } from '../../src/zk/artifact-paths.ts';
import {
  BABY_JUBJUB_SUBGROUP_ORDER,
  ENCRYPTED_BALLOT_PUBLIC_SIGNALS,
  MAX_ENCRYPTED_BALLOT_AREA,
  buildEncryptedBallotInput,
  encryptedBallotInstanceForDepth,
} from '../../src/zk/encrypted-ballot.ts';
import { SNARK_SCALAR_FIELD } from '../../src/zk/field.ts';
import { createIdentity, membershipLeaf, membershipNullifier } from '../../src/zk/identity.ts';
import type { Identity } from '../../src/zk/identity.ts';
import { MEMBERSHIP_DEPTHS } from '../../src/zk/membership-depths.ts';
import { PoseidonMerkleTree } from '../../src/zk/merkle-tree.ts';
import { readR1csHeader } from '../../src/zk/r1cs-header.ts';
import { calculateWitness } from '../../src/zk/witness-calculator.ts';

/**
 * Pinned: the membership template at the same depth (3,114 / 4,082 / 5,534) plus 3,444
 * for the range checks, r < l, r ≠ 0, r·Base8, area·Base8, r·PK and the final addition.
 */
const PINNED: Record<number, { constraints: number; domainPower: number }> = {
  10: { constraints: 6_558, domainPower: 13 },
  14: { constraints: 7_526, domainPower: 13 },
  20: { constraints: 8_978, domainPower: 14 },
};

const DEPTH = 10;
const SCOPE = 0xba11075n;
const MESSAGE = 2n;
const quietLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

type Input = Record<string, string | string[]>;

let wasm: Uint8Array;
let r1csPath: string;
let identity: Identity;
let tree: PoseidonMerkleTree;
const electionSecret = randomScalar();
const electionKey: CurvePoint = multiply(BASE8, electionSecret);
const affineKey = electionKey.toAffine();
/** Leaf 5 holds the smallest area, leaf 6 the largest, leaf 7 an ordinary one. */
const AREAS: ReadonlyMap<number, bigint> = new Map([
  [5, 0n],
  [6, MAX_ENCRYPTED_WEIGHT],
  [7, 8_765n],
]);

beforeAll(async () => {
  const paths = developmentSetupPaths(REPOSITORY_ROOT, encryptedBallotInstanceForDepth(DEPTH));
  wasm = new Uint8Array(await readFile(paths.wasm));
  r1csPath = paths.r1cs;
  identity = await createIdentity();
  const leaves = Array.from({ length: 8 }, (_, index) => BigInt(index + 100));
  for (const [index, area] of AREAS) leaves[index] = await membershipLeaf(identity.commitment, area);
  tree = await PoseidonMerkleTree.build(leaves, DEPTH);
});

async function validInput(leafIndex: number, randomness: bigint): Promise<Input> {
  return buildEncryptedBallotInput({
    secret: identity.secret,
    merkleProof: await tree.proof(leafIndex),
    area: AREAS.get(leafIndex)!,
    scope: SCOPE,
    message: MESSAGE,
    electionKey: affineKey,
    randomness,
    depth: DEPTH,
  });
}

async function witness(input: Input): Promise<{ values: bigint[]; file: { type: 'mem'; data?: Uint8Array } }> {
  // One compiled witness calculator for the whole file, as the prover uses it.
  const file: { type: 'mem'; data?: Uint8Array } = { type: 'mem', data: await calculateWitness(wasm, input) };
  return { values: await snarkjs.wtns.exportJson(file), file };
}

async function witnessFails(input: Input): Promise<void> {
  const mute = jest.spyOn(console, 'error').mockImplementation(() => {});
  try {
    await expect(witness(input)).rejects.toThrow(/Assert Failed|Error in template/);
  } finally {
    mute.mockRestore();
  }
}

function coordinates(point: CurvePoint): bigint[] {
  const { x, y } = point.toAffine();
  return [x, y];
}

describe('encrypted-ballot circuit', () => {
  it.each(MEMBERSHIP_DEPTHS.map((depth) => [depth]))(
    'has the pinned constraint count, 5 outputs and 5 public inputs, and the pinned domain at depth %i',
    async (depth) => {
      const instance = encryptedBallotInstanceForDepth(depth);
      const header = readR1csHeader(await readFile(developmentSetupPaths(REPOSITORY_ROOT, instance).r1cs));
      expect(header.constraints).toBe(PINNED[depth]!.constraints);
      expect(header.publicOutputs).toBe(5);
      expect(header.publicInputs).toBe(5);
      expect(header.prime).toBe(SNARK_SCALAR_FIELD);
      const power = domainPower(header.constraints, ENCRYPTED_BALLOT_PUBLIC_SIGNALS.length);
      expect(power).toBe(PINNED[depth]!.domainPower);
      const declared = (await readCircuitManifest())[instance]!;
      expect(declared).toMatchObject({
        file: 'encrypted-ballot',
        template: 'EncryptedBallot',
        params: [depth],
        publicSignals: [...ENCRYPTED_BALLOT_PUBLIC_SIGNALS],
      });
      expect(declared.powersOfTau).toBeGreaterThanOrEqual(power);
    },
  );

  it('names the same subgroup order as the Baby Jubjub module', () => {
    expect(BABY_JUBJUB_SUBGROUP_ORDER).toBe(SUBGROUP_ORDER);
    expect(MAX_ENCRYPTED_BALLOT_AREA).toBe(MAX_ENCRYPTED_WEIGHT);
  });

  it('outputs encryptWeight(area, PK, r) for random r, r = 1, r close to l, and areas 0, 2^40 − 1 and between', async () => {
    const randomnesses = [randomScalar(), randomScalar(), 1n, SUBGROUP_ORDER - 1n, SUBGROUP_ORDER - 1_000_003n];
    let checked = false;
    for (const [leafIndex, area] of AREAS) {
      for (const randomness of randomnesses) {
        const { values, file } = await witness(await validInput(leafIndex, randomness));
        const { c1, c2 } = encryptWeight(area, electionKey, randomness);
        // Witness 0 is the constant 1; then the public signals in snarkjs order.
        expect([leafIndex, randomness, values.slice(1, 11)]).toEqual([
          leafIndex,
          randomness,
          [
            await membershipNullifier(SCOPE, identity.secret),
            ...coordinates(c1),
            ...coordinates(c2),
            await tree.root(),
            SCOPE,
            MESSAGE,
            affineKey.x,
            affineKey.y,
          ],
        ]);
        if (!checked) {
          // Once: every constraint of the r1cs holds for this witness (slow, so not for each).
          expect(await snarkjs.wtns.check(r1csPath, file, quietLogger)).toBe(true);
          checked = true;
        }
      }
    }
  });

  it('refuses an area other than the leaf’s, even by one', async () => {
    const input = await validInput(7, randomScalar());
    await witnessFails({ ...input, area: '8766' });
    await witnessFails({ ...input, area: '0' });
  });

  it('refuses an area of 2^40 or more even when the leaf holds it (range check)', async () => {
    const big = MAX_ENCRYPTED_WEIGHT + 1n;
    const leaves = [await membershipLeaf(identity.commitment, big)];
    const bigTree = await PoseidonMerkleTree.build(leaves, DEPTH);
    const input = await validInput(7, randomScalar());
    const proof = await bigTree.proof(0);
    await witnessFails({
      ...input,
      area: big.toString(),
      root: (await bigTree.root()).toString(),
      pathElements: proof.siblings.map(String),
      pathIndices: proof.pathIndices.map(String),
    });
    // The field element −1 (2^254-ish) is no area either.
    await witnessFails({ ...input, area: (SNARK_SCALAR_FIELD - 1n).toString() });
  });

  it('refuses r = 0, r = l, r above l, and r at or above 2^251', async () => {
    const input = await validInput(7, 1n);
    for (const bad of [0n, SUBGROUP_ORDER, SUBGROUP_ORDER + 1n, 2n ** 251n - 1n, 2n ** 251n, SNARK_SCALAR_FIELD - 1n]) {
      await witnessFails({ ...input, randomness: bad.toString() });
    }
  });

  it('refuses a wrong secret or a path to another leaf', async () => {
    const input = await validInput(7, randomScalar());
    await witnessFails({ ...input, secret: (identity.secret + 1n).toString() });
    const other = await tree.proof(6);
    await witnessFails({
      ...input,
      pathElements: other.siblings.map(String),
      pathIndices: other.pathIndices.map(String),
    });
  });
});
