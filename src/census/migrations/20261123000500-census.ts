import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Census trees (owners and households per community), their persisted Poseidon nodes,
 * leaves, root history and one-time invites; and the verification key each community
 * accepts proofs against. Field elements are stored as decimal text: they are up to
 * 254 bits, and text round-trips exactly on every driver.
 */
export class Migration20261123000500Census extends SqlMigration {
  protected statements(): readonly string[] {
    const fieldElement = (column: string) => `${column} varchar(78) not null check (${column} ~ '^[0-9]{1,78}$')`;
    return [
      `create table census_trees (
      community_id uuid not null references communities (id),
      kind varchar(16) not null check (kind in ('owners', 'households')),
      depth smallint not null check (depth between 1 and 32),
      size int not null default 0 check (size >= 0),
      ${fieldElement('root')},
      total_weight bigint not null default 0 check (total_weight >= 0),
      head_count int not null default 0 check (head_count >= 0),
      updated_at timestamptz not null,
      primary key (community_id, kind)
    )`,
      `create table census_tree_nodes (
      community_id uuid not null,
      kind varchar(16) not null,
      level smallint not null check (level >= 0),
      node_index int not null check (node_index >= 0),
      ${fieldElement('value')},
      primary key (community_id, kind, level, node_index),
      foreign key (community_id, kind) references census_trees (community_id, kind)
    )`,
      `create table census_leaves (
      id uuid primary key,
      community_id uuid not null,
      kind varchar(16) not null,
      leaf_index int not null check (leaf_index >= 0),
      ${fieldElement('identity_commitment')},
      weight bigint not null check (weight > 0),
      account_id uuid null references accounts (id),
      household_id uuid null references households (id),
      status varchar(16) not null check (status in ('active', 'removed')),
      joined_at timestamptz not null,
      removed_at timestamptz null,
      foreign key (community_id, kind) references census_trees (community_id, kind),
      check ((kind = 'owners' and account_id is not null) or (kind = 'households' and household_id is not null))
    )`,
      `create unique index census_leaves_position_unique on census_leaves (community_id, kind, leaf_index)`,
      `create unique index census_leaves_commitment_unique on census_leaves (community_id, kind, identity_commitment)`,
      `create unique index census_leaves_active_owner_unique on census_leaves (community_id, kind, account_id) where status = 'active' and kind = 'owners'`,
      `create unique index census_leaves_active_household_unique on census_leaves (community_id, kind, household_id) where status = 'active' and kind = 'households'`,
      `create table census_roots (
      community_id uuid not null,
      kind varchar(16) not null,
      version int not null check (version >= 1),
      ${fieldElement('root')},
      size int not null check (size >= 0),
      total_weight bigint not null check (total_weight >= 0),
      head_count int not null check (head_count >= 0),
      recorded_at timestamptz not null,
      ledger_seq bigint not null check (ledger_seq >= 0),
      primary key (community_id, kind, version),
      foreign key (community_id, kind) references census_trees (community_id, kind)
    )`,
      `create index census_roots_root_index on census_roots (community_id, kind, root)`,
      `create table census_invites (
      id uuid primary key,
      community_id uuid not null references communities (id),
      kind varchar(16) not null check (kind in ('owners', 'households')),
      code_hash bytea not null unique,
      account_id uuid null references accounts (id),
      household_id uuid null references households (id),
      created_by_account_id uuid not null references accounts (id),
      created_at timestamptz not null,
      expires_at timestamptz not null,
      redeemed_at timestamptz null,
      redeemed_leaf_index int null,
      check ((kind = 'owners' and account_id is not null and household_id is null)
          or (kind = 'households' and household_id is not null and account_id is null))
    )`,
      `create index census_invites_community_index on census_invites (community_id, created_at)`,
      `create table zk_verification_keys (
      id uuid primary key,
      community_id uuid not null references communities (id),
      instance varchar(64) not null,
      key_hash char(64) not null check (key_hash ~ '^[0-9a-f]{64}$'),
      verification_key jsonb not null,
      insecure boolean not null,
      activated_at timestamptz not null,
      activated_by_account_id uuid not null references accounts (id),
      ledger_seq bigint not null check (ledger_seq >= 0),
      deactivated_at timestamptz null
    )`,
      `create unique index zk_verification_keys_active_unique on zk_verification_keys (community_id) where deactivated_at is null`,
    ];
  }
}
