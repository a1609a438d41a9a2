/**
 * The pure rules of ratings: what a period is, what a score is, how an anonymous rating is
 * bound to its subject, period, score and comment, and how ratings add up. The live
 * service, the replay and the tests use these same functions.
 *
 *   scope   = SHA-256("courtyard/ratings/v1/" ‖ subject id ‖ "/" ‖ period) mod r
 *   message = SHA-256(JSON [score, comment or null]) mod r   (the comment trimmed)
 *
 * The nullifier Poseidon(scope, secret) is then one per household, subject and period:
 * the same household's ratings of two subjects, or of one subject in two periods, carry
 * unrelated nullifiers. A proof made for one score or comment does not verify for another.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../domain-error.ts';
import { SNARK_SCALAR_FIELD } from '../zk/field.ts';

export const RATING_SCOPE_DOMAIN = 'courtyard/ratings/v1/';
export const MIN_SCORE = 1;
export const MAX_SCORE = 5;
export const MAX_COMMENT_LENGTH = 500;
export const MAX_LABEL_LENGTH = 100;
export const MAX_HIDE_REASON_LENGTH = 500;
/** Service categories per community; MAX_SUBJECTS bounds the score card. */
export const MAX_SUBJECTS = 30;
/** Most periods a trend reads. */
export const MAX_TREND_PERIODS = 24;

/** The service categories every community starts with (when its first period opens). */
export const DEFAULT_SERVICE_CATEGORIES: ReadonlyArray<{ key: string; label: string }> = [
  { key: 'cleaning', label: '保洁 Cleaning' },
  { key: 'security', label: '安保 Security' },
  { key: 'greening', label: '绿化 Greening' },
  { key: 'repairs', label: '维修 Repairs' },
  { key: 'management', label: '管理 Management' },
];

const PERIOD_PATTERN = /^[0-9]{4}-(0[1-9]|1[0-2])$/u;
const KEY_PATTERN = /^[a-z][a-z0-9-]{0,31}$/u;

/** The earliest period (Date.UTC would read the years 0–99 as 1900–1999; no rating is older). */
export const FIRST_PERIOD = '2000-01';

/** A period is a calendar month in UTC, written `YYYY-MM`, from FIRST_PERIOD on. */
export function requirePeriod(value: string, parameter = 'period'): string {
  if (!PERIOD_PATTERN.test(value) || value < FIRST_PERIOD) {
    throw new InvalidInputError(parameter, `must be a month written YYYY-MM, from ${FIRST_PERIOD} on`);
  }
  return value;
}

/** The first instant of the period (UTC). */
export function periodStart(period: string): Date {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month - 1, 1));
}

/** The first instant after the period (UTC). */
export function periodEnd(period: string): Date {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 1));
}

/** The period `now` falls in. */
export function periodOf(now: Date): string {
  return now.toISOString().slice(0, 7);
}

export function requireSubjectKey(value: string): string {
  if (!KEY_PATTERN.test(value))
    throw new InvalidInputError('key', 'must be 1–32 lowercase letters, digits or hyphens, starting with a letter');
  return value;
}

export function requireScore(value: number): number {
  if (!Number.isInteger(value) || value < MIN_SCORE || value > MAX_SCORE)
    throw new InvalidInputError('score', `must be an integer from ${MIN_SCORE} to ${MAX_SCORE}`);
  return value;
}

function hashToField(text: string): bigint {
  return BigInt(`0x${createHash('sha256').update(text, 'utf8').digest('hex')}`) % SNARK_SCALAR_FIELD;
}

export function ratingScope(subjectId: string, period: string): bigint {
  return hashToField(`${RATING_SCOPE_DOMAIN}${subjectId}/${period}`);
}

/** Binds an anonymous proof to the score and the (trimmed) comment. */
export function ratingMessage(score: number, comment: string | null): bigint {
  return hashToField(JSON.stringify([score, comment]));
}

export interface RatingAggregate {
  count: number;
  /** The sum of the scores: the mean is sum / count, exactly. */
  sum: number;
  /** Mean score, null when nobody rated. */
  mean: number | null;
  /** How many ratings gave each score: index 0 is score 1, index 4 score 5. */
  distribution: [number, number, number, number, number];
}

/** Count, sum, mean and distribution of the scores that count. */
export function aggregateScores(scores: Iterable<number>): RatingAggregate {
  const distribution: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  let count = 0;
  let sum = 0;
  for (const score of scores) {
    const index = requireScore(score) - 1;
    distribution[index] = distribution[index]! + 1;
    count += 1;
    sum += score;
  }
  return { count, sum, mean: count === 0 ? null : sum / count, distribution };
}

/** An aggregate from the per-score counts (as SQL returns them). */
export function aggregateFromDistribution(distribution: readonly number[]): RatingAggregate {
  const counts = [0, 1, 2, 3, 4].map((index) => distribution[index] ?? 0) as [number, number, number, number, number];
  const count = counts.reduce((a, b) => a + b, 0);
  const sum = counts.reduce((total, n, index) => total + n * (index + 1), 0);
  return { count, sum, mean: count === 0 ? null : sum / count, distribution: counts };
}

/** The period an activity is reviewed in: the month (UTC) it ended, so each rater has one review of it that counts. */
export function activityReviewPeriod(endsAt: Date): string {
  return endsAt.toISOString().slice(0, 7);
}
