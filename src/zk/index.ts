/**
 * Courtyard's zero-knowledge layer, browser-safe: identities, census trees, witness
 * building, proving and verifying. Node-only file loading is in ./artifacts-node.ts.
 */
export { ProofRejectedError, ZkInputError } from './errors.ts';
export type { ProofRejectionCode } from './errors.ts';
export { SNARK_SCALAR_FIELD, BN254_BASE_FIELD, requireFieldElement } from './field.ts';
export { getPoseidon } from './poseidon.ts';
export type { Poseidon } from './poseidon.ts';
export {
  createIdentity, exportIdentitySecret, generateIdentitySecret, identityCommitment, importIdentitySecret, membershipLeaf, membershipNullifier,
} from './identity.ts';
export type { Identity } from './identity.ts';
export {
  CENSUS_TREE_DEPTH, MAX_TREE_DEPTH, MemoryNodeStore, PoseidonMerkleTree, extendMerkleProof, verifyMerkleProof, zeroHashes,
} from './merkle-tree.ts';
export type { MerkleNode, MerkleNodeStore, MerkleProof, MerkleTreeSnapshot, NodePosition } from './merkle-tree.ts';
export { buildMembershipInput } from './witness.ts';
export type { MembershipCircuitInput, MembershipWitnessRequest } from './witness.ts';
export { proveMembership } from './prover.ts';
export type { MembershipProof, ProvingArtifacts } from './prover.ts';
export { MEMBERSHIP_PUBLIC_SIGNALS, MEMBERSHIP_PUBLIC_SIGNAL_COUNT } from './membership-signals.ts';
export type { MembershipPublicSignals } from './membership-signals.ts';
export { MAX_PROOF_JSON_BYTES, parseProofJson } from './proof-format.ts';
export { checkMembershipProof, verifyMembershipProof } from './verifier.ts';
export type { MembershipExpectations, VerifiedMembership } from './verifier.ts';
export { MAX_BATCH_SIZE, verifyMembershipBatch } from './batch-verifier.ts';
export type { BatchProofItem, BatchVerificationResult } from './batch-verifier.ts';
export { verificationKeyHash } from './verification-key.ts';
export type { LabelledVerificationKey } from './verification-key.ts';
export { terminateCurve } from './curve.ts';
export { DEFAULT_MEMBERSHIP_INSTANCE } from './circuit-manifest.ts';
