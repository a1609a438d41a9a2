/**
 * A census Merkle proof as the GraphQL API returns it (`censusMerkleProof`: decimal
 * strings), turned into the SDK's `MerkleProof`, and from there into the circuit's input.
 * Every field is checked here, at the boundary, and the message names the bad one.
 */
import { ZkInputError } from '../zk/errors.ts';
import { requireFieldElement } from '../zk/field.ts';
import { MAX_TREE_DEPTH } from '../zk/merkle-tree.ts';
import type { MerkleProof } from '../zk/merkle-tree.ts';
import { buildMembershipInput } from '../zk/witness.ts';
import type { MembershipCircuitInput } from '../zk/witness.ts';
import type { Identity } from '../zk/identity.ts';

/** The `CensusMerkleProof` GraphQL object, as JSON. */
export interface CensusMerkleProofJson {
  root: string;
  leaf: string;
  leafIndex: number;
  siblings: readonly string[];
  pathIndices: readonly number[];
  /**
   * The depth of the census tree (the API names it): the depth to prove at. When given it
   * must equal the number of siblings.
   */
  depth?: number;
}

function invalid(detail: string): ZkInputError {
  return new ZkInputError('INVALID_INPUT', `Invalid census proof: ${detail}`);
}

export function parseCensusMerkleProof(json: CensusMerkleProofJson): MerkleProof {
  const { siblings, pathIndices, leafIndex } = json;
  if (!Array.isArray(siblings) || !Array.isArray(pathIndices)) throw invalid('siblings and pathIndices must be arrays');
  if (siblings.length === 0 || siblings.length > MAX_TREE_DEPTH)
    throw invalid(`siblings must have 1 to ${MAX_TREE_DEPTH} levels`);
  if (pathIndices.length !== siblings.length) throw invalid('pathIndices and siblings differ in length');
  if (json.depth !== undefined && json.depth !== siblings.length) {
    throw invalid(`depth ${String(json.depth)} is not the number of siblings (${siblings.length})`);
  }
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= 2 ** siblings.length)
    throw invalid('leafIndex is out of range');
  pathIndices.forEach((bit, level) => {
    if (bit !== Math.floor(leafIndex / 2 ** level) % 2) {
      throw invalid(`pathIndices[${level}] is not bit ${level} of leafIndex`);
    }
  });
  return {
    root: requireFieldElement('root', json.root),
    leaf: requireFieldElement('leaf', json.leaf),
    index: leafIndex,
    siblings: siblings.map((sibling, level) => requireFieldElement(`siblings[${level}]`, sibling)),
    pathIndices: [...pathIndices],
  };
}

export interface CensusWitnessRequest {
  identity: Identity;
  censusProof: CensusMerkleProofJson | MerkleProof;
  /** The member's weight (owners census) or 1 (households census): part of the leaf. */
  attribute: bigint;
  scope: bigint;
  message: bigint;
}

/** A proof from the API (decimal strings) is parsed and checked; one already parsed (an in-device tree's) is kept. */
export function toMerkleProof(proof: CensusMerkleProofJson | MerkleProof): MerkleProof {
  return typeof proof.root === 'bigint'
    ? (proof as MerkleProof)
    : parseCensusMerkleProof(proof as CensusMerkleProofJson);
}

/** The circuit input for this identity and census proof; throws ZkInputError before any proving if they disagree. */
export function membershipInputFromCensus(request: CensusWitnessRequest): Promise<MembershipCircuitInput> {
  return buildMembershipInput({
    secret: request.identity.secret,
    merkleProof: toMerkleProof(request.censusProof),
    attribute: request.attribute,
    scope: request.scope,
    message: request.message,
  });
}
