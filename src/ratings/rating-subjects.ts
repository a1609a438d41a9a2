/**
 * What a community rates, and when: subjects and periods.
 *
 * A **subject** is a service category (cleaning, security, …) of one community, or an
 * activity (created when its sign-ups close, src/activities/activity-reviews.ts). Its
 * `eligibleCensus` names the census whose members may rate it anonymously — the
 * households census for every service category, the activity's participant tree for an
 * activity; the only code that reads the property is `eligibleRoots` (ratings.ts).
 *
 * A **period** is a calendar month in UTC (`2026-11`), per community: managers or the
 * committee open it (from its first day on) and close it; the closing job closes a period
 * left open at its `closesAt`: PERIOD_CLOSING_GRACE_DAYS after the later of its month's
 * end and its opening (a past month opened late still gets the grace). Ratings are
 * taken, and replaced, only while the period is open; once closed they are final. The
 * first period a community opens also creates its default service categories.
 *
 * Each change is a ledger entry (`ratings.subject`, `ratings.period`) appended after the
 * community row lock (subjects, openings) or the period row lock (closes); labels are
 * typed text and go on the ledger as their SHA-256 only.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../db/orm.ts';
import { NotFoundError } from '../domain-error.ts';
import { requireText } from '../text-input.ts';
import { requireCommunityReader, requireCommunityRole, requireViewer, type Viewer } from '../accounts/viewer.ts';
import { appendEntry } from '../ledger/append-entry.ts';
import {
  DEFAULT_SERVICE_CATEGORIES,
  MAX_LABEL_LENGTH,
  MAX_SUBJECTS,
  periodEnd,
  periodStart,
  requirePeriod,
  requireSubjectKey,
} from './rating-rules.ts';
import { RatingsError } from './ratings-errors.ts';

/** Managers and the committee configure subjects, open and close periods, and moderate. */
export const RATINGS_STEWARDS = ['manager', 'committee'] as const;
/** How long after its month a period stays open unless closed earlier. */
export const PERIOD_CLOSING_GRACE_DAYS = 7;

export type SubjectKind = 'service' | 'activity';
export type EligibleCensus = 'households' | 'activity-participants';

export interface RatingSubject {
  id: string;
  communityId: string;
  kind: SubjectKind;
  key: string;
  label: string;
  eligibleCensus: EligibleCensus;
  active: boolean;
  /** Kind `activity`: the activity rated (its participant tree is the eligible census). */
  activityId: string | null;
}

export type PeriodStatus = 'open' | 'closed';

