/**
 * Reviews of an activity (issue 13 item 4). When its sign-ups close, in the same
 * transaction as `activities.signups-closed`, the activity gets
 *
 * - its **participant census tree** `activity:<activityId>`: one leaf per participating
 *   household that has a households-census identity, with that identity's commitment
 *   (weight 1), each a `census.join` entry (actor as the close's). A participant household
 *   without a households-census leaf has no identity to put in the tree: it reviews by
 *   name only;
 * - its **rating subject** (kind `activity`, eligible census `activity-participants`), a
 *   `ratings.subject` entry, which the ratings module rates once the activity has ended:
 *   named by a member of a participating household, anonymously with a proof of the
 *   participant tree (docs/ratings.md, docs/activities.md).
 *
 * The tree is built at the close, not at the end, because the participant list is final
 * then (the ledger says so) and households can make their proofs before the activity ends.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { addCensusMember, lockCensusTree } from '../census/census-tree-service.ts';
import { scopedCensusTree, type ScopedCensusTree } from '../census/census.entity.ts';
import { ForbiddenError } from '../domain-error.ts';
import { hasCommunityRole, type Viewer } from '../accounts/viewer.ts';
import type { RatingAggregate } from '../ratings/rating-rules.ts';
import { activityReviewPeriod } from '../ratings/rating-rules.ts';
import { subjectAggregate } from '../ratings/rating-aggregates.ts';
import { commentFromRow, COMMENT_COLUMNS, type RatingComment } from '../ratings/ratings.ts';
import { findActivitySubject, insertActivitySubject, type RatingSubject } from '../ratings/rating-subjects.ts';
import { activityParticipants } from './activity-participants.ts';
import { findActivity } from './activity-queries.ts';

/** The census kind of participant trees. */
export const PARTICIPANT_TREE_KIND = 'activity';

export function participantTree(activityId: string): ScopedCensusTree {
  return scopedCensusTree(PARTICIPANT_TREE_KIND, activityId);
}

/** Builds the participant tree and the rating subject of an activity whose sign-ups just closed. */
export async function openActivityReviews(
  em: SqlEntityManager,
  communityId: string,
  activityId: string,
  actor: string,
): Promise<void> {
  const participants = (await activityParticipants(em, activityId)) ?? [];
  const tree = participantTree(activityId);
  await lockCensusTree(em, communityId, tree);
  if (participants.length > 0) {
    const identities: Array<{ household_id: string; identity_commitment: string }> = await em.execute(
      `select household_id, identity_commitment from census_leaves
        where community_id = ? and kind = 'households' and status = 'active' and household_id in (${participants.map(() => '?').join(', ')})`,
      [communityId, ...participants],
    );
    const commitmentOf = new Map(identities.map((row) => [row.household_id, BigInt(row.identity_commitment)]));
    for (const householdId of participants) {
      const commitment = commitmentOf.get(householdId);
      if (commitment === undefined) continue;
      await addCensusMember(em, {
        communityId,
        kind: tree,
        identityCommitment: commitment,
        weight: 1,
        accountId: null,
        householdId,
        actor,
      });
    }
  }
  await insertActivitySubject(em, { communityId, activityId, actor });
}

export interface ActivityReviews {
  activityId: string;
  subject: RatingSubject;
  /** The period the activity is reviewed in: the month it ended. */
  period: string;
  aggregate: RatingAggregate;
  /** The visible comments of the reviews that count, newest first (at most REVIEW_COMMENTS_SHOWN). */
  comments: RatingComment[];
}

/** Comments shown with an activity's reviews. */
export const REVIEW_COMMENTS_SHOWN = 100;
/** Earlier activities of a kind shown with a new one. */
export const EARLIER_ACTIVITIES_SHOWN = 20;

async function reviewsOf(em: SqlEntityManager, subject: RatingSubject, endsAt: string): Promise<ActivityReviews> {
  const period = activityReviewPeriod(new Date(endsAt));
  const comments: Array<Record<string, unknown>> = await em.execute(
    `select ${COMMENT_COLUMNS} from rating_current c join ratings r on r.id = c.rating_id
      where c.subject_id = ? and c.period = ? and r.comment is not null and r.hidden_at is null
      order by r.cast_at desc, r.id desc limit ?`,
    [subject.id, period, REVIEW_COMMENTS_SHOWN],
  );
  return {
    activityId: subject.activityId!,
    subject,
    period,
    aggregate: await subjectAggregate(em, subject.id, period),
    comments: comments.map(commentFromRow),
  };
}

/**
 * What the participants said of an activity: for its organiser, the managers and the
 * committee; null until its sign-ups close (no subject yet).
 */
export async function activityReviews(
  em: SqlEntityManager,
  viewer: Viewer | null,
  activityId: string,
): Promise<ActivityReviews | null> {
  const activity = await findActivity(em, viewer, activityId);
  if (
    viewer!.accountId !== activity.organiserId &&
    !hasCommunityRole(viewer, activity.communityId, ['manager', 'committee'])
  )
    throw new ForbiddenError("Only the activity's organiser, the managers and the committee read its reviews");
  const subject = await findActivitySubject(em, activityId);
  return subject ? reviewsOf(em, subject, activity.endsAt) : null;
}

/**
 * The reviews of the community's earlier activities of the same kind (ended before this
 * one starts and took place), latest first: what the next organiser learns from. Every reader of the
 * community sees them; an activity without a kind has none.
 */
export async function earlierReviews(
  em: SqlEntityManager,
  viewer: Viewer | null,
  activityId: string,
): Promise<ActivityReviews[]> {
  const activity = await findActivity(em, viewer, activityId);
  if (activity.kind === undefined) return [];
  // Instants are ISO strings of one format (precision 3, Z): they compare as text.
  const rows: Array<Record<string, unknown>> = await em.execute(
    `select s.*, a.record->>'endsAt' as ends_at from activities a join rating_subjects s on s.activity_id = a.id
      where a.community_id = ? and a.id <> ? and a.status in ('closed', 'settled') and a.record->>'kind' = ? and a.record->>'endsAt' <= ?
      order by a.record->>'endsAt' desc, a.id limit ?`,
    [activity.communityId, activityId, activity.kind, activity.startsAt, EARLIER_ACTIVITIES_SHOWN],
  );
  const reviews: ActivityReviews[] = [];
  for (const row of rows) {
    const subject = (await findActivitySubject(em, String(row['activity_id'])))!;
    reviews.push(await reviewsOf(em, subject, String(row['ends_at'])));
  }
  return reviews;
}
