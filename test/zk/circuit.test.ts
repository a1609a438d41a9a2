/**
 * Witness tests of circuits/membership.circom at every declared depth: the compiled wasm
 * must accept exactly the witnesses the construction allows. The expected root is
 * recomputed here from the leaves with circomlibjs's Poseidon and a naive recursion over
 * the whole tree — not with src/zk's incremental tree — and the nullifier likewise.
 */
import { jest } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { buildPoseidon } from 'circomlibjs';
import * as snarkjs from 'snarkjs';
import { domainPower } from '../../scripts/zk/build-circuits.ts';
import { readR1csHeader } from '../../src/zk/r1cs-header.ts';
import { loadMembershipArtifactsForDepth, readCircuitManifest } from '../../src/zk/artifacts-node.ts';
import type { MembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { generateIdentitySecret } from '../../src/zk/identity.ts';
import { MEMBERSHIP_DEPTHS, membershipInstanceForDepth } from '../../src/zk/membership-depths.ts';
import { SNARK_SCALAR_FIELD } from '../../src/zk/field.ts';

/**
 * Pinned: a change in the circuit or the compiler shows here first. 694 + 242 per level;
 * Semaphore v4 has 6,431 at depth 20. The domain is the smallest power of two above
 * constraints + public signals (docs/zk.md).
 */
const PINNED: Record<number, { constraints: number; domainPower: number }> = {
  10: { constraints: 3_114, domainPower: 12 },
  14: { constraints: 4_082, domainPower: 12 },
  20: { constraints: 5_534, domainPower: 13 },
};

let hash: (inputs: bigint[]) => bigint;
const quietLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  const poseidon = await buildPoseidon();
  hash = (inputs) => poseidon.F.toObject(poseidon(inputs));
});

const zeroHashes: bigint[] = [];

/** zero(h): the value of an empty subtree of height h, by definition (computed once per height). */
function zeroHash(height: number): bigint {
  zeroHashes[height] ??= height === 0 ? 0n : hash([zeroHash(height - 1), zeroHash(height - 1)]);
  return zeroHashes[height];
}

/**
 * The tree's node (level, index), by definition: a leaf (or 0), or the hash of its two
 * children; a subtree with no leaf in it is zero(level).
 */
function naiveNode(leaves: ReadonlyMap<number, bigint>, level: number, index: number): bigint {
  const first = index * 2 ** level;
  if (![...leaves.keys()].some((leafIndex) => leafIndex >= first && leafIndex < first + 2 ** level)) return zeroHash(level);
  if (level === 0) return leaves.get(index)!;
  return hash([naiveNode(leaves, level - 1, 2 * index), naiveNode(leaves, level - 1, 2 * index + 1)]);
}

interface Census {
  root: bigint;
  input: Record<string, string | string[]>;
}

/** A census of depth `depth` with filler leaves at 0..3 and the member at `memberIndex`; the circuit input for the member. */
function census(depth: number, memberIndex: number, secret: bigint, attribute: bigint, scope: bigint, message: bigint): Census {
  const leaves = new Map<number, bigint>([[0, 11n], [1, 22n], [2, 33n], [3, 44n]]);
  leaves.set(memberIndex, hash([hash([secret]), attribute]));
  const pathElements: string[] = [];
  const pathIndices: string[] = [];
  for (let level = 0; level < depth; level++) {
    const index = Math.floor(memberIndex / 2 ** level);
    pathElements.push(naiveNode(leaves, level, index ^ 1).toString());
    pathIndices.push(String(index % 2));
  }
  const root = naiveNode(leaves, depth, 0);
  return {
    root,
    input: {
      root: root.toString(), attribute: attribute.toString(), scope: scope.toString(), message: message.toString(),
      secret: secret.toString(), pathElements, pathIndices,
    },
  };
}

async function witness(artifacts: MembershipArtifacts, input: Record<string, string | string[]>): Promise<{ values: bigint[]; file: { type: 'mem'; data?: Uint8Array } }> {
  const file: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
  await snarkjs.wtns.calculate(input, artifacts.wasm, file);
  return { values: await snarkjs.wtns.exportJson(file), file };
}

/** The witness calculator refuses the input; its own report to console.error is muted. */
async function witnessFails(artifacts: MembershipArtifacts, input: Record<string, string | string[]>, reason = /Assert Failed|Error in template/): Promise<void> {
  const mute = jest.spyOn(console, 'error').mockImplementation(() => {});
  try {
    await expect(witness(artifacts, input)).rejects.toThrow(reason);
  } finally {
    mute.mockRestore();
  }
}