export interface RatingPeriod {
  communityId: string;
  period: string;
  status: PeriodStatus;
  openedAt: Date;
  /** When the closing job closes it, unless closed earlier. */
  closesAt: Date;
  closedAt: Date | null;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const date = (value: unknown) => (value instanceof Date ? value : new Date(String(value)));

function subjectFromRow(row: Record<string, unknown>): RatingSubject {
  return {
    id: String(row['id']),
    communityId: String(row['community_id']),
    kind: row['kind'] as SubjectKind,
    key: String(row['key']),
    label: String(row['label']),
    eligibleCensus: row['eligible_census'] as EligibleCensus,
    active: row['active'] === true,
    activityId: (row['activity_id'] as string | null) ?? null,
  };
}

function periodFromRow(row: Record<string, unknown>): RatingPeriod {
  return {
    communityId: String(row['community_id']),
    period: String(row['period']),
    status: row['status'] as PeriodStatus,
    openedAt: date(row['opened_at']),
    closesAt: date(row['closes_at']),
    closedAt: row['closed_at'] === null ? null : date(row['closed_at']),
  };
}

export async function findSubject(em: SqlEntityManager, id: string, lock = ''): Promise<RatingSubject | undefined> {
  const rows: Array<Record<string, unknown>> = await em.execute(`select * from rating_subjects where id = ? ${lock}`, [
    id,
  ]);
  return rows[0] ? subjectFromRow(rows[0]) : undefined;
}

/** A subject the caller may read (a member, regulator or admin of its community); else NOT_FOUND. */
export async function requireReadableSubject(
  em: SqlEntityManager,
  viewer: Viewer | null,
  id: string,
  lock = '',
): Promise<RatingSubject> {
  const caller = requireViewer(viewer);
  const subject = await findSubject(em, id, lock);
  if (!subject) throw new NotFoundError('Rating subject');
  requireCommunityReader(caller, subject.communityId);
  return subject;
}

/** The community's service categories, oldest first (at most MAX_SUBJECTS, so one list); activities are apart. */
export async function listSubjects(em: SqlEntityManager, communityId: string): Promise<RatingSubject[]> {
  const rows: Array<Record<string, unknown>> = await em.execute(
    `select * from rating_subjects where community_id = ? and kind = 'service' order by created_at, key limit ?`,
    [communityId, MAX_SUBJECTS],
  );
  return rows.map(subjectFromRow);
}

export async function findPeriod(
  em: SqlEntityManager,
  communityId: string,
  period: string,
  lock = '',
): Promise<RatingPeriod | undefined> {
  const rows: Array<Record<string, unknown>> = await em.execute(
    `select * from rating_periods where community_id = ? and period = ? ${lock}`,
    [communityId, period],
  );
  return rows[0] ? periodFromRow(rows[0]) : undefined;
}

/** A page of the community's periods, newest first (keyset on the period). */
export async function listPeriods(
  em: SqlEntityManager,
  communityId: string,
  page: { condition: string; orderBy: string; limit: number; parameters: unknown[] },
): Promise<RatingPeriod[]> {
  const rows: Array<Record<string, unknown>> = await em.execute(
    `select * from rating_periods where community_id = ? and ${page.condition} order by ${page.orderBy} limit ?`,
    [communityId, ...page.parameters, page.limit],
  );
  return rows.map(periodFromRow);
}

async function lockCommunity(em: SqlEntityManager, communityId: string): Promise<void> {
  const rows: unknown[] = await em.execute('select id from communities where id = ? for no key update', [communityId]);
  if (rows.length === 0) throw new NotFoundError('Community');
}

async function insertSubject(
  em: SqlEntityManager,
  input: { communityId: string; key: string; label: string; actor: string },
): Promise<RatingSubject> {
  const id = randomUUID();
  const appended = await appendEntry(em, {
    communityId: input.communityId,
    type: 'ratings.subject',
    actor: input.actor,
    payload: {
      subject: id,
      kind: 'service',
      key: input.key,
      label: sha256(input.label),
      eligibleCensus: 'households',
      active: true,
    },
  });
  await em.execute(
    `insert into rating_subjects (id, community_id, kind, key, label, eligible_census, active, created_at, ledger_entry_id)
     values (?, ?, 'service', ?, ?, 'households', true, ?, ?)`,
    [id, input.communityId, input.key, input.label, appended.time, appended.entryId],
  );
  return (await findSubject(em, id))!;
}

/** The subject rating an activity, if its sign-ups have closed. */
export async function findActivitySubject(
  em: SqlEntityManager,
  activityId: string,
): Promise<RatingSubject | undefined> {
  const rows: Array<Record<string, unknown>> = await em.execute('select * from rating_subjects where activity_id = ?', [
    activityId,
  ]);
  return rows[0] ? subjectFromRow(rows[0]) : undefined;
}

/**
 * An activity's subject, created when its sign-ups close (src/activities/activity-reviews.ts):
 * kind `activity`, rated from its participant tree; key `activity-` and the first 23 hex
 * digits of the activity id, label the activity's id (the title stays in the activities table).
 */
export async function insertActivitySubject(
  em: SqlEntityManager,
  input: { communityId: string; activityId: string; actor: string },
): Promise<RatingSubject> {
  const id = randomUUID();
  const key = `activity-${input.activityId.replaceAll('-', '').slice(0, 23)}`;
  const appended = await appendEntry(em, {
    communityId: input.communityId,
    type: 'ratings.subject',
    actor: input.actor,
    payload: {
      subject: id,
      kind: 'activity',
      key,
      label: sha256(input.activityId),
      eligibleCensus: 'activity-participants',
      active: true,
      activity: input.activityId,
    },
  });
  await em.execute(
    `insert into rating_subjects (id, community_id, kind, key, label, eligible_census, active, created_at, ledger_entry_id, activity_id)
     values (?, ?, 'activity', ?, ?, 'activity-participants', true, ?, ?, ?)`,
    [id, input.communityId, key, input.activityId, appended.time, appended.entryId, input.activityId],
  );
  return (await findSubject(em, id))!;
}

/** Managers or the committee add a service category (a key unique in the community, a label). */
export async function addRatingSubject(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { communityId: string; key: string; label: string },
): Promise<RatingSubject> {
  const caller = requireCommunityRole(viewer, input.communityId, RATINGS_STEWARDS);
  const key = requireSubjectKey(input.key);
  const label = requireText(input.label, 'label', { maxLength: MAX_LABEL_LENGTH });
  await lockCommunity(em, input.communityId);
  const existing = await listSubjects(em, input.communityId);
  if (existing.some((subject) => subject.key === key))
    throw new RatingsError('SUBJECT_CONFLICT', `Failed to add rating subject: the key ${key} is taken`);
  if (existing.length >= MAX_SUBJECTS)
    throw new RatingsError('SUBJECT_CONFLICT', `Failed to add rating subject: a community has at most ${MAX_SUBJECTS}`);
  return insertSubject(em, { communityId: input.communityId, key, label, actor: caller.accountId });
}

/** Managers or the committee stop or resume rating a subject; its past ratings stay. */
export async function setRatingSubjectActive(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { subjectId: string; active: boolean },
): Promise<RatingSubject> {
  const subject = await requireReadableSubject(em, viewer, input.subjectId, 'for update');
  const caller = requireCommunityRole(viewer, subject.communityId, RATINGS_STEWARDS);
  if (subject.active === input.active) return subject;
  await appendEntry(em, {
    communityId: subject.communityId,
    type: 'ratings.subject',
    actor: caller.accountId,
    payload: {
      subject: subject.id,
      kind: subject.kind,
      key: subject.key,
      label: sha256(subject.label),
      eligibleCensus: subject.eligibleCensus,
      active: input.active,
    },
  });
  await em.execute('update rating_subjects set active = ? where id = ?', [input.active, subject.id]);
  return (await findSubject(em, subject.id))!;
}

/**
 * Managers or the committee open a period, from its first day on. The community's first
 * period also creates the default service categories.
 */
export async function openRatingPeriod(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { communityId: string; period: string },
  now = new Date(),
): Promise<RatingPeriod> {
  const caller = requireCommunityRole(viewer, input.communityId, RATINGS_STEWARDS);
  const period = requirePeriod(input.period);
  if (now < periodStart(period))
    throw new RatingsError('PERIOD_STATE', `Failed to open period ${period}: it has not begun`);
  await lockCommunity(em, input.communityId);
  if (await findPeriod(em, input.communityId, period))
    throw new RatingsError('PERIOD_STATE', `Failed to open period ${period}: it was opened before`);
  if ((await listSubjects(em, input.communityId)).length === 0) {
    for (const category of DEFAULT_SERVICE_CATEGORIES)
      await insertSubject(em, { communityId: input.communityId, ...category, actor: caller.accountId });
  }
  const closesAt = new Date(
    Math.max(periodEnd(period).getTime(), now.getTime()) + PERIOD_CLOSING_GRACE_DAYS * 86_400_000,
  );
  await appendEntry(em, {
    communityId: input.communityId,
    type: 'ratings.period',
    actor: caller.accountId,
    payload: { period, status: 'open', closesAt: closesAt.toISOString() },
  });
  await em.execute(
    `insert into rating_periods (community_id, period, status, opened_at, closes_at) values (?, ?, 'open', ?, ?)`,
    [input.communityId, period, now, closesAt],
  );
  return (await findPeriod(em, input.communityId, period))!;
}

/** Closes an open period: its ratings are final. `viewer` null is the closing job (as `system`). */
export async function closeRatingPeriod(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { communityId: string; period: string },
): Promise<RatingPeriod> {
  const actor =
    viewer === null ? 'system' : requireCommunityRole(viewer, input.communityId, RATINGS_STEWARDS).accountId;
  const period = requirePeriod(input.period);
  const current = await findPeriod(em, input.communityId, period, 'for update');
  if (!current) throw new RatingsError('PERIOD_NOT_OPEN', `Failed to close period ${period}: it was never opened`);
  if (current.status === 'closed')
    throw new RatingsError('PERIOD_CLOSED', `Failed to close period ${period}: it is closed`);
  const appended = await appendEntry(em, {
    communityId: input.communityId,
    type: 'ratings.period',
    actor,
    payload: { period, status: 'closed' },
  });
  await em.execute(`update rating_periods set status = 'closed', closed_at = ? where community_id = ? and period = ?`, [
    appended.time,
    input.communityId,
    period,
  ]);
  return (await findPeriod(em, input.communityId, period))!;
}

/** The open periods whose `closesAt` has come, soonest first. */
export async function duePeriods(
  em: SqlEntityManager,
  now: Date,
  limit: number,
): Promise<Array<{ communityId: string; period: string }>> {
  const rows: Array<{ community_id: string; period: string }> = await em.execute(
    `select community_id, period from rating_periods where status = 'open' and closes_at <= ? order by closes_at, community_id, period limit ?`,
    [now, limit],
  );
  return rows.map((row) => ({ communityId: row.community_id, period: row.period }));
}
