/**
 * The seam for rating score cards in a regulator's view. The ratings domain (being built
 * separately) registers one source when its module loads; until then a community has no
 * score cards and the view says so with an empty list. A score card is an aggregate over
 * a rated subject — never a rater.
 */
import type { SqlEntityManager } from '../db/orm.ts';

export interface RatingScoreCard {
  /** What was rated (a service, a contractor, an activity), as the ratings domain names it. */
  subject: string;
  ratings: number;
  /** Mean score, or null when nothing was rated. */
  average: number | null;
}

export type ScoreCardSource = (em: SqlEntityManager, communityId: string) => Promise<RatingScoreCard[]>;

let source: ScoreCardSource | undefined;

/** Called once by the ratings module; a second source replaces the first. */
export function registerScoreCardSource(next: ScoreCardSource): void {
  source = next;
}

export async function scoreCardsOf(em: SqlEntityManager, communityId: string): Promise<RatingScoreCard[]> {
  return source ? source(em, communityId) : [];
}