describe.each(MEMBERSHIP_DEPTHS.map((depth) => [depth]))('membership circuit at depth %i', (depth) => {
  const secret = generateIdentitySecret();
  const attribute = 4_250n;
  const scope = 0xbeefn;
  const message = 3n;
  let artifacts: MembershipArtifacts;
  let member: Census;

  beforeAll(async () => {
    artifacts = await loadMembershipArtifactsForDepth(depth);
    member = census(depth, 4, secret, attribute, scope, message);
  });

  it('has the pinned constraint count, five public signals, and the pinned Groth16 domain', async () => {
    const header = readR1csHeader(await readFile(artifacts.paths.r1cs));
    expect(header.constraints).toBe(PINNED[depth]!.constraints);
    expect(header.constraints).toBeLessThanOrEqual(6_431);
    expect(header.publicOutputs).toBe(1);
    expect(header.publicInputs).toBe(4);
    expect(header.prime).toBe(SNARK_SCALAR_FIELD);
    const power = domainPower(header.constraints, header.publicOutputs + header.publicInputs);
    expect(power).toBe(PINNED[depth]!.domainPower);
    // The manifest asks for a powers of tau large enough for this domain.
    expect((await readCircuitManifest())[membershipInstanceForDepth(depth)]!.powersOfTau).toBeGreaterThanOrEqual(power);
  });

  it('accepts a valid witness whose public signals are the nullifier and the root recomputed independently', async () => {
    const { values, file } = await witness(artifacts, member.input);
    // Witness 0 is the constant 1; then the output, then the public inputs in declaration order.
    expect(values.slice(1, 6)).toEqual([hash([scope, secret]), member.root, attribute, scope, message]);
    expect(await snarkjs.wtns.check(artifacts.paths.r1cs, file, quietLogger)).toBe(true);
  });

  it(`accepts the last leaf of the tree, index 2^${depth} - 1, whose path bits are all 1`, async () => {
    const last = census(depth, 2 ** depth - 1, secret, attribute, scope, message);
    expect(last.input['pathIndices']).toEqual(Array(depth).fill('1'));
    const { values } = await witness(artifacts, last.input);
    expect(values[2]).toBe(last.root);
  });

  it('rejects a wrong secret', () => witnessFails(artifacts, { ...member.input, secret: (secret + 1n).toString() }));

  it('rejects a wrong path element', () => {
    const pathElements = [...(member.input['pathElements'] as string[])];
    pathElements[depth - 3] = (BigInt(pathElements[depth - 3]!) + 1n).toString();
    return witnessFails(artifacts, { ...member.input, pathElements });
  });

  it('rejects a wrong path bit, and a path bit other than 0 or 1', async () => {
    const flipped = [...(member.input['pathIndices'] as string[])];
    flipped[0] = flipped[0] === '0' ? '1' : '0';
    await witnessFails(artifacts, { ...member.input, pathIndices: flipped });
    const blended = [...(member.input['pathIndices'] as string[])];
    blended[2] = '2';
    await witnessFails(artifacts, { ...member.input, pathIndices: blended });
  });

  it('rejects a wrong root, and the root of the same leaves in a tree of another depth', async () => {
    await witnessFails(artifacts, { ...member.input, root: (member.root + 1n).toString() });
    const otherDepth = depth === 20 ? 10 : 20;
    const sameLeavesElsewhere = census(otherDepth, 4, secret, attribute, scope, message);
    expect(sameLeavesElsewhere.root).not.toBe(member.root);
    await witnessFails(artifacts, { ...member.input, root: sameLeavesElsewhere.root.toString() });
  });

  it('rejects an attribute other than the one committed in the leaf', () => witnessFails(artifacts, { ...member.input, attribute: (attribute + 1n).toString() }));

  it('rejects a path with one level more or one level fewer than its depth', async () => {
    const longer = census(depth + 1, 4, secret, attribute, scope, message);
    await witnessFails(artifacts, longer.input, /Too many values|Not enough values|Invalid number/i);
    const shorter = census(depth - 1, 4, secret, attribute, scope, message);
    await witnessFails(artifacts, shorter.input, /Too many values|Not enough values|Invalid number/i);
  });

  it('rejects a witness whose nullifier was edited', async () => {
    const { file } = await witness(artifacts, member.input);
    const data = file.data!;
    // The witness values section follows the header: 'wtns', version, 2 sections,
    // header (type 1: n8, prime, count), then type 2 with 32-byte little-endian values.
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const headerSize = Number(view.getBigUint64(16, true));
    const valuesStart = 12 + 12 + headerSize + 12;
    data[valuesStart + 32 * 1]! ^= 1; // witness 1 is main.nullifier
    expect(await snarkjs.wtns.check(artifacts.paths.r1cs, file, quietLogger)).toBe(false);
  });
});
