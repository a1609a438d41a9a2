import { SqlMigration } from '../../db/sql-migration.ts';

/** Communities, jurisdictions, accounts, role grants and sessions. */
export class Migration20261123000100Accounts extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      `create table jurisdictions (
      id uuid primary key,
      name varchar(200) not null unique,
      created_at timestamptz not null
    )`,
      `create table communities (
      id uuid primary key,
      slug varchar(64) not null unique check (slug ~ '^[a-z0-9][a-z0-9-]*$'),
      name varchar(200) not null,
      jurisdiction_id uuid null references jurisdictions (id),
      required_cosignatures int not null default 1 check (required_cosignatures >= 0),
      created_at timestamptz not null
    )`,
      `create table accounts (
      id uuid primary key,
      login varchar(64) not null unique,
      password_hash varchar(200) not null,
      is_admin boolean not null default false,
      must_change_password boolean not null default false,
      created_at timestamptz not null,
      disabled_at timestamptz null
    )`,
      `create table role_grants (
      id uuid primary key,
      account_id uuid not null references accounts (id),
      role varchar(16) not null check (role in ('resident', 'manager', 'committee', 'regulator')),
      community_id uuid null references communities (id),
      jurisdiction_id uuid null references jurisdictions (id),
      created_at timestamptz not null,
      -- A regulator's reach is a jurisdiction; every other role is held in one community.
      check ((role = 'regulator') = (jurisdiction_id is not null and community_id is null)),
      check ((role <> 'regulator') = (community_id is not null and jurisdiction_id is null))
    )`,
      `create index role_grants_account_id_index on role_grants (account_id)`,
      `create index role_grants_community_id_index on role_grants (community_id)`,
      `create unique index role_grants_unique on role_grants
      (account_id, role, coalesce(community_id, jurisdiction_id))`,
      `create table sessions (
      id uuid primary key,
      account_id uuid not null references accounts (id),
      created_at timestamptz not null,
      expires_at timestamptz not null,
      revoked_at timestamptz null
    )`,
      `create index sessions_account_id_index on sessions (account_id)`,
    ];
  }
}
