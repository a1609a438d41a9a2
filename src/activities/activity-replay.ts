/**
 * Replay equals live for activities: folds the community's `activities.*` entries in seq
 * order through `applyActivityEntry` (the rule the live path runs), compares every
 * activity and sign-up record and the community's setting with the live tables, and
 * reconciles each activity's fund with the money projection: the fees, refunds,
 * contributions and returned balance on the activity's entries must equal the transfers
 * of those codes on its fund account. Each difference names its record.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { ReplayComparison } from '../kernel/domain-module.ts';
import { integratePending } from '../ledger/integrator.ts';
import { canonicalRecordText, decodeRecord } from '../funds/record-codec.ts';
import type { ActivityState } from './activity-records.ts';
import { applyActivityEntry, type ActivityEntryType } from './activity-rules.ts';
import { fundFlows } from './activity-reports.ts';
import { compareParticipantTrees } from './participant-tree-replay.ts';

export interface ActivitiesReplay {
  entries: number;
  approvalRequired: boolean | undefined;
  activities: Map<string, ActivityState>;
  /** Set when an entry could not be applied: the replay stops there. */
  failure?: string;
}

export async function replayActivities(em: SqlEntityManager, communityId: string): Promise<ActivitiesReplay> {
  await integratePending(em, communityId);
  const rows: Array<{ seq: string | number; type: string; payload: string }> = await em.execute(
    `select seq, type, payload::text as payload from ledger_entries where community_id = ? and type like 'activities.%' order by seq`,
    [communityId],
  );
  const replay: ActivitiesReplay = { entries: rows.length, approvalRequired: undefined, activities: new Map() };
  for (const row of rows) {
    const payload = JSON.parse(row.payload) as Record<string, unknown>;
    try {
      if (row.type === 'activities.settings-set') {
        replay.approvalRequired = payload['approvalRequired'] === true;
        continue;
      }
      const activityId = String(payload['activityId']);
      replay.activities.set(
        activityId,
        applyActivityEntry(replay.activities.get(activityId), row.type as ActivityEntryType, payload),
      );
    } catch (error) {
      replay.failure = `entry ${row.seq} (${row.type}): ${(error as Error).message}`;
      break;
    }
  }
  return replay;
}

export async function compareActivitiesReplay(em: SqlEntityManager, communityId: string): Promise<ReplayComparison> {
  const replay = await replayActivities(em, communityId);
  const differences: Array<{ description: string }> = [];
  if (replay.failure) differences.push({ description: `activities replay failed at ${replay.failure}` });
  const settings: Array<{ approval_required: boolean }> = await em.execute(
    'select approval_required from activity_settings where community_id = ?',
    [communityId],
  );
  if (settings[0]?.approval_required !== replay.approvalRequired)
    differences.push({ description: 'activity settings: live differs from replay' });
  const liveActivities: Array<{ id: string; record: string }> = await em.execute(
    'select id, record::text as record from activities where community_id = ?',
    [communityId],
  );
  const liveSignups: Array<{ id: string; record: string }> = await em.execute(
    'select id, record::text as record from activity_signups where community_id = ?',
    [communityId],
  );
  const compare = (what: string, live: Map<string, unknown>, replayed: Map<string, unknown>) => {
    for (const id of new Set([...live.keys(), ...replayed.keys()])) {
      const a = live.get(id);
      const b = replayed.get(id);
      if (a === undefined) differences.push({ description: `${what} ${id}: in the replay only` });
      else if (b === undefined) differences.push({ description: `${what} ${id}: in the live tables only` });
      else if (canonicalRecordText(a) !== canonicalRecordText(b))
        differences.push({ description: `${what} ${id}: live differs from replay` });
    }
  };
  const states = [...replay.activities.values()];
  compare(
    'activity',
    new Map(liveActivities.map((row) => [row.id, decodeRecord(row.record)])),
    new Map(states.map((state) => [state.activity.activityId, state.activity])),
  );
  compare(
    'sign-up',
    new Map(liveSignups.map((row) => [row.id, decodeRecord(row.record)])),
    new Map(states.flatMap((state) => [...state.signups].map(([id, signup]) => [id, signup] as const))),
  );
  for (const { activity } of states) {
    if (!activity.fundAccountId) continue;
    const flows = await fundFlows(em, communityId, activity.fundAccountId);
    const expected = {
      grantFen: activity.grantFen,
      feesFen: activity.feesFen,
      refundsFen: activity.refundsFen,
      contributionsFen: activity.contributionsFen,
      returnedFen: activity.returnedFen,
    };
    for (const [name, amount] of Object.entries(expected)) {
      if (flows[name as keyof typeof expected] !== amount)
        differences.push({
          description: `activity ${activity.activityId}: ${name} ${amount} on its entries, ${flows[name as keyof typeof expected]} in its fund`,
        });
    }
  }
  // The participant trees reviews are proved against (activity-reviews.ts).
  const trees = await compareParticipantTrees(em, communityId);
  return { entries: replay.entries + trees.entries, differences: [...differences, ...trees.differences] };
}
