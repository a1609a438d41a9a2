/**
 * Replay equals live for ratings: folds a community's `ratings.*` entries with
 * `replayRatings` and lists every difference from the live tables — subjects, periods,
 * the rating that counts (and its score) per rater, subject and period, hidden comments —
 * plus the fold's anomalies. The module's `replay` hook (`npm run ledger:replay`) and the
 * tests use it.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { ReplayComparison } from '../kernel/domain-module.ts';
import { integratePending } from '../ledger/integrator.ts';
import { replayRatings } from './ratings-replay.ts';

function compareSets(
  what: string,
  live: Map<string, string>,
  replayed: Map<string, string>,
  differences: Array<{ description: string }>,
): void {
  for (const [key, value] of live) {
    const other = replayed.get(key);
    if (other === undefined) differences.push({ description: `${what} ${key}: live only` });
    else if (other !== value) differences.push({ description: `${what} ${key}: ${value} live, ${other} replayed` });
  }
  for (const key of replayed.keys())
    if (!live.has(key)) differences.push({ description: `${what} ${key}: on the ledger only` });
}

export async function compareRatingsReplay(em: SqlEntityManager, communityId: string): Promise<ReplayComparison> {
  await integratePending(em, communityId);
  const entries: Array<{ type: string; actor: string; payload: Record<string, unknown> | string }> = await em.execute(
    `select type, actor, payload from ledger_entries where community_id = ? and type like 'ratings.%' order by seq`,
    [communityId],
  );
  const replayed = replayRatings(
    entries.map((entry) => ({
      type: entry.type,
      actor: entry.actor,
      payload:
        typeof entry.payload === 'string' ? (JSON.parse(entry.payload) as Record<string, unknown>) : entry.payload,
    })),
  );
  const differences: Array<{ description: string }> = replayed.anomalies.map((description) => ({ description }));

  const subjects: Array<{ id: string; key: string; active: boolean; activity_id: string | null }> = await em.execute(
    'select id, key, active, activity_id from rating_subjects where community_id = ?',
    [communityId],
  );
  compareSets(
    'subject',
    new Map(subjects.map((row) => [row.id, `${row.key}/${row.active}/${row.activity_id ?? '-'}`])),
    new Map(
      [...replayed.subjects].map(([id, subject]) => [
        id,
        `${subject.key}/${subject.active}/${subject.activity ?? '-'}`,
      ]),
    ),
    differences,
  );

  const periods: Array<{ period: string; status: string }> = await em.execute(
    'select period, status from rating_periods where community_id = ?',
    [communityId],
  );
  compareSets(
    'period',
    new Map(periods.map((row) => [row.period, row.status])),
    new Map(replayed.periods),
    differences,
  );

  const current: Array<{ subject_id: string; period: string; rater_key: string; rating_id: string; score: unknown }> =
    await em.execute(
      'select subject_id, period, rater_key, rating_id, score from rating_current where community_id = ?',
      [communityId],
    );
  compareSets(
    'counted rating of',
    new Map(
      current.map((row) => [
        `${row.subject_id}|${row.period}|${row.rater_key}`,
        `${row.rating_id}/${Number(row.score)}`,
      ]),
    ),
    new Map([...replayed.current].map(([key, rating]) => [key, `${rating.rating}/${rating.score}`])),
    differences,
  );

  const hidden: Array<{ id: string }> = await em.execute(
    'select id from ratings where community_id = ? and hidden_at is not null',
    [communityId],
  );
  compareSets(
    'hidden comment of rating',
    new Map(hidden.map((row) => [row.id, 'hidden'])),
    new Map([...replayed.hidden].map((id) => [id, 'hidden'])),
    differences,
  );

  return { entries: entries.length, differences };
}
