/**
 * Proves membership with snarkjs Groth16, in Node or in a browser. The artifacts come
 * as bytes (fetched from the server, or read by ./artifacts-node.ts) or, in Node, paths.
 *
 * A proof is made at the depth of its artifacts: a census tree of depth d is proved with
 * the instance of depth d (`membershipInstanceForDepth(d)`), and its proof verifies only
 * with that instance's key. A Merkle proof from a shallower tree is lifted to the circuit's
 * depth (`extendMerkleProof`), which changes the root to that of the deeper tree holding
 * the same leaves; one from a deeper tree is refused.
 */
import * as snarkjs from 'snarkjs';
import type { Groth16ProofJson } from 'snarkjs';
import { ZkInputError } from './errors.ts';
import { CENSUS_TREE_DEPTH } from './merkle-tree.ts';
import { buildMembershipInput } from './witness.ts';
import type { MembershipWitnessRequest } from './witness.ts';
import { calculateWitness } from './witness-calculator.ts';
import { prepareCurveForProving } from './multiexp-by-thread.ts';

export interface ProvingArtifacts {
  wasm: Uint8Array | string;
  zkey: Uint8Array | string;
  /** The circuit's tree depth; the loaders set it. Without it, `request.depth` or 20. */
  depth?: number;
}

/** A proof as snarkjs writes it: JSON-safe, verifiable with `snarkjs groth16 verify`. */
export interface MembershipProof {
  proof: Groth16ProofJson;
  /** [nullifier, root, attribute, scope, message] as decimal strings. */
  publicSignals: string[];
}

/** The depth a proof is made at: the artifacts', which the request may repeat but not contradict. */
export function provingDepth(artifacts: ProvingArtifacts, request: MembershipWitnessRequest): number {
  if (artifacts.depth !== undefined && request.depth !== undefined && artifacts.depth !== request.depth) {
    throw new ZkInputError(
      'DEPTH_MISMATCH',
      `Invalid depth: the request asks for ${request.depth}, the artifacts are for depth ${artifacts.depth}`,
    );
  }
  return artifacts.depth ?? request.depth ?? CENSUS_TREE_DEPTH;
}

/** Where a proof's time went, filled in when asked for (benchmarks, the portal's worker). */
export interface ProvingTimings {
  witnessMs: number;
  groth16Ms: number;
}

export async function proveMembership(
  artifacts: ProvingArtifacts,
  request: MembershipWitnessRequest,
  timings?: ProvingTimings,
): Promise<MembershipProof> {
  const input = await buildMembershipInput({ ...request, depth: provingDepth(artifacts, request) });
  // snarkjs's shared curve, its multi-exponentiations sending each base to a thread once.
  await prepareCurveForProving();
  // A wasm path (Node): snarkjs reads and compiles it for this proof.
  if (typeof artifacts.wasm === 'string') {
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, artifacts.wasm, artifacts.zkey);
    return { proof, publicSignals };
  }
  // Wasm bytes: one compiled witness calculator per circuit, reused (./witness-calculator.ts).
  const started = performance.now();
  const witness = await calculateWitness(artifacts.wasm, input);
  const witnessDone = performance.now();
  const { proof, publicSignals } = await snarkjs.groth16.prove(artifacts.zkey, witness);
  if (timings) Object.assign(timings, { witnessMs: witnessDone - started, groth16Ms: performance.now() - witnessDone });
  return { proof, publicSignals };
}
