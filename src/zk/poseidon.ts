/**
 * Poseidon over BN254 with circomlib's parameters, the hash the circuits use.
 * circomlibjs's WebAssembly build is the fastest JavaScript implementation we measured
 * (about 16,600 two-input hashes per second); it is built once and shared.
 */
import type { buildPoseidon as BuildPoseidon } from 'circomlibjs';

export interface Poseidon {
  /** Poseidon over 1 to 16 field elements; returns a field element. */
  hash(inputs: readonly bigint[]): bigint;
  hash1(a: bigint): bigint;
  hash2(left: bigint, right: bigint): bigint;
}

/**
 * circomlibjs's module that defines the Poseidon builder. Its package index also evaluates
 * ethers, the EVM contract generators and blake-hash (a native addon): a fifth of a second
 * of start-up in every process, for code Courtyard never calls. The package exports only
 * its index, so Node loads the module by its file URL; the browser bundle maps the bare
 * import to the same module (src/client/bundle-node.ts). Node only: a browser cannot
 * resolve the bare name.
 */
export function circomlibjsPoseidonModule(): URL {
  return new URL('src/poseidon_wasm.js', import.meta.resolve('circomlibjs'));
}

async function loadPoseidonBuilder(): Promise<typeof BuildPoseidon> {
  const inNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
  const module = (inNode ? await import(circomlibjsPoseidonModule().href) : await import('circomlibjs')) as { buildPoseidon: typeof BuildPoseidon };
  return module.buildPoseidon;
}

let poseidonPromise: Promise<Poseidon> | undefined;

/** The shared Poseidon instance; the first call builds the WebAssembly module. */
export function getPoseidon(): Promise<Poseidon> {
  poseidonPromise ??= loadPoseidonBuilder().then((buildPoseidon) => buildPoseidon()).then((raw) => {
    const toBigint = (result: Uint8Array): bigint => raw.F.toObject(result);
    return {
      hash: (inputs) => toBigint(raw(inputs as bigint[])),
      hash1: (a) => toBigint(raw([a])),
      hash2: (left, right) => toBigint(raw([left, right])),
    };
  });
  return poseidonPromise;
}
