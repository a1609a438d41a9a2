/**
 * The resident SDK, as bundled for the browser (`scripts/build-client.ts`, served by
 * src/server/client-routes.ts): everything a resident's device needs to take part
 * anonymously — create and back up an identity, rebuild a census tree or read a census
 * proof, fetch the circuit from its own server, and prove. It runs in Node too.
 */
export { createIdentity, identityCommitment, membershipLeaf, membershipNullifier } from '../zk/identity.ts';
export type { Identity } from '../zk/identity.ts';
export { backupIdentity, restoreIdentity } from './identity-backup.ts';
export { CENSUS_TREE_DEPTH, MemoryNodeStore, PoseidonMerkleTree } from '../zk/merkle-tree.ts';
export { MEMBERSHIP_DEPTHS, membershipInstanceForDepth, smallestDeclaredDepthFor } from '../zk/membership-depths.ts';
export type { MembershipDepth } from '../zk/membership-depths.ts';
export type { MerkleProof } from '../zk/merkle-tree.ts';
export { membershipInputFromCensus, parseCensusMerkleProof, toMerkleProof } from './census-proof.ts';
export type { CensusMerkleProofJson, CensusWitnessRequest } from './census-proof.ts';
export {
  ARTIFACTS_MANIFEST_PATH,
  ArtifactFetchError,
  MAX_ARTIFACT_BYTES,
  fetchProvingArtifacts,
} from './proving-artifacts.ts';
export type { FetchArtifactsOptions, FetchedProvingArtifacts } from './proving-artifacts.ts';
export { censusProofDepth, proveCensusMembership } from './prove.ts';
export { paidSetPath } from './fee-proof.ts';
export type { PaidSetLeafJson } from './fee-proof.ts';
export type { MembershipProof } from '../zk/prover.ts';
export { MEMBERSHIP_PUBLIC_SIGNALS } from '../zk/membership-signals.ts';
export { ZkInputError } from '../zk/errors.ts';
export { SNARK_SCALAR_FIELD } from '../zk/field.ts';
export {
  ENCRYPTED_IDENTITY_PREFIX,
  IDENTITY_SCRYPT_LOG_N,
  IDENTITY_SCRYPT_P,
  IDENTITY_SCRYPT_R,
  IdentityBackupError,
  MIN_PASSPHRASE_LENGTH,
  decryptIdentity,
  encryptIdentity,
  openIdentityBackup,
} from './identity-backup.ts';
export { CourtyardApiError, CourtyardClient, GRAPHQL_PATH, requireSuccess } from './typed-api/courtyard-client.ts';
export * as operations from './typed-api/operations.ts';
export { graphql } from './typed-api/tada.ts';
export type { ResultOf, VariablesOf } from './typed-api/tada.ts';
export { censusPathFor } from './census-snapshot-path.ts';
export type { PinnedCensusTree, PublicCensusLeaf } from './census-snapshot-path.ts';
export { CensusParticipationError } from './participation-error.ts';
export { proveInCensus } from './prove-in-census.ts';
export type { CensusProofRequest, SubmittableProof } from './prove-in-census.ts';
export {
  localIdOf,
  proposalScope,
  ratingMessage,
  ratingScope,
  suggestionMessage,
  suggestionScope,
} from './scope-hash.ts';
export { proveAnonymousRating, submitAnonymousRating } from './anonymous-rating.ts';
export type { AnonymousRating } from './anonymous-rating.ts';
export {
  anonymousBallotRequest,
  castAnonymousBallot,
  checkBallotReceipt,
  fetchCensus,
  fetchCensusLeaves,
  fetchProposal,
  proveAnonymousBallot,
} from './anonymous-ballot.ts';
export type { BallotProposal, BallotReceipt, BallotReceiptCheck } from './anonymous-ballot.ts';
export {
  ANONYMOUS_SUGGESTION_SLOTS,
  anonymousSuggestionRequest,
  proveAnonymousSuggestion,
  submitAnonymousSuggestion,
} from './anonymous-suggestion.ts';
export type { AnonymousSuggestion } from './anonymous-suggestion.ts';
