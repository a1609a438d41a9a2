import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * The ledger: one append-only RFC 9162 log per community (see src/ledger/ and
 * docs/ledger.md). Entries, tree nodes, checkpoints, cosignatures, witness keys and log
 * keys are append-only, and the database itself refuses UPDATE, DELETE and TRUNCATE on
 * them. Only `ledger_heads` — the per-community sequencer row and its settings — changes.
 *
 * Communities are referenced by id without a foreign key, so that a log verifies and
 * exports on its own.
 */
export class Migration20261123000300Ledger extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      `create table ledger_heads (
      community_id uuid primary key,
      tree_size bigint not null default 0 check (tree_size >= 0),
      -- The compact range of the tree: one 32-byte hash per set bit of tree_size, largest subtree first.
      frontier bytea not null default '\\x'::bytea check (octet_length(frontier) % 32 = 0),
      checkpoint_every_entries int not null default 1000 check (checkpoint_every_entries > 0),
      checkpoint_every_seconds int not null default 60 check (checkpoint_every_seconds > 0),
      required_cosignatures int not null default 1 check (required_cosignatures >= 0),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
      `create table ledger_entries (
      community_id uuid not null,
      seq bigint not null check (seq >= 0),
      type varchar(100) not null,
      payload jsonb not null,
      actor varchar(100) not null,
      recorded_at timestamptz not null,
      leaf_hash bytea not null check (octet_length(leaf_hash) = 32),
      primary key (community_id, seq)
    )`,
      `create index ledger_entries_type_index on ledger_entries (community_id, type, seq)`,
      `create index ledger_entries_recorded_at_index on ledger_entries (community_id, recorded_at)`,
      `create table ledger_tree_nodes (
      community_id uuid not null,
      level smallint not null check (level between 1 and 62),
      node_index bigint not null check (node_index >= 0),
      hash bytea not null check (octet_length(hash) = 32),
      primary key (community_id, level, node_index)
    )`,
      `create table ledger_log_keys (
      community_id uuid primary key,
      key_name varchar(300) not null,
      public_key bytea not null check (octet_length(public_key) = 32),
      sealed_private_key bytea not null,
      created_at timestamptz not null
    )`,
      `create table ledger_checkpoints (
      community_id uuid not null,
      tree_size bigint not null check (tree_size >= 0),
      root_hash bytea not null check (octet_length(root_hash) = 32),
      -- The signed note: checkpoint body, blank line, the log's signature line.
      note text not null,
      created_at timestamptz not null,
      primary key (community_id, tree_size)
    )`,
      `create table ledger_witnesses (
      community_id uuid not null,
      key_name varchar(300) not null,
      public_key bytea not null check (octet_length(public_key) = 32),
      role varchar(16) not null check (role in ('committee', 'regulator')),
      account_id uuid null,
      registered_at timestamptz not null,
      primary key (community_id, key_name)
    )`,
      `create table ledger_cosignatures (
      community_id uuid not null,
      tree_size bigint not null,
      key_name varchar(300) not null,
      timestamp_seconds bigint not null check (timestamp_seconds >= 0),
      signature bytea not null check (octet_length(signature) = 64),
      received_at timestamptz not null,
      primary key (community_id, tree_size, key_name),
      foreign key (community_id, tree_size) references ledger_checkpoints (community_id, tree_size),
      foreign key (community_id, key_name) references ledger_witnesses (community_id, key_name)
    )`,
      `create index ledger_cosignatures_witness_index on ledger_cosignatures (community_id, key_name, tree_size)`,
      `create function ledger_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'ledger table % is append-only: % refused', tg_table_name, tg_op
        using errcode = '55000', hint = 'ledger_append_only';
    end
    $$`,
      ...['ledger_entries', 'ledger_tree_nodes', 'ledger_log_keys', 'ledger_checkpoints', 'ledger_witnesses', 'ledger_cosignatures'].flatMap(
        (table) => [
          `create trigger ${table}_append_only before update or delete on ${table}
         for each row execute function ledger_refuse_change()`,
          `create trigger ${table}_no_truncate before truncate on ${table}
         for each statement execute function ledger_refuse_change()`,
        ],
      ),
    ];
  }
}
