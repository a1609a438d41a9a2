/**
 * An anonymous suggestion (建议) from a household's device: a proof of the HOUSEHOLDS
 * census at its current root, with scope = (community, UTC day, slot 0–2) and message =
 * SHA-256 of [title, body]; each slot's nullifier is used once a day, so a household
 * sends at most three a day, unlinkable across slots and days.
 */
import type { Identity } from '../zk/identity.ts';
import type { ProvingArtifacts } from '../zk/prover.ts';
import type { PublicCensusLeaf, PinnedCensusTree } from './census-snapshot-path.ts';
import { requireSuccess, type CourtyardClient } from './typed-api/courtyard-client.ts';
import { SUBMIT_ANONYMOUS_SUGGESTION } from './typed-api/operations.ts';
import { CensusParticipationError } from './participation-error.ts';
import { proveInCensus, type CensusProofRequest, type SubmittableProof } from './prove-in-census.ts';
import { suggestionMessage, suggestionScope } from './scope-hash.ts';

export const ANONYMOUS_SUGGESTION_SLOTS = 3;

export interface AnonymousSuggestion {
  communityId: string;
  title: string;
  body: string;
  /** 0, 1 or 2: a household's first, second or third anonymous suggestion of the day. */
  slot: number;
  /** The UTC day the server will check the proof against; defaults to today. */
  day?: string;
}

export function anonymousSuggestionRequest(
  identity: Identity,
  suggestion: AnonymousSuggestion,
  census: { leaves: readonly PublicCensusLeaf[]; pinned: PinnedCensusTree },
): CensusProofRequest {
  if (!Number.isInteger(suggestion.slot) || suggestion.slot < 0 || suggestion.slot >= ANONYMOUS_SUGGESTION_SLOTS) {
    throw new CensusParticipationError('INVALID_SLOT', `Invalid slot: must be 0 to ${ANONYMOUS_SUGGESTION_SLOTS - 1}`);
  }
  const day = suggestion.day ?? new Date().toISOString().slice(0, 10);
  return {
    identity,
    leaves: census.leaves,
    pinned: census.pinned,
    scope: suggestionScope(suggestion.communityId, day, suggestion.slot),
    message: suggestionMessage(suggestion.title, suggestion.body),
  };
}

export async function proveAnonymousSuggestion(
  artifacts: ProvingArtifacts,
  input: {
    identity: Identity;
    suggestion: AnonymousSuggestion;
    leaves: readonly PublicCensusLeaf[];
    pinned: PinnedCensusTree;
  },
): Promise<SubmittableProof> {
  return proveInCensus(artifacts, anonymousSuggestionRequest(input.identity, input.suggestion, input));
}

export async function submitAnonymousSuggestion(
  client: CourtyardClient,
  suggestion: AnonymousSuggestion,
  proof: SubmittableProof,
) {
  const anonymous = client.withoutSession();
  const result = await anonymous.request(SUBMIT_ANONYMOUS_SUGGESTION, {
    communityId: suggestion.communityId,
    title: suggestion.title,
    body: suggestion.body,
    slot: suggestion.slot,
    proof: proof.json,
  });
  return requireSuccess(result.submitAnonymousSuggestion);
}
