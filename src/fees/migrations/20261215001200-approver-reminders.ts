import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * The outbox of reminders to approvers who have not acted on a spend yet
 * (src/fees/approver-reminders.ts): one row per (spend, approver, step), the unique key
 * making each step happen once whatever number of servers run the money day.
 */
export class Migration20261215001200ApproverReminders extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      `create table money_approver_reminders (
        id bigserial primary key,
        community_id uuid not null,
        spend_id text not null,
        approver_id uuid not null,
        step integer not null,
        queued_on date not null,
        created_at timestamptz not null,
        delivered_at timestamptz,
        unique (community_id, spend_id, approver_id, step)
      )`,
      `create index money_approver_reminders_approver on money_approver_reminders (community_id, approver_id, id)`,
    ];
  }
}
