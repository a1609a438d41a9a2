/**
 * An anonymous ballot from the resident's device: read the proposal and the census's
 * public leaves, check the scope, prove (scope = the proposal, message = the choice's
 * position, attribute = the leaf's weight, root = the pinned root), send the proof with
 * no login, keep the receipt, and later check that it is in the result's checkpoint.
 * Voting again before the close sends a new proof with the same nullifier: it replaces
 * the earlier ballot.
 */
import type { Identity } from '../zk/identity.ts';
import type { ProvingArtifacts } from '../zk/prover.ts';
import type { PublicCensusLeaf, PinnedCensusTree } from './census-snapshot-path.ts';
import { requireSuccess, type CourtyardClient } from './typed-api/courtyard-client.ts';
import { CAST_ANONYMOUS_BALLOT, CENSUS_LEAVES, CHECK_BALLOT_RECEIPT, PROPOSAL } from './typed-api/operations.ts';
import type { ResultOf } from './typed-api/tada.ts';
import { CensusParticipationError } from './participation-error.ts';
import { proveInCensus, type CensusProofRequest, type SubmittableProof } from './prove-in-census.ts';
import { proposalScope } from './scope-hash.ts';

/** The fields of a proposal an anonymous ballot needs (the `ProposalFields` fragment has them). */
export interface BallotProposal {
  id: string;
  status: string;
  mode: string;
  scope: string;
  options: ReadonlyArray<{ id: string; message: string }>;
  snapshot: PinnedCensusTree | null;
}

export type BallotReceipt = Extract<
  ResultOf<typeof CAST_ANONYMOUS_BALLOT>['castAnonymousBallot'],
  { data: unknown }
>['data'];
export type BallotReceiptCheck = Extract<
  ResultOf<typeof CHECK_BALLOT_RECEIPT>['checkBallotReceipt'],
  { data: unknown }
>['data'];

/** Page size of the leaves query (the API's maximum). */
const LEAVES_PAGE_SIZE = 100;
/** A census larger than the deepest circuit holds cannot be rebuilt: stop there. */
const MAX_CENSUS_PAGES = 2 ** 20 / LEAVES_PAGE_SIZE;

/**
 * Every leaf of a census, in index order (public to the community's readers), and the
 * census's current tree. A census that changes between pages shows as a root that the
 * leaves do not rebuild (`ROOT_NOT_PINNED` when proving): read it again.
 */
export async function fetchCensus(
  client: CourtyardClient,
  communityId: string,
  kind: 'OWNERS' | 'HOUSEHOLDS',
): Promise<{ leaves: PublicCensusLeaf[]; current: PinnedCensusTree }> {
  const leaves: PublicCensusLeaf[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_CENSUS_PAGES; page += 1) {
    const result: ResultOf<typeof CENSUS_LEAVES> = await client.request(CENSUS_LEAVES, {
      communityId,
      kind,
      first: LEAVES_PAGE_SIZE,
      after,
    });
    leaves.push(...result.census.leaves.edges.map((edge) => edge.node));
    if (!result.census.leaves.pageInfo.hasNextPage) {
      const { root, depth, size } = result.census;
      return { leaves, current: { root, depth, size } };
    }
    after = result.census.leaves.pageInfo.endCursor;
  }
  throw new CensusParticipationError(
    'CENSUS_INCOMPLETE',
    'Failed to read the census: more leaves than any circuit holds',
  );
}

/** Every leaf of a census, in index order. */
export async function fetchCensusLeaves(
  client: CourtyardClient,
  communityId: string,
  kind: 'OWNERS' | 'HOUSEHOLDS',
): Promise<PublicCensusLeaf[]> {
  return (await fetchCensus(client, communityId, kind)).leaves;
}

/** Checks the proposal and the choice on the device and says what to prove. */
export function anonymousBallotRequest(
  identity: Identity,
  proposal: BallotProposal,
  choice: string,
  leaves: readonly PublicCensusLeaf[],
): CensusProofRequest {
  if (proposal.mode !== 'ANONYMOUS' || proposal.status !== 'OPEN' || !proposal.snapshot) {
    throw new CensusParticipationError(
      'PROPOSAL_NOT_OPEN',
      'Failed to vote: the proposal is not an open anonymous vote',
    );
  }
  const scope = proposalScope(proposal.id);
  if (String(scope) !== proposal.scope) {
    throw new CensusParticipationError('SCOPE_MISMATCH', "Failed to vote: the server's scope is not this proposal's");
  }
  const option = proposal.options.find((candidate) => candidate.id === choice);
  if (!option) throw new CensusParticipationError('UNKNOWN_CHOICE', `Failed to vote: "${choice}" is not an option`);
  const position = proposal.options.indexOf(option);
  if (option.message !== String(position + 1)) {
    throw new CensusParticipationError(
      'SCOPE_MISMATCH',
      "Failed to vote: the server's message for the choice is not its position",
    );
  }
  return { identity, leaves, pinned: proposal.snapshot, scope, message: BigInt(position + 1) };
}

export async function proveAnonymousBallot(
  artifacts: ProvingArtifacts,
  input: { identity: Identity; proposal: BallotProposal; choice: string; leaves: readonly PublicCensusLeaf[] },
): Promise<SubmittableProof> {
  return proveInCensus(artifacts, anonymousBallotRequest(input.identity, input.proposal, input.choice, input.leaves));
}

/** Sends the ballot (no login) and returns its receipt; the API's refusals throw `CourtyardApiError` with their code. */
export async function castAnonymousBallot(
  client: CourtyardClient,
  ballot: { proposalId: string; choice: string; proof: SubmittableProof | string },
): Promise<BallotReceipt> {
  const proof = typeof ballot.proof === 'string' ? ballot.proof : ballot.proof.json;
  const anonymous = client.withoutSession();
  const result = await anonymous.request(CAST_ANONYMOUS_BALLOT, {
    proposalId: ballot.proposalId,
    choice: ballot.choice,
    proof,
  });
  return requireSuccess(result.castAnonymousBallot);
}

export async function fetchProposal(client: CourtyardClient, proposalId: string) {
  return requireSuccess((await client.request(PROPOSAL, { id: proposalId })).proposal);
}

/** Whether the ballot with this nullifier is in the checkpoint the result cites, and counts. */
export async function checkBallotReceipt(
  client: CourtyardClient,
  receipt: { proposalId: string; nullifier: string },
): Promise<BallotReceiptCheck> {
  const result = await client.request(CHECK_BALLOT_RECEIPT, {
    proposalId: receipt.proposalId,
    nullifier: receipt.nullifier,
    ballotId: null,
  });
  return requireSuccess(result.checkBallotReceipt);
}
