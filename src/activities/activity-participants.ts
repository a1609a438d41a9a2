/**
 * The seam for reviews (issue 13, item 4): once sign-ups have closed, the households that
 * took part, in sign-up order — the list `activities.signups-closed` put on the ledger.
 * A participant census tree is built from it; before sign-ups close (and for an activity
 * that was rejected or cancelled) there is no final list, so the answer is null.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { decodeRecord } from '../funds/record-codec.ts';
import type { ActivityRecord } from './activity-records.ts';

export async function activityParticipants(em: SqlEntityManager, activityId: string): Promise<string[] | null> {
  const activity: Array<{ status: string }> = await em.execute('select status from activities where id = ?', [
    activityId,
  ]);
  if (activity[0]?.status !== 'closed' && activity[0]?.status !== 'settled') return null;
  const rows: Array<{ household_id: string }> = await em.execute(
    `select household_id from activity_signups where activity_id = ? and status = 'participant' order by position`,
    [activityId],
  );
  return rows.map((row) => row.household_id);
}

/** When the activity ends (its `endsAt`) and whether it took place (not cancelled); undefined for no such activity. */
export async function activityEnd(
  em: SqlEntityManager,
  activityId: string,
): Promise<{ endsAt: Date; tookPlace: boolean } | undefined> {
  const rows: Array<{ record: string }> = await em.execute(
    'select record::text as record from activities where id = ?',
    [activityId],
  );
  if (!rows[0]) return undefined;
  const activity = decodeRecord<ActivityRecord>(rows[0].record);
  return {
    endsAt: new Date(activity.endsAt),
    tookPlace: activity.status === 'closed' || activity.status === 'settled',
  };
}
