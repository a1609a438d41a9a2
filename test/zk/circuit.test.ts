/**
 * Witness tests of circuits/membership.circom at the default depth 20: the compiled
 * wasm must accept exactly the witnesses the construction allows, and its leaf and
 * nullifier must equal the ones recomputed here with circomlibjs.
 */
import { jest } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { buildPoseidon } from 'circomlibjs';
import * as snarkjs from 'snarkjs';
import { readR1csHeader } from '../../src/zk/r1cs-header.ts';
import { loadMembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import type { MembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { generateIdentitySecret } from '../../src/zk/identity.ts';
import { PoseidonMerkleTree } from '../../src/zk/merkle-tree.ts';
import { SNARK_SCALAR_FIELD } from '../../src/zk/field.ts';

/** Pinned: a change in the circuit or the compiler shows here first. Semaphore v4 has 6,431 at depth 20. */
const MEMBERSHIP_20_CONSTRAINTS = 5_534;

let artifacts: MembershipArtifacts;
let hash: (inputs: bigint[]) => bigint;
let symbols: Map<string, number>;
const secret = generateIdentitySecret();
const attribute = 4_250n;
const scope = 0xbeefn;
const message = 3n;
let validInput: Record<string, string | string[]>;

beforeAll(async () => {
  artifacts = await loadMembershipArtifacts();
  const poseidon = await buildPoseidon();
  hash = (inputs) => poseidon.F.toObject(poseidon(inputs));
  const sym = await readFile(artifacts.paths.wasm.replace(/\.wasm$/, '.sym'), 'utf8');
  symbols = new Map(sym.trim().split('\n').map((line) => {
    const [, witnessIndex, , name] = line.split(',');
    return [name!, Number(witnessIndex)];
  }));
  const leaf = hash([hash([secret]), attribute]);
  const tree = await PoseidonMerkleTree.build([11n, 22n, 33n, leaf, 55n]);
  const proof = await tree.proof(3);
  validInput = {
    root: proof.root.toString(), attribute: attribute.toString(), scope: scope.toString(), message: message.toString(),
    secret: secret.toString(), pathElements: proof.siblings.map(String), pathIndices: proof.pathIndices.map(String),
  };
});

const quietLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

async function witness(input: Record<string, string | string[]>): Promise<{ values: bigint[]; file: { type: 'mem'; data?: Uint8Array } }> {
  const file: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
  await snarkjs.wtns.calculate(input, artifacts.wasm, file);
  return { values: await snarkjs.wtns.exportJson(file), file };
}

/** The witness calculator refuses the input; its own report to console.error is muted. */
async function witnessFails(input: Record<string, string | string[]>): Promise<void> {
  const mute = jest.spyOn(console, 'error').mockImplementation(() => {});
  try {
    await expect(witness(input)).rejects.toThrow(/Assert Failed|Error in template/);
  } finally {
    mute.mockRestore();
  }
}

describe('membership circuit (depth 20)', () => {
  it('has the pinned constraint count, within 2^13 and below Semaphore v4 at the same depth', async () => {
    const header = readR1csHeader(await readFile(artifacts.paths.r1cs));
    expect(header.constraints).toBe(MEMBERSHIP_20_CONSTRAINTS);
    expect(header.constraints).toBeLessThanOrEqual(6_431);
    expect(header.publicOutputs).toBe(1);
    expect(header.publicInputs).toBe(4);
    expect(header.prime).toBe(SNARK_SCALAR_FIELD);
  });

  it('accepts a valid witness and outputs the leaf and nullifier recomputed independently', async () => {
    const { values, file } = await witness(validInput);
    expect(values[symbols.get('main.identityCommitment')!]).toBe(hash([secret]));
    expect(values[symbols.get('main.leaf')!]).toBe(hash([hash([secret]), attribute]));
    expect(values[symbols.get('main.nullifier')!]).toBe(hash([scope, secret]));
    expect(values.slice(1, 6)).toEqual([hash([scope, secret]), BigInt(validInput['root'] as string), attribute, scope, message]);
    expect(await snarkjs.wtns.check(artifacts.paths.r1cs, file, quietLogger)).toBe(true);
  });

  it('rejects a wrong secret', () => witnessFails({ ...validInput, secret: (secret + 1n).toString() }));

  it('rejects a wrong path element', () => {
    const pathElements = [...(validInput['pathElements'] as string[])];
    pathElements[7] = (BigInt(pathElements[7]!) + 1n).toString();
    return witnessFails({ ...validInput, pathElements });
  });

  it('rejects a wrong path bit, and a path bit other than 0 or 1', async () => {
    const flipped = [...(validInput['pathIndices'] as string[])];
    flipped[0] = flipped[0] === '0' ? '1' : '0';
    await witnessFails({ ...validInput, pathIndices: flipped });
    const blended = [...(validInput['pathIndices'] as string[])];
    blended[2] = '2';
    await witnessFails({ ...validInput, pathIndices: blended });
  });

  it('rejects a wrong root', () => witnessFails({ ...validInput, root: (BigInt(validInput['root'] as string) + 1n).toString() }));

  it('rejects an attribute other than the one committed in the leaf', () => witnessFails({ ...validInput, attribute: (attribute + 1n).toString() }));

  it('rejects a witness whose nullifier was edited', async () => {
    const { file } = await witness(validInput);
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
