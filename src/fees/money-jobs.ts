/**
 * The money day: what the jobs do for each community with a fee schedule — issue the
 * current period's invoices of every schedule, post due late fees, queue due reminders
 * (each also a row of the notification outbox), remind approvers who have not acted on a
 * waiting spend (approver-reminders.ts), and expire spends past their last day.
 *
 * Two server processes may run it at the same time on one PostgreSQL: every step is a
 * unit of work that locks what it reads (src/funds/projection-unit.ts), so an invoice, a
 * late-fee step or a reminder step exists at most once, and its outbox row is written in
 * the same transaction as its entry (unique per invoice and step). On PGlite there is one
 * process, and the same code runs.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { AppServices, BackgroundJob, ModuleRuntime } from '../kernel/domain-module.ts';
import { queueApproverReminders } from './approver-reminders.ts';
import { firstDayOf, periodContaining } from './billing-periods.ts';
import { compareCivilDates } from '../funds/civil-dates.ts';
import { runProjectionUnit } from '../funds/projection-unit.ts';
import { versionForPeriod } from './fee-schedule.ts';
import { postDueLateFees, queueDueReminders } from './fees-operations.ts';
import { emptyMoneyState } from './fees-state.ts';
import { expireSpends, readTable, runInvoicesForCommunity } from './money-commands.ts';
import { MONEY_TABLES } from './money-tables.ts';
import { todayOf } from './money-services.ts';

export interface MoneyDayResult {
  invoicesIssued: number;
  lateFeesPosted: number;
  remindersQueued: number;
  approverRemindersQueued: number;
  spendsExpired: number;
}

/** How often the server runs the money day for every community (it is idempotent; once a minute is plenty). */
export const MONEY_JOB_INTERVAL_MS = 60_000;

export async function runMoneyDay(
  context: { services: AppServices; em: SqlEntityManager },
  communityId: string,
): Promise<MoneyDayResult> {
  const today = todayOf(context.services.money);
  const result: MoneyDayResult = {
    invoicesIssued: 0,
    lateFeesPosted: 0,
    remindersQueued: 0,
    approverRemindersQueued: 0,
    spendsExpired: 0,
  };
  for (const schedule of (await readTable(context.em, communityId, 'schedules')).values()) {
    const period = periodContaining(today, schedule.frequency);
    if (compareCivilDates(firstDayOf(period), today) > 0 || versionForPeriod(schedule, period.periodId) === undefined)
      continue;
    result.invoicesIssued += (
      await runInvoicesForCommunity(context, communityId, schedule.scheduleId, period.periodId, 'system')
    ).issued;
  }
  const inUnit = <T>(work: Parameters<typeof runProjectionUnit<ReturnType<typeof emptyMoneyState>, T>>[4]) =>
    runProjectionUnit(
      context.services.transactions,
      context.em,
      MONEY_TABLES,
      () => emptyMoneyState(communityId),
      work,
    );
  result.lateFeesPosted = await inUnit((unit) => postDueLateFees(unit, today));
  const queued = await inUnit(async (unit) => {
    const reminders = await queueDueReminders(unit, today);
    if (reminders.length > 0) {
      const now = context.services.money.clock.now();
      await unit.em.execute(
        `insert into money_notifications (community_id, household_id, invoice_id, step, kind, queued_on, created_at)
         values ${reminders.map(() => `(?, ?, ?, ?, ?, ?::date, ?)`).join(', ')}`,
        reminders.flatMap((reminder) => [
          communityId,
          reminder.householdId,
          reminder.invoiceId,
          reminder.step,
          reminder.step === 0 ? 'due-soon' : 'overdue',
          today,
          now,
        ]),
      );
    }
    return reminders;
  });
  result.remindersQueued = queued.length;
  if (queued.length > 0)
    context.services.pubsub.publish('fees:money-moved', communityId, {
      kind: 'reminders',
      id: null,
      amountFen: BigInt(queued.length),
    });
  if (result.lateFeesPosted > 0)
    context.services.pubsub.publish('fees:money-moved', communityId, {
      kind: 'late-fees',
      id: null,
      amountFen: BigInt(result.lateFeesPosted),
    });
  const waiting = await readTable(context.em, communityId, 'spends', `status = 'proposed'`);
  result.approverRemindersQueued = (
    await queueApproverReminders(context.em, communityId, waiting.values(), today, context.services.money.clock.now())
  ).length;
  result.spendsExpired = await expireSpends(context, communityId);
  return result;
}

/** Communities that have money to look after: a fee schedule or a spend. */
export async function communitiesWithBooks(em: SqlEntityManager): Promise<string[]> {
  const rows: Array<{ community_id: string }> = await em.execute(
    `select community_id from money_schedules union select community_id from money_spends order by 1`,
  );
  return rows.map((row) => row.community_id);
}

/** Runs the money day for every community now and then, until stopped. */
export function startMoneyJob(
  runtime: ModuleRuntime,
  services: AppServices,
  intervalMs = MONEY_JOB_INTERVAL_MS,
): BackgroundJob {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    if (services.money.jobsPaused) return;
    const em = runtime.forkEntityManager();
    for (const communityId of await communitiesWithBooks(em)) {
      if (stopped) return;
      try {
        await runMoneyDay({ services, em: runtime.forkEntityManager() }, communityId);
      } catch (error) {
        runtime.logger.error(
          { communityId, error: error instanceof Error ? error.name : 'unknown' },
          'money day failed',
        );
      }
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick).catch(() => undefined);
  }, intervalMs);
  timer.unref();
  return {
    name: 'money-day',
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
