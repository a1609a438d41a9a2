/**
 * Builds the membership circuit's input from an identity, a census proof and the
 * public values, checking on the way everything the circuit would reject, so a client
 * learns what is wrong before spending a second on proving.
 */
import { ZkInputError } from './errors.ts';
import { requireFieldElement } from './field.ts';
import { identityCommitment, membershipLeaf } from './identity.ts';
import { CENSUS_TREE_DEPTH, extendMerkleProof, verifyMerkleProof } from './merkle-tree.ts';
import type { MerkleProof } from './merkle-tree.ts';

export interface MembershipWitnessRequest {
  secret: bigint;
  /** The member's leaf proof; a proof from a shallower tree is lifted to `depth`. */
  merkleProof: MerkleProof;
  attribute: bigint;
  scope: bigint;
  message: bigint;
  /** The circuit's depth; 20 for the default instance. */
  depth?: number;
}

/** The circuit input as snarkjs takes it: decimal strings. */
export interface MembershipCircuitInput {
  [signal: string]: string | string[];
  root: string;
  attribute: string;
  scope: string;
  message: string;
  secret: string;
  pathElements: string[];
  pathIndices: string[];
}

export async function buildMembershipInput(request: MembershipWitnessRequest): Promise<MembershipCircuitInput> {
  const depth = request.depth ?? CENSUS_TREE_DEPTH;
  const attribute = requireFieldElement('attribute', request.attribute);
  const scope = requireFieldElement('scope', request.scope);
  const message = requireFieldElement('message', request.message);
  if (request.merkleProof.siblings.length > depth) {
    throw new ZkInputError('DEPTH_MISMATCH', `Invalid merkleProof: ${request.merkleProof.siblings.length} levels, the circuit has ${depth}`);
  }
  const proof = await extendMerkleProof(request.merkleProof, depth);
  const leaf = await membershipLeaf(await identityCommitment(request.secret), attribute);
  if (leaf !== proof.leaf) {
    throw new ZkInputError('INVALID_INPUT', 'Invalid merkleProof: its leaf is not Poseidon(Poseidon(secret), attribute)');
  }
  if (!(await verifyMerkleProof(proof))) {
    throw new ZkInputError('INVALID_INPUT', 'Invalid merkleProof: the path does not lead to its root');
  }
  return {
    root: proof.root.toString(),
    attribute: attribute.toString(),
    scope: scope.toString(),
    message: message.toString(),
    secret: request.secret.toString(),
    pathElements: proof.siblings.map(String),
    pathIndices: proof.pathIndices.map(String),
  };
}
