/**
 * Ratings: a score 1–5 with an optional comment, given by name (a signed-in resident of
 * the community) or anonymously (no login: a proof of membership in the subject's
 * eligible census — the households census for services). One rating counts per rater,
 * subject and period — per account for named ratings, per household (nullifier) for
 * anonymous ones — and a later one replaces it while the period is open. Every rating is
 * kept (`ratings`, with its proof) and is a `ratings.rating` entry; the one that counts is
 * in `rating_current`. Comments are hidden by moderation, never deleted.
 *
 * An anonymous rating is checked like an anonymous ballot, in two steps:
 * `verifyAnonymousRating` outside any transaction (subject, period, score, comment, the
 * proof's root among the eligible census's recent roots, then the shared root-bound
 * check with the batched pairing), and `recordAnonymousRating` in the transaction: the
 * period and the subject for share, the nullifier into the census's store (the second of
 * two equal nullifiers waits for the first), the rater's current rating for update, the
 * rows, the entry — appended after those locks, so the ledger orders replacements as
 * they took effect.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../db/orm.ts';
import { ForbiddenError, NotFoundError } from '../domain-error.ts';
import { requireText } from '../text-input.ts';
import {
  hasCommunityRole,
  requireCommunityReader,
  requireCommunityRole,
  requireViewer,
  type Viewer,
} from '../accounts/viewer.ts';
import { appendEntry } from '../ledger/append-entry.ts';
import { MembershipProofRejectedError } from '../census/census-errors.ts';
import { scopedCensusTree, type CensusTreeName } from '../census/census.entity.ts';
import { activityEnd, activityParticipants } from '../activities/activity-participants.ts';
import { householdsOfMember } from '../privacy/ownership.ts';
import { recentKnownRoots } from '../census/membership-proof.ts';
import { useNullifier } from '../census/nullifier-store.ts';
import type { BallotVerifier } from '../governance/ballot-verifier.ts';
import { verifyRootBoundProof } from '../governance/root-bound-proof.ts';
import { ProofRejectedError } from '../zk/errors.ts';
import type { KnownRoot } from '../zk/membership-key.ts';
import { MEMBERSHIP_PUBLIC_SIGNAL_COUNT } from '../zk/membership-signals.ts';
import { parseProofJson, parsePublicSignals } from '../zk/proof-format.ts';
import {
  activityReviewPeriod,
  MAX_COMMENT_LENGTH,
  MAX_HIDE_REASON_LENGTH,
  ratingMessage,
  ratingScope,
  requirePeriod,
  requireScore,
} from './rating-rules.ts';
import { findPeriod, findSubject, RATINGS_STEWARDS, type RatingSubject } from './rating-subjects.ts';
import { RatingsError } from './ratings-errors.ts';

export type RatingChannel = 'named' | 'anonymous';

export interface RatingReceipt {
  ratingId: string;
  communityId: string;
  subjectId: string;
  period: string;
  channel: RatingChannel;
  score: number;
  comment: string | null;
  /** Anonymous ratings: the nullifier, by which the household recognises its rating. */
  nullifier: bigint | null;
  /** Whether it replaced the rater's earlier rating of the subject in the period. */
  replaced: boolean;
  ledgerEntryId: number;
  ledgerTime: Date;
  castAt: Date;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The trimmed comment, or null for none (omitted, empty or blank). */
export function ratingComment(comment: string | null | undefined): string | null {
  if (comment === null || comment === undefined) return null;
  const text = requireText(comment, 'comment', { maxLength: MAX_COMMENT_LENGTH, minLength: 0, multiline: true });
  return text === '' ? null : text;
}

/**
 * The roots an anonymous rating of the subject may be proved against. The one place that
 * reads a subject's eligible census: services take the households census's recent roots;
 * an activity subject takes its participant tree's root.
 */
export async function eligibleRoots(
  em: SqlEntityManager,
  subject: RatingSubject,
): Promise<{ kind: CensusTreeName; roots: KnownRoot[] }> {
  switch (subject.eligibleCensus) {
    case 'households':
      return { kind: 'households', roots: await recentKnownRoots(em, subject.communityId, 'households') };
    case 'activity-participants': {
      // The participant tree is built once, when sign-ups close: its latest root is the one to prove against.
      const kind = scopedCensusTree('activity', subject.activityId!);
      return { kind, roots: await recentKnownRoots(em, subject.communityId, kind, 1) };
    }
  }
}

