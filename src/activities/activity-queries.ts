/**
 * Reading activities: any reader of the community sees its activities and their closing
 * figures; the sign-up list (which households take part) only the organiser, the
 * managers and the committee. Lists page by keyset in SQL.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { ForbiddenError, NotFoundError } from '../domain-error.ts';
import { hasCommunityRole, requireCommunityReader, type Viewer } from '../accounts/viewer.ts';
import { decodeRecord } from '../funds/record-codec.ts';
import type { ActivityRecord, SignupRecord } from './activity-records.ts';
import { fundFlows, type FundFlows } from './activity-reports.ts';
import type { ActivityTexts } from './activity-store.ts';

export interface ActivityView extends ActivityRecord, ActivityTexts {
  communityId: string;
  createdAt: Date;
  createdAtText: string;
}

export interface SqlPage {
  condition: string;
  orderBy: string;
  limit: number;
  parameters: unknown[];
}

const COLUMNS = `a.id, a.community_id, a.title, a.description, a.place, a.created_at, a.created_at::text as created_at_text, a.record::text as record`;

function viewOf(row: Record<string, unknown>): ActivityView {
  return {
    ...decodeRecord<ActivityRecord>(String(row['record'])),
    communityId: String(row['community_id']),
    title: String(row['title']),
    description: String(row['description']),
    place: String(row['place']),
    createdAt: row['created_at'] instanceof Date ? row['created_at'] : new Date(String(row['created_at'])),
    createdAtText: String(row['created_at_text']),
  };
}

export async function findActivity(
  em: SqlEntityManager,
  viewer: Viewer | null,
  activityId: string,
): Promise<ActivityView> {
  const rows: Array<Record<string, unknown>> = await em.execute(`select ${COLUMNS} from activities a where a.id = ?`, [
    activityId,
  ]);
  if (!rows[0]) throw new NotFoundError('Activity');
  const view = viewOf(rows[0]);
  requireCommunityReader(viewer, view.communityId);
  return view;
}

export async function listActivities(
  em: SqlEntityManager,
  viewer: Viewer | null,
  communityId: string,
  page: SqlPage,
): Promise<ActivityView[]> {
  requireCommunityReader(viewer, communityId);
  const rows: Array<Record<string, unknown>> = await em.execute(
    `select ${COLUMNS} from activities a where a.community_id = ? and ${page.condition} order by ${page.orderBy} limit ?`,
    [communityId, ...page.parameters, page.limit],
  );
  return rows.map(viewOf);
}

export async function listSignups(
  em: SqlEntityManager,
  viewer: Viewer | null,
  activityId: string,
  page: SqlPage,
): Promise<SignupRecord[]> {
  const activity = await findActivity(em, viewer, activityId);
  if (
    viewer!.accountId !== activity.organiserId &&
    !hasCommunityRole(viewer, activity.communityId, ['manager', 'committee'])
  )
    throw new ForbiddenError('Only the organiser, managers and committee see who signed up');
  const rows: Array<{ record: string }> = await em.execute(
    `select s.record::text as record from activity_signups s where s.activity_id = ? and ${page.condition} order by ${page.orderBy} limit ?`,
    [activityId, ...page.parameters, page.limit],
  );
  return rows.map((row) => decodeRecord<SignupRecord>(row.record));
}

export interface ActivityReport extends FundFlows {
  /** Net income: fees kept (fees − refunds), contributions and the grant. */
  incomeFen: bigint;
}

/** The closing report: the fund's flows by kind, and what it holds now. */
export async function activityReport(
  em: SqlEntityManager,
  viewer: Viewer | null,
  activityId: string,
): Promise<ActivityReport | null> {
  const activity = await findActivity(em, viewer, activityId);
  if (!activity.fundAccountId) return null;
  const flows = await fundFlows(em, activity.communityId, activity.fundAccountId);
  return { ...flows, incomeFen: flows.feesFen - flows.refundsFen + flows.contributionsFen + flows.grantFen };
}
