/**
 * What the ratings add up to, read from the ratings that count (`rating_current`): per
 * subject and period (count, sum, mean, distribution), the trend of a subject across the
 * community's periods, the score card of the property-management company for a period
 * (every service category and all of them together), and the card's comments — those of
 * the counted ratings, minus the hidden ones. Hidden comments keep their scores.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { requireCommunityReader, type Viewer } from '../accounts/viewer.ts';
import { aggregateFromDistribution, MAX_TREND_PERIODS, type RatingAggregate } from './rating-rules.ts';
import { commentFromRow, COMMENT_COLUMNS, type RatingComment } from './ratings.ts';
import { findPeriod, listSubjects, type RatingPeriod, type RatingSubject } from './rating-subjects.ts';
import { RatingsError } from './ratings-errors.ts';

type Counts = Array<{ subject_id: string; period: string; score: unknown; count: unknown }>;

function distributionOf(rows: Counts): number[] {
  const distribution = [0, 0, 0, 0, 0];
  for (const row of rows) distribution[Number(row.score) - 1]! += Number(row.count);
  return distribution;
}

export async function subjectAggregate(
  em: SqlEntityManager,
  subjectId: string,
  period: string,
): Promise<RatingAggregate> {
  const rows: Counts = await em.execute(
    'select subject_id, period, score, count(*) as count from rating_current where subject_id = ? and period = ? group by subject_id, period, score',
    [subjectId, period],
  );
  return aggregateFromDistribution(distributionOf(rows));
}

export interface TrendPoint {
  period: string;
  aggregate: RatingAggregate;
}

/** The subject's aggregates over the community's latest `periods` periods (at most MAX_TREND_PERIODS), oldest first. */
export async function subjectTrend(
  em: SqlEntityManager,
  subject: RatingSubject,
  periods: number,
): Promise<TrendPoint[]> {
  const limit = Math.max(1, Math.min(periods, MAX_TREND_PERIODS));
  const latest: Array<{ period: string }> = await em.execute(
    'select period from rating_periods where community_id = ? order by period desc limit ?',
    [subject.communityId, limit],
  );
  if (latest.length === 0) return [];
  const names = latest.map((row) => row.period).reverse();
  const rows: Counts = await em.execute(
    `select subject_id, period, score, count(*) as count from rating_current
      where subject_id = ? and period >= ? and period <= ? group by subject_id, period, score`,
    [subject.id, names[0], names[names.length - 1]],
  );
  return names.map((period) => ({
    period,
    aggregate: aggregateFromDistribution(distributionOf(rows.filter((row) => row.period === period))),
  }));
}

export interface ScoreCard {
  communityId: string;
  period: RatingPeriod;
  subjects: Array<{ subject: RatingSubject; aggregate: RatingAggregate }>;
  /** Every service category's counted ratings together. */
  overall: RatingAggregate;
}

/** The property-management company's score card for one period: members and regulators of the community read it. */
export async function scoreCard(
  em: SqlEntityManager,
  viewer: Viewer | null,
  communityId: string,
  period: string,
): Promise<ScoreCard> {
  requireCommunityReader(viewer, communityId);
  const found = await findPeriod(em, communityId, period);
  if (!found) throw new RatingsError('PERIOD_NOT_OPEN', `No score card: period ${period} was never opened`);
  const subjects = (await listSubjects(em, communityId)).filter((subject) => subject.kind === 'service');
  const rows: Counts = await em.execute(
    'select subject_id, period, score, count(*) as count from rating_current where community_id = ? and period = ? group by subject_id, period, score',
    [communityId, period],
  );
  const services = new Set(subjects.map((subject) => subject.id));
  return {
    communityId,
    period: found,
    subjects: subjects.map((subject) => ({
      subject,
      aggregate: aggregateFromDistribution(distributionOf(rows.filter((row) => row.subject_id === subject.id))),
    })),
    overall: aggregateFromDistribution(distributionOf(rows.filter((row) => services.has(row.subject_id)))),
  };
}

/**
 * A page of the card's comments of counted ratings, newest first; keyset on (cast_at, id):
 * the visible ones, or (`hidden`) the hidden ones, which only the stewards review.
 */
export async function listComments(
  em: SqlEntityManager,
  communityId: string,
  period: string,
  page: { condition: string; orderBy: string; limit: number; parameters: unknown[] },
  hidden = false,
): Promise<RatingComment[]> {
  const rows: Array<Record<string, unknown>> = await em.execute(
    `select ${COMMENT_COLUMNS} from rating_current c join ratings r on r.id = c.rating_id
      where c.community_id = ? and c.period = ? and r.comment is not null and r.hidden_at is ${hidden ? 'not null' : 'null'}
        and ${page.condition}
      order by ${page.orderBy} limit ?`,
    [communityId, period, ...page.parameters, page.limit],
  );
  return rows.map(commentFromRow);
}
