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
export { proveMembership, provingDepth } from './prover.ts';
export type { MembershipProof, ProvingArtifacts } from './prover.ts';
export { MEMBERSHIP_PUBLIC_SIGNALS, MEMBERSHIP_PUBLIC_SIGNAL_COUNT } from './membership-signals.ts';
export type { MembershipPublicSignals } from './membership-signals.ts';
export { MAX_PROOF_JSON_BYTES, parseProofJson } from './proof-format.ts';
export { checkMembershipProof, verifyMembershipProof, verifyMembershipProofWithKeys } from './verifier.ts';
export type {
  DepthExpectations, MembershipExpectations, MembershipKeyInput, VerifiedMembership, VerifiedMembershipAtDepth,
} from './verifier.ts';
export { isMembershipVerificationKey, membershipKeyRing } from './membership-key.ts';
export type { KnownRoot, MembershipKeyRing, MembershipVerificationKey } from './membership-key.ts';
export {
  MAX_MEMBERSHIP_DEPTH, MEMBERSHIP_DEPTHS, isMembershipDepth, membershipDepthOfInstance, membershipInstanceForDepth,
  membershipInstanceNames, nextDeclaredDepth, smallestDeclaredDepthFor,
} from './membership-depths.ts';
export type { MembershipDepth } from './membership-depths.ts';
export { MAX_BATCH_SIZE, verifyMembershipBatch } from './batch-verifier.ts';
export type { BatchProofItem, BatchVerificationResult } from './batch-verifier.ts';
export { verificationKeyHash } from './verification-key.ts';
export type { LabelledVerificationKey } from './verification-key.ts';
export { terminateCurve } from './curve.ts';
export { DEFAULT_MEMBERSHIP_INSTANCE } from './circuit-manifest.ts';
export {
  BABY_JUBJUB_SUBGROUP_ORDER, ENCRYPTED_BALLOT_PUBLIC_SIGNALS, ENCRYPTED_BALLOT_PUBLIC_SIGNAL_COUNT, MAX_ENCRYPTED_BALLOT_AREA,
  buildEncryptedBallotInput, encryptedBallotInstanceForDepth, encryptedBallotSignalsFromArray, proveEncryptedBallot, verifyEncryptedBallotProof,
} from './encrypted-ballot.ts';
export type { AffinePoint, EncryptedBallotExpectations, EncryptedBallotProof, EncryptedBallotPublicSignals, EncryptedBallotRequest } from './encrypted-ballot.ts';
