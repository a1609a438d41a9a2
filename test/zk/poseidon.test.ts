/**
 * The two Poseidon implementations (src/zk/poseidon.ts) give the same field elements:
 * poseidon-lite, which a browser uses for small trees, against circomlibjs's WebAssembly
 * build, which Node and large trees use — on fixed vectors, on the field's edges, on a
 * chain of hashes, and in the membership circuit itself.
 */
import { jest } from '@jest/globals';
import * as snarkjs from 'snarkjs';
import { loadMembershipArtifactsForDepth } from '../../src/zk/artifacts-node.ts';
import { terminateCurve } from '../../src/zk/curve.ts';
import { SNARK_SCALAR_FIELD } from '../../src/zk/field.ts';
import {
  WASM_POSEIDON_FROM_HASHES, getPoseidon, litePoseidon, preparePoseidon, webAssemblyPoseidon,
} from '../../src/zk/poseidon.ts';
import type { Poseidon } from '../../src/zk/poseidon.ts';

const DEPTH = 10;
let wasm: Poseidon;
const lite = litePoseidon();

beforeAll(async () => {
  wasm = await webAssemblyPoseidon();
});

afterAll(async () => {
  await terminateCurve();
});

describe('Poseidon', () => {
  it('gives circomlib\'s published vectors with both implementations', () => {
    // circomlibjs test/poseidon.js: poseidon([1, 2]) and poseidon([1]).
    const oneTwo = 0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189an;
    const one = 18586133768512220936620570745912940619677854269274689475585506675881198879027n;
    for (const poseidon of [lite, wasm]) {
      expect(poseidon.hash2(1n, 2n)).toBe(oneTwo);
      expect(poseidon.hash1(1n)).toBe(one);
    }
  });

  it('gives the same hashes from poseidon-lite and the WebAssembly build at the field\'s edges', () => {
    const edges = [0n, 1n, 2n, SNARK_SCALAR_FIELD - 1n, SNARK_SCALAR_FIELD - 2n, SNARK_SCALAR_FIELD / 2n, 2n ** 253n];
    for (const a of edges) {
      expect(lite.hash1(a)).toBe(wasm.hash1(a));
      for (const b of edges) expect(lite.hash2(a, b)).toBe(wasm.hash2(a, b));
    }
  });

  it('gives the same hashes along a chain of 500, each feeding the next', () => {
    let fromLite = 7n;
    let fromWasm = 7n;
    for (let index = 0; index < 500; index++) {
      fromLite = lite.hash2(fromLite, lite.hash1(BigInt(index)));
      fromWasm = wasm.hash2(fromWasm, wasm.hash1(BigInt(index)));
      expect(fromLite).toBe(fromWasm);
    }
  });

  it('uses the WebAssembly build in Node, before and after preparing for any number of hashes', async () => {
    expect(await getPoseidon()).toBe(wasm);
    await preparePoseidon(1);
    await preparePoseidon(WASM_POSEIDON_FROM_HASHES);
    expect(await getPoseidon()).toBe(wasm);
  });

  it('computes, with poseidon-lite alone, the root and nullifier the membership circuit computes', async () => {
    const artifacts = await loadMembershipArtifactsForDepth(DEPTH);
    const secret = 0x1234567890abcdefn;
    const attribute = 3n;
    const scope = 99n;
    const leafIndex = 5;
    // A tree with this one leaf at index 5: every sibling is an empty subtree's value.
    const zeros = [0n];
    for (let level = 0; level < DEPTH; level++) zeros.push(lite.hash2(zeros[level]!, zeros[level]!));
    let node = lite.hash2(lite.hash1(secret), attribute);
    const pathIndices: string[] = [];
    for (let level = 0; level < DEPTH; level++) {
      const bit = (leafIndex >> level) & 1;
      node = bit === 0 ? lite.hash2(node, zeros[level]!) : lite.hash2(zeros[level]!, node);
      pathIndices.push(String(bit));
    }
    const input = {
      root: node.toString(),
      attribute: attribute.toString(),
      scope: scope.toString(),
      message: '1',
      secret: secret.toString(),
      pathElements: zeros.slice(0, DEPTH).map(String),
      pathIndices,
    };
    const file: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
    // The circuit asserts the path leads to `root`; a root poseidon-lite got wrong fails here.
    await snarkjs.wtns.calculate(input, artifacts.wasm, file);
    const values = (await snarkjs.wtns.exportJson(file)) as bigint[];
    // Public signals follow the constant 1: [nullifier, root, attribute, scope, message].
    expect(values[1]).toBe(lite.hash2(scope, secret));
    expect(values[2]).toBe(node);
    const wrongRoot = { ...input, root: lite.hash2(node, 1n).toString() };
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await expect(snarkjs.wtns.calculate(wrongRoot, artifacts.wasm, { type: 'mem' })).rejects.toThrow();
    } finally {
      error.mockRestore();
    }
  });
});
