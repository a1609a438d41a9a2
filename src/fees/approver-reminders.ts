/**
 * Reminders to approvers who have not acted on a spend yet (issue 10, "expense
 * approvals"). While a spend waits for approvals (`proposed`, not past its last day), every
 * APPROVER_REMINDER_EVERY_DAYS days after its proposal is a reminder step; each eligible
 * approver who has not approved it — a member of the community with a role the spend's
 * requirement accepts, not its proposer — gets one outbox row per step. Only the latest
 * due step is queued (no backlog after downtime), and never once the spend is approved,
 * rejected, expired or executed.
 *
 * Exactly once per (spend, approver, step), even with two server instances: the outbox's
 * unique key decides, and a runner that finds the row there already queues nothing. The
 * rows carry ids only (an account id, a spend id); an operator wires them to SMS or e-mail
 * like the invoice reminders' outbox.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { ApproverRole } from '../funds/approval-rules.ts';
import { compareCivilDates, daysBetween, type CivilDate } from '../funds/civil-dates.ts';
import type { Spend } from '../funds/expense-approval.ts';
import { keysetSql, type KeysetOrder, type KeysetPage } from '../kernel/keyset.ts';

export const APPROVER_REMINDER_EVERY_DAYS = 3;

export interface Approver {
  accountId: string;
  role: ApproverRole;
}

export interface ApproverReminder {
  spendId: string;
  approverId: string;
  step: number;
}

/** The latest due step of every waiting spend, for each approver who has not acted: pure. */
export function planApproverReminders(
  spends: Iterable<Spend>,
  approvers: readonly Approver[],
  today: CivilDate,
): ApproverReminder[] {
  const reminders: ApproverReminder[] = [];
  for (const spend of spends) {
    if (spend.status !== 'proposed' || compareCivilDates(today, spend.expiresOn) > 0) continue;
    const step = Math.floor(daysBetween(spend.proposedOn, today) / APPROVER_REMINDER_EVERY_DAYS);
    if (step < 1) continue;
    const acted = new Set([spend.proposedBy, ...spend.approvals.map((approval) => approval.approverId)]);
    const eligible = new Set(
      approvers
        .filter((approver) => spend.requirement.eligibleRoles.includes(approver.role) && !acted.has(approver.accountId))
        .map((approver) => approver.accountId),
    );
    for (const approverId of [...eligible].sort()) reminders.push({ spendId: spend.spendId, approverId, step });
  }
  return reminders;
}

/** The community's managers and committee members. */
export async function approversOf(em: SqlEntityManager, communityId: string): Promise<Approver[]> {
  const rows: Array<{ account_id: string; role: ApproverRole }> = await em.execute(
    `select account_id, role from role_grants where community_id = ? and role in ('manager', 'committee') order by account_id, role`,
    [communityId],
  );
  return rows.map((row) => ({ accountId: row.account_id, role: row.role }));
}

/** Writes the due reminders to the outbox; returns those this call queued (not those already there). */
export async function queueApproverReminders(
  em: SqlEntityManager,
  communityId: string,
  spends: Iterable<Spend>,
  today: CivilDate,
  now: Date,
): Promise<ApproverReminder[]> {
  const planned = planApproverReminders(spends, await approversOf(em, communityId), today);
  if (planned.length === 0) return [];
  const rows: Array<{ spend_id: string; approver_id: string; step: number }> = await em.execute(
    `insert into money_approver_reminders (community_id, spend_id, approver_id, step, queued_on, created_at)
     values ${planned.map(() => '(?, ?, ?, ?, ?::date, ?)').join(', ')}
     on conflict (community_id, spend_id, approver_id, step) do nothing
     returning spend_id, approver_id, step`,
    planned.flatMap((reminder) => [communityId, reminder.spendId, reminder.approverId, reminder.step, today, now]),
  );
  return rows.map((row) => ({ spendId: row.spend_id, approverId: row.approver_id, step: Number(row.step) }));
}

export interface ApproverReminderRow extends ApproverReminder {
  id: number;
  queuedOn: CivilDate;
  deliveredAt: Date | null;
}

const REMINDER_ORDER: KeysetOrder = { columns: [{ expression: 'id' }], descending: true };

/** An approver's own reminders in a community, newest first. */
export async function approverRemindersOf(
  em: SqlEntityManager,
  communityId: string,
  approverId: string,
  page: KeysetPage<readonly [number]>,
): Promise<ApproverReminderRow[]> {
  const { condition, orderBy, limit, parameters } = keysetSql(REMINDER_ORDER, page);
  const rows: Array<{
    id: string | number;
    spend_id: string;
    approver_id: string;
    step: number;
    queued_on: string;
    delivered_at: Date | null;
  }> = await em.execute(
    `select id, spend_id, approver_id, step, queued_on::text as queued_on, delivered_at from money_approver_reminders
      where community_id = ? and approver_id = ? and ${condition} order by ${orderBy} limit ?`,
    [communityId, approverId, ...parameters, limit],
  );
  return rows.map((row) => ({
    id: Number(row.id),
    spendId: row.spend_id,
    approverId: row.approver_id,
    step: Number(row.step),
    queuedOn: row.queued_on,
    deliveredAt: row.delivered_at,
  }));
}
