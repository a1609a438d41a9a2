/**
 * Replay equals live for participant trees (part of the activities' `replay` hook): the
 * census's scoped-tree comparison of every `activity:<activityId>` tree
 * (src/census/scoped-tree-replay.ts), then the rule the tree follows: every leaf is a
 * household on the participant list its activity's `activities.signups-closed` entry
 * recorded, once. Each difference names
 * the tree and a leaf index or household id, never personal data.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { compareScopedTrees } from '../census/scoped-tree-replay.ts';
import { PARTICIPANT_TREE_KIND } from './activity-reviews.ts';

export async function compareParticipantTrees(
  em: SqlEntityManager,
  communityId: string,
): Promise<{ entries: number; differences: Array<{ description: string }> }> {
  const { entries, kinds, differences } = await compareScopedTrees(
    em,
    communityId,
    PARTICIPANT_TREE_KIND,
    (_kind, leaf) => leaf.weight,
  );
  for (const kind of kinds) {
    // The rule: each leaf a household of the participant list on the ledger, once.
    const leaves: Array<{ household_id: string }> = await em.execute(
      'select household_id from census_leaves where community_id = ? and kind = ?',
      [communityId, kind],
    );
    const activityId = kind.slice(PARTICIPANT_TREE_KIND.length + 1);
    const closed: Array<{ payload: string }> = await em.execute(
      `select payload::text as payload from ledger_entries
        where community_id = ? and type = 'activities.signups-closed' and payload->>'activityId' = ?`,
      [communityId, activityId],
    );
    const participants = new Set<string>(
      closed[0]
        ? ((JSON.parse(closed[0].payload) as { participantHouseholdIds: string[] }).participantHouseholdIds ?? [])
        : [],
    );
    const seen = new Set<string>();
    for (const leaf of leaves) {
      if (!participants.has(leaf.household_id) || seen.has(leaf.household_id))
        differences.push({ description: `${kind} household ${leaf.household_id}: not a participant, or twice` });
      seen.add(leaf.household_id);
    }
  }
  return { entries, differences };
}
