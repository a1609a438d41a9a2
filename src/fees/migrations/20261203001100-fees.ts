import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * The fees projection (src/fees/money-tables.ts), keyed like the funds tables by
 * (community, key) with the record as jsonb; the primary keys are the uniqueness rules
 * (one invoice per schedule, period and household; one late fee and one reminder per
 * invoice and step). Beside it, what the jobs and the webhook need: the notification
 * outbox (one row per reminder queued, for an operator to wire to SMS or e-mail) and the
 * provider events already seen.
 */
export class Migration20261203001100Fees extends SqlMigration {
  protected statements(): readonly string[] {
    const spine = `community_id uuid not null, key text not null, record jsonb not null`;
    const plain = (name: string) => `create table ${name} (${spine}, primary key (community_id, key))`;
    return [
      plain('money_schedules'),
      plain('money_schedule_versions'),
      `create table money_invoices (${spine}, household_id text not null, schedule_id text not null, period_id text not null,
        due_date date not null, primary key (community_id, key))`,
      `create index money_invoices_household on money_invoices (community_id, household_id, due_date)`,
      `create index money_invoices_period on money_invoices (community_id, period_id)`,
      plain('money_invoice_keys'),
      plain('money_household_invoices'),
      `create table money_payments (${spine}, household_id text not null, received_on date not null,
        primary key (community_id, key))`,
      `create index money_payments_household on money_payments (community_id, household_id, received_on)`,
      plain('money_refunds'),
      plain('money_corrections'),
      plain('money_late_fees'),
      plain('money_reminders'),
      `create table money_notifications (
        id bigserial primary key,
        community_id uuid not null,
        household_id text not null,
        invoice_id text not null,
        step integer not null,
        kind text not null,
        queued_on date not null,
        created_at timestamptz not null,
        delivered_at timestamptz,
        unique (community_id, invoice_id, step)
      )`,
      `create index money_notifications_household on money_notifications (community_id, household_id, id)`,
      `create index money_notifications_undelivered on money_notifications (id) where delivered_at is null`,
      `create table money_provider_events (
        provider text not null,
        event_id text not null,
        community_id uuid not null,
        payment_id text not null,
        received_at timestamptz not null,
        primary key (provider, event_id)
      )`,
    ];
  }
}
