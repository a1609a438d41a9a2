/**
 * The trusted-setup ceremony and the reproducible build, on a tiny circuit and a 2^8
 * powers of tau generated here, so the whole transcript runs in seconds.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import {
  MAX_POWERS_OF_TAU, beaconPhase2, beaconPowersOfTau, choosePowersOfTau, collectingLogger, contributePhase2, contributePowersOfTau,
  exportVerificationKey, initPhase2, newPowersOfTau, preparePowersOfTau, requirePower, verifyPhase2, verifyPowersOfTau,
} from '../../scripts/zk/ceremony.ts';
import { buildInstance, domainPower } from '../../scripts/zk/build-circuits.ts';
import type { CircuitInstance } from '../../src/zk/circuit-manifest.ts';
import { REPOSITORY_ROOT } from '../../src/zk/artifacts-node.ts';

const multiplier: CircuitInstance = {
  file: 'multiplier', template: 'Multiplier', params: [], pubs: ['product'], publicSignals: ['product'], powersOfTau: 8,
};
const fixtures = join(REPOSITORY_ROOT, 'test', 'zk', 'fixtures');
const BEACON = '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20';

let directory: string;
const file = (name: string) => join(directory, name);
const quiet = () => collectingLogger();

beforeAll(async () => {
  // Inside the repository: circom2's WASI sandbox only reaches the working directory's tree.
  await mkdir(join(REPOSITORY_ROOT, 'circuits', 'build', 'tmp'), { recursive: true });
  directory = await mkdtemp(join(REPOSITORY_ROOT, 'circuits', 'build', 'tmp', 'ceremony-'));
}, 10_000);
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Verification outcome, counting a file snarkjs cannot even parse as a failure. */
async function phase2Verifies(zkey: string): Promise<boolean> {
  try {
    return await verifyPhase2(file('multiplier-test.r1cs'), file('pot8_final.ptau'), zkey, quiet());
  } catch {
    return false;
  }
}

describe('powers of tau sizes', () => {
  it('give a circuit the smallest power strictly above its constraints plus public signals, as snarkjs does', () => {
    expect(domainPower(3_114, 5)).toBe(12);
    expect(domainPower(4_082, 5)).toBe(12);
    expect(domainPower(4_090, 5)).toBe(12);
    expect(domainPower(4_091, 5)).toBe(13);
    expect(domainPower(5_534, 5)).toBe(13);
    expect(domainPower(1, 1)).toBe(2);
  });

  it('choose the smallest available phase-1 file that is large enough, of any power', () => {
    expect(choosePowersOfTau([13], 12)).toBe(13);
    expect(choosePowersOfTau([16, 13, 14], 14)).toBe(14);
    expect(choosePowersOfTau([13], 14)).toBeUndefined();
    expect(choosePowersOfTau([], 8)).toBeUndefined();
  });

  it(`accept powers from 1 to ${MAX_POWERS_OF_TAU} only`, () => {
    expect(requirePower(14)).toBe(14);
    for (const bad of [0, MAX_POWERS_OF_TAU + 1, 13.5, Number.NaN]) expect(() => requirePower(bad)).toThrow(RangeError);
  });
});

describe('circuit build', () => {
  it('is reproducible: two builds give the same r1cs hash', async () => {
    const first = await buildInstance('multiplier-test', multiplier, directory, fixtures);
    const second = await buildInstance('multiplier-test', multiplier, join(directory, 'again'), fixtures);
    expect(first.constraints).toBe(1);
    expect(second.r1csSha256).toBe(first.r1csSha256);
    expect(second.wasmSha256).toBe(first.wasmSha256);
    const r1cs = await readFile(file('multiplier-test.r1cs'));
    expect(createHash('sha256').update(r1cs).digest('hex')).toBe(first.r1csSha256);
  });
});

