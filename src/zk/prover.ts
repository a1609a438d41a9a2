/**
 * Proves membership with snarkjs Groth16, in Node or in a browser. The artifacts come
 * as bytes (fetched from the server, or read by ./artifacts-node.ts) or, in Node, paths.
 */
import * as snarkjs from 'snarkjs';
import type { Groth16ProofJson } from 'snarkjs';
import { buildMembershipInput } from './witness.ts';
import type { MembershipWitnessRequest } from './witness.ts';

export interface ProvingArtifacts {
  wasm: Uint8Array | string;
  zkey: Uint8Array | string;
}

/** A proof as snarkjs writes it: JSON-safe, verifiable with `snarkjs groth16 verify`. */
export interface MembershipProof {
  proof: Groth16ProofJson;
  /** [nullifier, root, attribute, scope, message] as decimal strings. */
  publicSignals: string[];
}

export async function proveMembership(artifacts: ProvingArtifacts, request: MembershipWitnessRequest): Promise<MembershipProof> {
  const input = await buildMembershipInput(request);
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, artifacts.wasm, artifacts.zkey);
  return { proof, publicSignals };
}