/**
 * An activity is rated only after it ends, and only in the period of the month it ended,
 * so one household or account has one rating of it that counts.
 */
async function requireReviewable(
  em: SqlEntityManager,
  subject: RatingSubject,
  period: string,
  now: Date,
): Promise<void> {
  if (subject.kind !== 'activity') return;
  const { endsAt, tookPlace } = (await activityEnd(em, subject.activityId!))!;
  if (!tookPlace) throw new RatingsError('SUBJECT_INACTIVE', 'Failed to rate: the activity was cancelled');
  if (now < endsAt) throw new RatingsError('ACTIVITY_NOT_ENDED', 'Failed to rate: the activity has not ended');
  if (period !== activityReviewPeriod(endsAt))
    throw new RatingsError(
      'PERIOD_NOT_OPEN',
      `Failed to rate: an activity is rated in the month it ended, ${activityReviewPeriod(endsAt)}`,
    );
}

function requireOpen(period: { status: string } | undefined, name: string): void {
  if (!period) throw new RatingsError('PERIOD_NOT_OPEN', `Failed to rate: period ${name} is not open`);
  if (period.status !== 'open') throw new RatingsError('PERIOD_CLOSED', `Failed to rate: period ${name} is closed`);
}

function requireActive(subject: RatingSubject): void {
  if (!subject.active)
    throw new RatingsError('SUBJECT_INACTIVE', 'Failed to rate: the subject is not rated at the moment');
}

export interface VerifiedAnonymousRating {
  subjectId: string;
  period: string;
  score: number;
  comment: string | null;
  nullifier: bigint;
  proof: unknown;
  publicSignals: string[];
}

/** Every check of an anonymous rating that needs no lock. Throws a typed error; writes nothing. */
export async function verifyAnonymousRating(
  em: SqlEntityManager,
  verifier: BallotVerifier,
  input: { subjectId: string; period: string; score: number; comment?: string | null | undefined; proof: string },
): Promise<VerifiedAnonymousRating> {
  const period = requirePeriod(input.period);
  const score = requireScore(input.score);
  const comment = ratingComment(input.comment);
  const subject = await findSubject(em, input.subjectId);
  if (!subject) throw new NotFoundError('Rating subject');
  requireActive(subject);
  requireOpen(await findPeriod(em, subject.communityId, period), period);
  await requireReviewable(em, subject, period, new Date());
  let parsed: { proof: unknown; publicSignals: unknown };
  let signals: bigint[];
  try {
    parsed = parseProofJson(input.proof);
    signals = parsePublicSignals(parsed.publicSignals, MEMBERSHIP_PUBLIC_SIGNAL_COUNT);
  } catch (error) {
    if (error instanceof ProofRejectedError) throw new MembershipProofRejectedError(error.code, error.message);
    throw error;
  }
  const eligible = await eligibleRoots(em, subject);
  const root = eligible.roots.find((known) => known.root === signals[1]);
  if (!root && subject.kind === 'activity')
    throw new RatingsError('NOT_PARTICIPANT', "Failed to rate: the proof is not of the activity's participant census");
  if (!root)
    throw new MembershipProofRejectedError(
      'ROOT_UNKNOWN',
      "Failed to rate: the proof is not for a recent root of the subject's eligible census",
    );
  const { nullifier } = await verifyRootBoundProof(em, verifier, {
    communityId: subject.communityId,
    kind: eligible.kind,
    root,
    proof: parsed.proof,
    publicSignals: parsed.publicSignals,
    scope: ratingScope(subject.id, period),
    message: ratingMessage(score, comment),
  });
  return {
    subjectId: subject.id,
    period,
    score,
    comment,
    nullifier,
    proof: parsed.proof,
    publicSignals: signals.map(String),
  };
}

