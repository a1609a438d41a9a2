/**
 * Strict parsing of Groth16/BN254 proofs, verification keys and public signals as
 * snarkjs writes them. Everything here is cheap and runs before any curve arithmetic.
 */
import type { Groth16ProofJson, Groth16VerificationKeyJson } from 'snarkjs';
import { ProofRejectedError } from './errors.ts';
import { BN254_BASE_FIELD, SNARK_SCALAR_FIELD, isCanonicalDecimal } from './field.ts';

/** Proof JSON larger than this is refused before parsing (a real one is about 800 bytes). */
export const MAX_PROOF_JSON_BYTES = 4096;

export interface ParsedProof {
  a: [bigint, bigint];
  b: [[bigint, bigint], [bigint, bigint]];
  c: [bigint, bigint];
}

/** Public signals: exactly `count` canonical decimals, each below r. */
export function parsePublicSignals(signals: unknown, count: number): bigint[] {
  if (!Array.isArray(signals) || signals.length !== count) {
    const got = Array.isArray(signals) ? signals.length : typeof signals;
    throw new ProofRejectedError('PUBLIC_SIGNAL_COUNT', `expected ${count} public signals, got ${got}`);
  }
  return signals.map((signal: unknown, index) => {
    if (!isCanonicalDecimal(signal)) {
      throw new ProofRejectedError('PUBLIC_SIGNAL_MALFORMED', `public signal ${index} is not a canonical decimal string`);
    }
    const value = BigInt(signal);
    if (value >= SNARK_SCALAR_FIELD) {
      throw new ProofRejectedError('PUBLIC_SIGNAL_OUT_OF_FIELD', `public signal ${index} is not below the scalar-field modulus`);
    }
    return value;
  });
}

/** The proof's shape: affine points with z = 1, coordinates canonical and below q. */
export function parseProof(proof: unknown): ParsedProof {
  if (typeof proof !== 'object' || proof === null) throw malformed('the proof is not an object');
  const { pi_a, pi_b, pi_c, protocol, curve } = proof as Partial<Groth16ProofJson>;
  if (protocol !== 'groth16') throw malformed('protocol is not "groth16"');
  if (curve !== 'bn128') throw malformed('curve is not "bn128"');
  const a = parseG1('pi_a', pi_a);
  const c = parseG1('pi_c', pi_c);
  if (!Array.isArray(pi_b) || pi_b.length !== 3) throw malformed('pi_b is not three coordinate pairs');
  const [x, y, z] = pi_b.map((pair, index) => parseFq2(`pi_b[${index}]`, pair));
  if (z![0] !== 1n || z![1] !== 0n) throw malformed('pi_b is not affine (z is not 1)');
  return { a, b: [x!, y!], c };
}

export function requireVerificationKey(key: unknown, publicSignalCount: number): Groth16VerificationKeyJson {
  const candidate = key as Partial<Groth16VerificationKeyJson> | null;
  const fail = (detail: string) => new ProofRejectedError('VERIFICATION_KEY_INVALID', detail);
  if (typeof candidate !== 'object' || candidate === null) throw fail('the verification key is not an object');
  if (candidate.protocol !== 'groth16' || candidate.curve !== 'bn128') throw fail('the verification key is not Groth16 on bn128');
  if (candidate.nPublic !== publicSignalCount) {
    throw fail(`the verification key has ${String(candidate.nPublic)} public signals, the circuit ${publicSignalCount}`);
  }
  if (!Array.isArray(candidate.IC) || candidate.IC.length !== publicSignalCount + 1) throw fail('IC has the wrong length');
  return candidate as Groth16VerificationKeyJson;
}

function parseG1(name: string, point: unknown): [bigint, bigint] {
  if (!Array.isArray(point) || point.length !== 3) throw malformed(`${name} is not three coordinates`);
  const [x, y, z] = point.map((coordinate: unknown, index) => parseFq(`${name}[${index}]`, coordinate));
  if (z !== 1n) throw malformed(`${name} is not affine (z is not 1)`);
  return [x!, y!];
}

function parseFq2(name: string, pair: unknown): [bigint, bigint] {
  if (!Array.isArray(pair) || pair.length !== 2) throw malformed(`${name} is not a coordinate pair`);
  return [parseFq(`${name}[0]`, pair[0]), parseFq(`${name}[1]`, pair[1])];
}

function parseFq(name: string, coordinate: unknown): bigint {
  if (!isCanonicalDecimal(coordinate)) throw malformed(`${name} is not a canonical decimal string`);
  const value = BigInt(coordinate);
  if (value >= BN254_BASE_FIELD) throw malformed(`${name} is not below the base-field modulus`);
  return value;
}

function malformed(detail: string): ProofRejectedError {
  return new ProofRejectedError('PROOF_MALFORMED', detail);
}

/**
 * Parses a proof sent as JSON text (`{"proof": ..., "publicSignals": [...]}`), refusing
 * text over MAX_PROOF_JSON_BYTES before parsing it. The result still goes through the
 * verifier's checks.
 */
export function parseProofJson(text: string): { proof: unknown; publicSignals: unknown } {
  if (new TextEncoder().encode(text).byteLength > MAX_PROOF_JSON_BYTES) {
    throw new ProofRejectedError('PROOF_MALFORMED', `the proof JSON is over ${MAX_PROOF_JSON_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProofRejectedError('PROOF_MALFORMED', 'the proof is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ProofRejectedError('PROOF_MALFORMED', 'the proof JSON is not an object');
  const { proof, publicSignals } = parsed as { proof?: unknown; publicSignals?: unknown };
  return { proof, publicSignals };
}