describe('trusted-setup ceremony', () => {
  it('verifies a phase 1 with a contribution and a beacon', async () => {
    await newPowersOfTau(8, file('pot8_0000.ptau'));
    const contribution = await contributePowersOfTau(file('pot8_0000.ptau'), file('pot8_0001.ptau'), 'first', 'entropy one');
    expect(contribution).toMatch(/^[0-9a-f]{128}$/);
    await beaconPowersOfTau(file('pot8_0001.ptau'), file('pot8_beacon.ptau'), BEACON);
    await preparePowersOfTau(file('pot8_beacon.ptau'), file('pot8_final.ptau'));
    expect(await verifyPowersOfTau(file('pot8_final.ptau'), quiet())).toBe(true);
  });

  it('verifies the whole phase-2 transcript after two contributions and a beacon', async () => {
    await initPhase2(file('multiplier-test.r1cs'), file('pot8_final.ptau'), file('multiplier_0000.zkey'));
    const first = await contributePhase2(file('multiplier_0000.zkey'), file('multiplier_0001.zkey'), 'Alice', 'alice entropy');
    const second = await contributePhase2(file('multiplier_0001.zkey'), file('multiplier_0002.zkey'), 'Bob', 'bob entropy');
    const beacon = await beaconPhase2(file('multiplier_0002.zkey'), file('multiplier_final.zkey'), BEACON);
    expect(new Set([first, second, beacon]).size).toBe(3);
    const logger = quiet();
    expect(await verifyPhase2(file('multiplier-test.r1cs'), file('pot8_final.ptau'), file('multiplier_final.zkey'), logger)).toBe(true);
    // The transcript names each contribution with its hash, so contributors can find theirs.
    const transcript = logger.lines.join('\n');
    for (const hash of [first, second]) expect(transcript.replace(/\s+/g, '')).toContain(hash.slice(0, 32));
    expect(await phase2Verifies(file('multiplier_0001.zkey'))).toBe(true);
  });

  it('proves and verifies with the exported key of the final zkey', async () => {
    const key = await exportVerificationKey(file('multiplier_final.zkey'), file('vkey.json'), false);
    expect(key).not.toHaveProperty('insecure');
    const { proof, publicSignals } = await snarkjs.groth16.fullProve({ product: 35, left: 5, right: 7 }, file('multiplier-test.wasm'), file('multiplier_final.zkey'));
    expect(await snarkjs.groth16.verify(key, publicSignals, proof)).toBe(true);
    expect(await snarkjs.groth16.verify(key, ['36'], proof)).toBe(false);
  });

  it('fails verification when a contribution file was tampered with', async () => {
    const original = await readFile(file('multiplier_0002.zkey'));
    for (const position of [Math.floor(original.length * 0.6), original.length - 40]) {
      const tampered = new Uint8Array(original);
      tampered[position]! ^= 0x5a;
      await writeFile(file('tampered.zkey'), tampered);
      expect(await phase2Verifies(file('tampered.zkey'))).toBe(false);
    }
  });

  it('sets up circuits of different sizes from one phase-1 file, each with its own key', async () => {
    const squarings = (n: number, powersOfTau: number): CircuitInstance => ({
      file: 'squarings', template: 'Squarings', params: [n], pubs: [], publicSignals: ['y'], powersOfTau,
    });
    const small = await buildInstance('squarings-2', squarings(2, 2), directory, fixtures);
    const large = await buildInstance('squarings-100', squarings(100, 7), directory, fixtures);
    expect([small.constraints, large.constraints]).toEqual([2, 100]);
    const keys: Record<string, snarkjs.Groth16VerificationKeyJson> = {};
    for (const name of ['squarings-2', 'squarings-100']) {
      await initPhase2(file(`${name}.r1cs`), file('pot8_final.ptau'), file(`${name}_0000.zkey`));
      await contributePhase2(file(`${name}_0000.zkey`), file(`${name}_0001.zkey`), 'Alice', `${name} entropy`);
      expect(await verifyPhase2(file(`${name}.r1cs`), file('pot8_final.ptau'), file(`${name}_0001.zkey`), quiet())).toBe(true);
      keys[name] = await exportVerificationKey(file(`${name}_0001.zkey`), file(`${name}.vkey.json`), false);
    }
    const { proof, publicSignals } = await snarkjs.groth16.fullProve({ x: 3 }, file('squarings-2.wasm'), file('squarings-2_0001.zkey'));
    expect(publicSignals).toEqual(['81']);
    expect(await snarkjs.groth16.verify(keys['squarings-2']!, publicSignals, proof)).toBe(true);
    expect(await snarkjs.groth16.verify(keys['squarings-100']!, publicSignals, proof)).toBe(false);
  });

  it('refuses a circuit whose domain exceeds its declared powers of tau, and one too large for the ptau', async () => {
    const squarings300 = (powersOfTau: number): CircuitInstance => ({
      file: 'squarings', template: 'Squarings', params: [300], pubs: [], publicSignals: ['y'], powersOfTau,
    });
    await expect(buildInstance('squarings-300', squarings300(8), join(directory, 'too-large'), fixtures)).rejects.toThrow(/need a 2\^9 domain, the manifest names 2\^8/);
    await buildInstance('squarings-300', squarings300(9), directory, fixtures);
    await expect(initPhase2(file('squarings-300.r1cs'), file('pot8_final.ptau'), file('unused.zkey'))).rejects.toThrow(/circuit too big for this power of tau/);
  });

  it('fails verification against another powers of tau', async () => {
    await newPowersOfTau(8, file('other_0000.ptau'));
    await contributePowersOfTau(file('other_0000.ptau'), file('other_0001.ptau'), 'someone else', 'other entropy');
    await preparePowersOfTau(file('other_0001.ptau'), file('other_final.ptau'));
    let verifies: boolean;
    try {
      verifies = await verifyPhase2(file('multiplier-test.r1cs'), file('other_final.ptau'), file('multiplier_final.zkey'), quiet());
    } catch {
      verifies = false;
    }
    expect(verifies).toBe(false);
  });
});