async function lockOpenSubjectAndPeriod(
  em: SqlEntityManager,
  subjectId: string,
  period: string,
): Promise<RatingSubject> {
  const subject = await findSubject(em, subjectId, 'for share');
  if (!subject) throw new NotFoundError('Rating subject');
  requireOpen(await findPeriod(em, subject.communityId, period, 'for share'), period);
  requireActive(subject);
  return subject;
}

async function storeRating(
  em: SqlEntityManager,
  input: {
    subject: RatingSubject;
    period: string;
    raterKey: string;
    channel: RatingChannel;
    score: number;
    comment: string | null;
    nullifier: bigint | null;
    accountId: string | null;
    proof: unknown;
  },
  now: Date,
): Promise<RatingReceipt> {
  const { subject } = input;
  // Lock the rater's current row alone (as ballots do), so a replacement reads the latest.
  const current: Array<{ rating_id: string }> = await em.execute(
    'select rating_id from rating_current where subject_id = ? and period = ? and rater_key = ? for update',
    [subject.id, input.period, input.raterKey],
  );
  const replaces = current[0]?.rating_id ?? null;
  const ratingId = randomUUID();
  const appended = await appendEntry(em, {
    communityId: subject.communityId,
    type: 'ratings.rating',
    actor: input.accountId ?? 'anonymous',
    payload: {
      rating: ratingId,
      subject: subject.id,
      period: input.period,
      channel: input.channel,
      score: input.score,
      ...(input.comment === null ? {} : { comment: sha256(input.comment) }),
      ...(input.nullifier === null ? {} : { nullifier: input.nullifier.toString() }),
      ...(replaces === null ? {} : { replaces }),
    },
  });
  await em.execute(
    `insert into ratings (id, community_id, subject_id, period, rater_key, channel, score, comment, account_id, nullifier, proof, replaces, cast_at, ledger_entry_id, ledger_time)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      ratingId,
      subject.communityId,
      subject.id,
      input.period,
      input.raterKey,
      input.channel,
      input.score,
      input.comment,
      input.accountId,
      input.nullifier?.toString() ?? null,
      input.proof === null ? null : JSON.stringify(input.proof),
      replaces,
      now,
      appended.entryId,
      appended.time,
    ],
  );
  await em.execute(
    `insert into rating_current (subject_id, period, rater_key, community_id, rating_id, score) values (?, ?, ?, ?, ?, ?)
     on conflict (community_id, subject_id, period, rater_key) do update set rating_id = excluded.rating_id, score = excluded.score`,
    [subject.id, input.period, input.raterKey, subject.communityId, ratingId, input.score],
  );
  return {
    ratingId,
    communityId: subject.communityId,
    subjectId: subject.id,
    period: input.period,
    channel: input.channel,
    score: input.score,
    comment: input.comment,
    nullifier: input.nullifier,
    replaced: replaces !== null,
    ledgerEntryId: appended.entryId,
    ledgerTime: appended.time,
    castAt: now,
  };
}

/** Records a verified anonymous rating: a later one with the same nullifier replaces the earlier. */
export async function recordAnonymousRating(
  em: SqlEntityManager,
  rating: VerifiedAnonymousRating,
  now = new Date(),
): Promise<RatingReceipt> {
  const subject = await lockOpenSubjectAndPeriod(em, rating.subjectId, rating.period);
  await useNullifier(
    em,
    { communityId: subject.communityId, scope: ratingScope(subject.id, rating.period), nullifier: rating.nullifier },
    now,
  );
  return storeRating(
    em,
    {
      subject,
      period: rating.period,
      raterKey: `nullifier:${rating.nullifier}`,
      channel: 'anonymous',
      score: rating.score,
      comment: rating.comment,
      nullifier: rating.nullifier,
      accountId: null,
      proof: { proof: rating.proof, publicSignals: rating.publicSignals },
    },
    now,
  );
}

/** A signed-in resident rates by name; a later rating of the same subject and period replaces the earlier. */
export async function rateNamed(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { subjectId: string; period: string; score: number; comment?: string | null | undefined },
  now = new Date(),
): Promise<RatingReceipt> {
  const caller = requireViewer(viewer);
  const period = requirePeriod(input.period);
  const score = requireScore(input.score);
  const comment = ratingComment(input.comment);
  const found = await findSubject(em, input.subjectId);
  if (!found) throw new NotFoundError('Rating subject');
  requireCommunityReader(caller, found.communityId);
  if (!hasCommunityRole(caller, found.communityId, ['resident', 'committee']))
    throw new ForbiddenError('Requires the resident role in this community');
  await requireReviewable(em, found, period, now);
  if (found.kind === 'activity') {
    const participants = new Set((await activityParticipants(em, found.activityId!)) ?? []);
    const households = await householdsOfMember(em, found.communityId, caller.accountId);
    if (!households.some((household) => participants.has(household)))
      throw new RatingsError(
        'NOT_PARTICIPANT',
        'Failed to rate: only members of participating households rate an activity',
      );
  }
  const subject = await lockOpenSubjectAndPeriod(em, found.id, period);
  // One account's ratings are serialised on its row, so their entries are in the order they took effect.
  await em.execute('select id from accounts where id = ? for no key update', [caller.accountId]);
  return storeRating(
    em,
    {
      subject,
      period,
      raterKey: `account:${caller.accountId}`,
      channel: 'named',
      score,
      comment,
      nullifier: null,
      accountId: caller.accountId,
      proof: null,
    },
    now,
  );
}

export interface RatingComment {
  ratingId: string;
  communityId: string;
  subjectId: string;
  period: string;
  channel: RatingChannel;
  score: number;
  comment: string;
  castAt: Date;
  castAtText: string;
  hidden: boolean;
  hiddenReason: string | null;
}

const date = (value: unknown) => (value instanceof Date ? value : new Date(String(value)));

export function commentFromRow(row: Record<string, unknown>): RatingComment {
  return {
    ratingId: String(row['id']),
    communityId: String(row['community_id']),
    subjectId: String(row['subject_id']),
    period: String(row['period']),
    channel: row['channel'] as RatingChannel,
    score: Number(row['score']),
    comment: String(row['comment']),
    castAt: date(row['cast_at']),
    castAtText: String(row['cast_at_text']),
    hidden: row['hidden_at'] !== null,
    hiddenReason: (row['hidden_reason'] as string | null) ?? null,
  };
}

export const COMMENT_COLUMNS =
  'r.id, r.community_id, r.subject_id, r.period, r.channel, r.score, r.comment, r.cast_at, r.cast_at::text as cast_at_text, r.hidden_at, r.hidden_reason';

/**
 * Managers or the committee hide a rating's comment with a reason: a `ratings.comment-hidden`
 * entry (the reason as its SHA-256). The comment stays stored and on the record; it leaves
 * the score card's comments; the score still counts.
 */
export async function hideRatingComment(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { ratingId: string; reason: string },
): Promise<RatingComment> {
  const caller = requireViewer(viewer);
  const rows: Array<Record<string, unknown>> = await em.execute(
    `select ${COMMENT_COLUMNS} from ratings r where r.id = ? for update`,
    [input.ratingId],
  );
  const row = rows[0];
  if (!row) throw new NotFoundError('Rating');
  const communityId = String(row['community_id']);
  requireCommunityReader(caller, communityId);
  requireCommunityRole(caller, communityId, RATINGS_STEWARDS);
  const reason = requireText(input.reason, 'reason', { maxLength: MAX_HIDE_REASON_LENGTH, multiline: true });
  if (row['comment'] === null) throw new RatingsError('COMMENT_STATE', 'Failed to hide comment: the rating has none');
  if (row['hidden_at'] !== null)
    throw new RatingsError('COMMENT_STATE', 'Failed to hide comment: it is hidden already');
  const appended = await appendEntry(em, {
    communityId,
    type: 'ratings.comment-hidden',
    actor: caller.accountId,
    payload: { rating: input.ratingId, reason: sha256(reason) },
  });
  await em.execute('update ratings set hidden_reason = ?, hidden_by = ?, hidden_at = ? where id = ?', [
    reason,
    caller.accountId,
    appended.time,
    input.ratingId,
  ]);
  const updated: Array<Record<string, unknown>> = await em.execute(
    `select ${COMMENT_COLUMNS} from ratings r where r.id = ?`,
    [input.ratingId],
  );
  return commentFromRow(updated[0]!);
}
