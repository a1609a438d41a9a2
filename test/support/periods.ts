/**
 * The periods "now" falls in, each by its own calendar. Money's periods are civil months
 * in the community's time zone (Asia/Shanghai by default): from 16:00 UTC on a month's
 * last day it is already the next month there. Rating periods are calendar months in UTC.
 */
import { civilDateAt } from '../../src/funds/civil-dates.ts';
import { periodOf } from '../../src/ratings/rating-rules.ts';

/** The fee period (`YYYY-MM`) a community in the default time zone is in now. */
export function currentFeePeriod(now = new Date()): string {
  return civilDateAt(now).slice(0, 7);
}

/** The rating period (`YYYY-MM`, UTC) now falls in. */
export function currentRatingPeriod(now = new Date()): string {
  return periodOf(now);
}
