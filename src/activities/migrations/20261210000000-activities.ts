import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Activities (src/activities/): each activity and each sign-up as its record (jsonb,
 * bigints as {"$fen": …}, src/funds/record-codec.ts) plus the columns queries and
 * uniqueness rules need; the texts a person typed (title, description, place) live only
 * here, never on the ledger. Written only in the transaction that appends the entry that
 * changed them.
 */
export class Migration20261210000000Activities extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      `create table activity_settings (
        community_id uuid primary key references communities (id),
        approval_required boolean not null
      )`,
      `create table activities (
        id uuid primary key,
        community_id uuid not null references communities (id),
        title varchar(200) not null,
        description text not null,
        place varchar(200) not null,
        status varchar(16) not null check (status in ('proposed', 'open', 'closed', 'settled', 'cancelled', 'rejected')),
        signups_close_at timestamptz not null,
        created_at timestamptz not null,
        record jsonb not null
      )`,
      `create index activities_by_community on activities (community_id, created_at, id)`,
      // The closing job's question: which open activities are past their sign-up closing time.
      `create index activities_open_by_close on activities (signups_close_at) where status = 'open'`,
      `create table activity_signups (
        id uuid primary key,
        community_id uuid not null references communities (id),
        activity_id uuid not null references activities (id),
        household_id uuid not null,
        position integer not null check (position > 0),
        status varchar(16) not null check (status in ('participant', 'waitlisted', 'cancelled', 'released', 'refunded')),
        idempotency_key text not null,
        record jsonb not null,
        unique (activity_id, position),
        unique (community_id, idempotency_key)
      )`,
      // One active sign-up per household and activity, even under concurrency.
      `create unique index activity_signups_active_household on activity_signups (activity_id, household_id)
        where status in ('participant', 'waitlisted')`,
    ];
  }
}
