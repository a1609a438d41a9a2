/**
 * Rating score cards in a regulator's view: the property-management company's score card
 * of the community's latest rating period (src/ratings/rating-aggregates.ts), one line
 * per service category — its key, how many ratings counted, their mean — and never a
 * rater or a comment (comments are free text; the community's members read them on the
 * card itself). Empty when the community never opened a rating period.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { Viewer } from '../accounts/viewer.ts';
import { scoreCard } from '../ratings/rating-aggregates.ts';

export interface RatingScoreCard {
  /** The rated service category's key (`cleaning`, `security`, …). */
  subject: string;
  /** The rating period the line is of (`2026-11`). */
  period: string;
  ratings: number;
  /** Mean score (1–5), or null when nothing was rated. */
  average: number | null;
}

export async function scoreCardsOf(
  em: SqlEntityManager,
  viewer: Viewer | null,
  communityId: string,
): Promise<RatingScoreCard[]> {
  const [latest]: Array<{ period: string }> = await em.execute(
    'select period from rating_periods where community_id = ? order by period desc limit 1',
    [communityId],
  );
  if (!latest) return [];
  const card = await scoreCard(em, viewer, communityId, latest.period);
  return [
    ...card.subjects.map(({ subject, aggregate }) => ({
      subject: subject.key,
      period: latest.period,
      ratings: aggregate.count,
      average: aggregate.mean,
    })),
    { subject: 'overall', period: latest.period, ratings: card.overall.count, average: card.overall.mean },
  ];
}
