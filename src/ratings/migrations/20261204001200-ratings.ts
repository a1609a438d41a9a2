import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Ratings: the subjects a community rates (service categories; activities later), the
 * rating periods with their status, every rating given (append-only but for the
 * moderation columns, which hide a comment and never delete it), and the rating that
 * counts per rater, subject and period. Field elements are decimal text, as in the census.
 */
export class Migration20261204001200Ratings extends SqlMigration {
  protected statements(): readonly string[] {
    const fieldElement = (column: string, nullable = false) =>
      `${column} varchar(78) ${nullable ? '' : 'not null'} check (${column} ~ '^(0|[1-9][0-9]{0,77})$')`;
    return [
      `create table rating_subjects (
      id uuid primary key,
      community_id uuid not null references communities (id),
      kind varchar(16) not null check (kind in ('service')),
      key varchar(32) not null,
      label varchar(100) not null,
      eligible_census varchar(32) not null check (eligible_census in ('households')),
      active boolean not null,
      created_at timestamptz not null,
      ledger_entry_id bigint not null,
      unique (community_id, key)
    )`,
      `create table rating_periods (
      community_id uuid not null references communities (id),
      period varchar(7) not null check (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      status varchar(16) not null check (status in ('open', 'closed')),
      opened_at timestamptz not null,
      closes_at timestamptz not null,
      closed_at timestamptz,
      primary key (community_id, period)
    )`,
      `create index rating_periods_due on rating_periods (closes_at) where status = 'open'`,
      `create table ratings (
      id uuid primary key,
      community_id uuid not null references communities (id),
      subject_id uuid not null references rating_subjects (id),
      period varchar(7) not null,
      rater_key varchar(100) not null,
      channel varchar(16) not null check (channel in ('named', 'anonymous')),
      score smallint not null check (score between 1 and 5),
      comment text,
      account_id uuid references accounts (id),
      ${fieldElement('nullifier', true)},
      proof jsonb,
      replaces uuid,
      cast_at timestamptz not null,
      ledger_entry_id bigint not null,
      ledger_time timestamptz not null,
      hidden_reason text,
      hidden_by uuid references accounts (id),
      hidden_at timestamptz
    )`,
      'create index ratings_subject_period on ratings (subject_id, period, cast_at, id)',
      `create table rating_current (
      subject_id uuid not null references rating_subjects (id),
      period varchar(7) not null,
      rater_key varchar(100) not null,
      community_id uuid not null references communities (id),
      rating_id uuid not null references ratings (id),
      score smallint not null,
      primary key (subject_id, period, rater_key)
    )`,
      'create index rating_current_community_period on rating_current (community_id, period)',
    ];
  }
}
