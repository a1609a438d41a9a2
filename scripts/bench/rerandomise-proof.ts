/**
 * A new Groth16 proof of the same statement, for benchmarks that need many distinct
 * proofs without running the prover each time. Groth16 proofs are malleable:
 * A' = r1·A, B' = r1⁻¹·B + r1⁻¹r2·δ, C' = C + r2·A verifies for the same public signals
 * with points the verifier has never seen, so every copy is verified in full.
 */
import { getCurve } from '../../src/zk/curve.ts';
import { SNARK_SCALAR_FIELD } from '../../src/zk/field.ts';
import type { MembershipProof } from '../../src/zk/prover.ts';

function modInverse(value: bigint, modulus: bigint): bigint {
  let [a, b, x, y] = [((value % modulus) + modulus) % modulus, modulus, 1n, 0n];
  while (b !== 0n) {
    const q = a / b;
    [a, b, x, y] = [b, a - q * b, y, x - q * y];
  }
  return ((x % modulus) + modulus) % modulus;
}

function randomScalar(): bigint {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return (BigInt(`0x${Buffer.from(bytes).toString('hex')}`) % (SNARK_SCALAR_FIELD - 1n)) + 1n;
}

/** `delta` is the verification key's vk_delta_2. */
export async function rerandomise(proof: MembershipProof, delta: string[][]): Promise<MembershipProof> {
  const curve = await getCurve();
  const { G1, G2 } = curve;
  const p = proof.proof as unknown as { pi_a: string[]; pi_b: string[][]; pi_c: string[] };
  const a = G1.fromObject(p.pi_a.map(BigInt));
  const b = G2.fromObject(p.pi_b.map((pair) => pair.map(BigInt)) as unknown as bigint[]);
  const c = G1.fromObject(p.pi_c.map(BigInt));
  const d = G2.fromObject(delta.map((pair) => pair.map(BigInt)) as unknown as bigint[]);
  const r1 = randomScalar();
  const r2 = randomScalar();
  const inverse = modInverse(r1, SNARK_SCALAR_FIELD);
  const a2 = G1.timesScalar(a, r1);
  const b2 = G2.add(G2.timesScalar(b, inverse), G2.timesScalar(d, (inverse * r2) % SNARK_SCALAR_FIELD));
  const c2 = G1.add(c, G1.timesScalar(a, r2));
  // ffjavascript's groups have toObject; the vendored typings (src/zk) leave it out.
  const toObject = (group: unknown, point: Uint8Array) =>
    (group as { toObject(point: Uint8Array): unknown[] }).toObject(point);
  const g1 = (point: Uint8Array) => (toObject(G1, G1.toAffine(point)) as bigint[]).map(String);
  const g2 = (point: Uint8Array) => (toObject(G2, G2.toAffine(point)) as bigint[][]).map((pair) => pair.map(String));
  return { ...proof, proof: { ...p, pi_a: g1(a2), pi_b: g2(b2), pi_c: g1(c2) } as unknown as MembershipProof['proof'] };
}
