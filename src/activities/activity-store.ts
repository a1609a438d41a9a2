/**
 * The activities tables: an activity's row is its state lock (every step takes it FOR
 * UPDATE before anything else, so the steps of one activity are sequenced in the order
 * they took effect — docs/ledger.md, "Appending"), and its sign-ups are read under it.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { canonicalRecordText, decodeRecord, encodeRecord } from '../funds/record-codec.ts';
import type { ActivityRecord, ActivityState, SignupRecord } from './activity-records.ts';

export interface ActivityTexts {
  title: string;
  description: string;
  place: string;
}

/** The activity's community, read without a lock (to choose the unit's community and check the caller). */
export async function communityOfActivity(em: SqlEntityManager, activityId: string): Promise<string | undefined> {
  const rows: Array<{ community_id: string }> = await em.execute('select community_id from activities where id = ?', [
    activityId,
  ]);
  return rows[0]?.community_id;
}

export async function communityOfSignup(
  em: SqlEntityManager,
  signupId: string,
): Promise<{ communityId: string; activityId: string; householdId: string } | undefined> {
  const rows: Array<{ community_id: string; activity_id: string; household_id: string }> = await em.execute(
    'select community_id, activity_id, household_id from activity_signups where id = ?',
    [signupId],
  );
  const row = rows[0];
  return row && { communityId: row.community_id, activityId: row.activity_id, householdId: row.household_id };
}

/** Locks the activity's row and reads it with its sign-ups. */
export async function lockActivity(em: SqlEntityManager, activityId: string): Promise<ActivityState | undefined> {
  const rows: Array<{ record: string }> = await em.execute(
    'select record::text as record from activities where id = ? for update',
    [activityId],
  );
  if (!rows[0]) return undefined;
  const signups: Array<{ record: string }> = await em.execute(
    'select record::text as record from activity_signups where activity_id = ?',
    [activityId],
  );
  return {
    activity: decodeRecord<ActivityRecord>(rows[0].record),
    signups: new Map(
      signups.map((row) => decodeRecord<SignupRecord>(row.record)).map((signup) => [signup.signupId, signup]),
    ),
  };
}

export async function insertActivity(
  em: SqlEntityManager,
  communityId: string,
  state: ActivityState,
  texts: ActivityTexts,
  createdAt: Date,
): Promise<void> {
  await em.execute(
    `insert into activities (id, community_id, title, description, place, status, signups_close_at, created_at, record)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)`,
    [
      state.activity.activityId,
      communityId,
      texts.title,
      texts.description,
      texts.place,
      state.activity.status,
      state.activity.signupsCloseAt,
      createdAt,
      encodeRecord(state.activity),
    ],
  );
}

/** Writes what changed between two states of one activity (its row, new and changed sign-ups). */
export async function saveActivity(
  em: SqlEntityManager,
  communityId: string,
  before: ActivityState,
  after: ActivityState,
): Promise<void> {
  await em.execute('update activities set status = ?, record = ?::jsonb where id = ?', [
    after.activity.status,
    encodeRecord(after.activity),
    after.activity.activityId,
  ]);
  for (const [signupId, signup] of after.signups) {
    const old = before.signups.get(signupId);
    if (!old) {
      await em.execute(
        `insert into activity_signups (id, community_id, activity_id, household_id, position, status, idempotency_key, record)
         values (?, ?, ?, ?, ?, ?, ?, ?::jsonb)`,
        [
          signupId,
          communityId,
          signup.activityId,
          signup.householdId,
          signup.position,
          signup.status,
          signup.idempotencyKey,
          encodeRecord(signup),
        ],
      );
    } else if (canonicalRecordText(old) !== canonicalRecordText(signup)) {
      await em.execute('update activity_signups set status = ?, record = ?::jsonb where id = ?', [
        signup.status,
        encodeRecord(signup),
        signupId,
      ]);
    }
  }
}

export async function signupByIdempotencyKey(
  em: SqlEntityManager,
  communityId: string,
  key: string,
): Promise<SignupRecord | undefined> {
  const rows: Array<{ record: string }> = await em.execute(
    'select record::text as record from activity_signups where community_id = ? and idempotency_key = ?',
    [communityId, key],
  );
  return rows[0] && decodeRecord<SignupRecord>(rows[0].record);
}

/** Whether the community wants activities approved (default: yes, see docs/activities.md). */
export async function approvalRequired(em: SqlEntityManager, communityId: string): Promise<boolean> {
  const rows: Array<{ approval_required: boolean }> = await em.execute(
    'select approval_required from activity_settings where community_id = ?',
    [communityId],
  );
  return rows[0]?.approval_required ?? true;
}

/** Open activities whose sign-up closing time has come, oldest first (at most `limit`). */
export async function activitiesDueToClose(
  em: SqlEntityManager,
  now: Date,
  limit: number,
): Promise<Array<{ activityId: string; communityId: string }>> {
  const rows: Array<{ id: string; community_id: string }> = await em.execute(
    `select id, community_id from activities where status = 'open' and signups_close_at <= ? order by signups_close_at, id limit ?`,
    [now, limit],
  );
  return rows.map((row) => ({ activityId: row.id, communityId: row.community_id }));
}
