/**
 * Poseidon over BN254 with circomlib's parameters, the hash the circuits use, from one of
 * two implementations that give the same field elements (test/zk/poseidon.test.ts):
 *
 * - **circomlibjs's WebAssembly build**, the fastest JavaScript implementation we measured
 *   (about 25,000 two-input hashes per second in Node), but building it costs about a
 *   quarter of a second: ffjavascript generates and compiles a bn128 module and every
 *   width's round constants (1.7 MB of decimal strings) are converted. Node always uses
 *   it (the server builds census trees of thousands of leaves; its speed is unchanged).
 * - **poseidon-lite** (npm, MIT; what Semaphore v4 uses): plain `bigint` arithmetic with
 *   only the constants of widths 1 and 2 here, ready at once, about three times slower
 *   per hash. In a browser it serves until a tree is large enough that the build pays
 *   for itself (`WASM_POSEIDON_FROM_HASHES`): a census of a few hundred households is
 *   rebuilt on the device in less time than the WebAssembly build alone.
 *
 * Once the WebAssembly build exists in a process it serves every later hash.
 */
import type { buildPoseidon as BuildPoseidon } from 'circomlibjs';
import { poseidon1 } from 'poseidon-lite/poseidon1';
import { poseidon2 } from 'poseidon-lite/poseidon2';

export interface Poseidon {
  hash1(a: bigint): bigint;
  hash2(left: bigint, right: bigint): bigint;
}

/**
 * In a browser, the number of hashes from which a caller that is about to hash that many
 * (a tree rebuild: `preparePoseidon`) has the WebAssembly build made first. Below it,
 * poseidon-lite is faster than building; the figure is where the two meet in Chromium
 * (docs/client.md, "The first proof in a page").
 */
export const WASM_POSEIDON_FROM_HASHES = 4_000;

const inNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

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
  const module = (inNode ? await import(circomlibjsPoseidonModule().href) : await import('circomlibjs')) as { buildPoseidon: typeof BuildPoseidon };
  return module.buildPoseidon;
}

const lite: Poseidon = {
  hash1: (a) => poseidon1([a]),
  hash2: (left, right) => poseidon2([left, right]),
};

let wasmPromise: Promise<Poseidon> | undefined;
/** Set once the WebAssembly build has resolved, so later calls take it without waiting. */
let wasmReady: Poseidon | undefined;

/** circomlibjs's WebAssembly Poseidon, whatever the environment: built once per process (or worker) and shared. */
export function webAssemblyPoseidon(): Promise<Poseidon> {
  wasmPromise ??= loadPoseidonBuilder()
    .then((buildPoseidon) => buildPoseidon())
    .then((raw) => {
      const toBigint = (result: Uint8Array): bigint => raw.F.toObject(result);
      wasmReady = {
        hash1: (a) => toBigint(raw([a])),
        hash2: (left, right) => toBigint(raw([left, right])),
      };
      return wasmReady;
    });
  return wasmPromise;
}

/**
 * Readies the faster implementation for about `hashes` hashes to come: in Node, or in a
 * browser from `WASM_POSEIDON_FROM_HASHES` on, the WebAssembly build (made once); below
 * that a browser keeps poseidon-lite. Tree rebuilds call it with their size before
 * hashing; every later `getPoseidon()` then returns what it chose.
 */
export async function preparePoseidon(hashes: number): Promise<void> {
  if (inNode || hashes >= WASM_POSEIDON_FROM_HASHES) await webAssemblyPoseidon();
}

/**
 * The shared Poseidon: in Node the WebAssembly build (the first call builds it); in a
 * browser the WebAssembly build if a large tree has had it made, else poseidon-lite.
 */
export function getPoseidon(): Promise<Poseidon> {
  if (wasmReady) return Promise.resolve(wasmReady);
  return inNode ? webAssemblyPoseidon() : Promise.resolve(lite);
}

/** poseidon-lite, whatever the environment (tests compare the two implementations). */
export function litePoseidon(): Poseidon {
  return lite;
}
