/**
 * The circuit's witness calculator, compiled once per circuit and reused for every proof.
 *
 * snarkjs's `fullProve` builds a new calculator for each proof: it compiles the 2 MB wasm
 * again and reserves a new WebAssembly memory, about 40 ms in Node on our machines, the
 * same at every depth. Here the calculator is kept per wasm byte array (a WeakMap, so it
 * goes when the artifacts do) and proofs skip that step. It is circom_runtime, the runtime
 * snarkjs calls, at the version snarkjs pins.
 *
 * One calculation at a time per calculator: its wasm memory holds the witness being built,
 * so concurrent proofs with the same artifacts wait for each other's witness (the proving
 * itself still overlaps).
 */
import { WitnessCalculatorBuilder } from 'circom_runtime';
import type { WitnessCalculator } from 'circom_runtime';

interface CachedCalculator {
  calculator: Promise<WitnessCalculator>;
  /** The last calculation queued on it; the next one starts when it settles. */
  queue: Promise<unknown>;
}

const calculators = new WeakMap<Uint8Array, CachedCalculator>();

function cachedCalculator(wasm: Uint8Array): CachedCalculator {
  let cached = calculators.get(wasm);
  if (!cached) {
    const calculator = WitnessCalculatorBuilder(wasm);
    // A wasm that does not compile is not kept: the next call reports the error again.
    calculator.catch(() => calculators.delete(wasm));
    cached = { calculator, queue: Promise.resolve() };
    calculators.set(wasm, cached);
  }
  return cached;
}

/** The witness of `input` as `.wtns` bytes; throws as snarkjs would when the circuit rejects the input. */
export function calculateWitness(wasm: Uint8Array, input: Record<string, unknown>): Promise<Uint8Array> {
  const cached = cachedCalculator(wasm);
  const result = cached.queue.then(async () => (await cached.calculator).calculateWTNSBin(input, false));
  cached.queue = result.catch(() => undefined);
  return result;
}

/**
 * Compiles the circuit's witness calculator ahead of its first witness (the proving worker
 * does it while it rebuilds the census tree); a calculation waits for it in any case.
 */
export async function prepareWitnessCalculator(wasm: Uint8Array): Promise<void> {
  await cachedCalculator(wasm).calculator;
}
