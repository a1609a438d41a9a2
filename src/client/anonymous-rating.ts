/**
 * An anonymous rating of a service (docs/ratings.md) from a household's device: a proof
 * of the subject's eligible census (the households census) at its current root, with
 * scope = the subject and period and message = SHA-256 of [score, comment]. A later
 * rating of the same subject in the same period replaces the earlier one.
 */
import type { Identity } from '../zk/identity.ts';
import type { ProvingArtifacts } from '../zk/prover.ts';
import type { PinnedCensusTree, PublicCensusLeaf } from './census-snapshot-path.ts';
import { CensusParticipationError } from './participation-error.ts';
import { proveInCensus, type SubmittableProof } from './prove-in-census.ts';
import { normalizedComment, ratingMessage, ratingScope } from './scope-hash.ts';
import { requireSuccess, type CourtyardClient } from './typed-api/courtyard-client.ts';
import { SUBMIT_ANONYMOUS_RATING } from './typed-api/operations.ts';

export interface AnonymousRating {
  /** The subject as `ratingSubjects` returns it: its id and its `scope(period)`. */
  subject: { id: string; scope: string };
  period: string;
  score: number;
  comment?: string | null;
}

export async function proveAnonymousRating(
  artifacts: ProvingArtifacts,
  input: { identity: Identity; rating: AnonymousRating; leaves: readonly PublicCensusLeaf[]; pinned: PinnedCensusTree },
): Promise<SubmittableProof> {
  const { rating } = input;
  const scope = ratingScope(rating.subject.id, rating.period);
  if (String(scope) !== rating.subject.scope) {
    throw new CensusParticipationError(
      'SCOPE_MISMATCH',
      "Failed to rate: the server's scope is not this subject's and period's",
    );
  }
  return proveInCensus(artifacts, {
    identity: input.identity,
    leaves: input.leaves,
    pinned: input.pinned,
    scope,
    message: ratingMessage(rating.score, rating.comment ?? null),
  });
}

/** Sends the rating with no session; returns its receipt (with `replaced`). */
export async function submitAnonymousRating(client: CourtyardClient, rating: AnonymousRating, proof: SubmittableProof) {
  const result = await client.withoutSession().request(SUBMIT_ANONYMOUS_RATING, {
    subjectId: rating.subject.id,
    period: rating.period,
    score: rating.score,
    comment: normalizedComment(rating.comment),
    proof: proof.json,
  });
  return requireSuccess(result.submitAnonymousRating);
}
