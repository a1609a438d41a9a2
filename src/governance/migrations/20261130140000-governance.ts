import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Governance: proposals with their pinned census snapshot and result, every ballot cast
 * (append-only, with its proof), the ballot that currently counts per member, challenges
 * filed in the objection window, suggestions, and per-community settings. Field elements
 * are decimal text, as in the census tables.
 */
export class Migration20261130140000Governance extends SqlMigration {
  protected statements(): readonly string[] {
    const fieldElement = (column: string, nullable = false) =>
      `${column} varchar(78) ${nullable ? '' : 'not null'} check (${column} ~ '^(0|[1-9][0-9]{0,77})$')`;
    return [
      `create table governance_settings (
      community_id uuid primary key references communities (id),
      managers_may_propose boolean not null default false
    )`,
      `create table governance_proposals (
      id uuid primary key,
      community_id uuid not null references communities (id),
      title varchar(200) not null,
      body text not null,
      form_kind varchar(16) not null check (form_kind in ('yes-no-abstain', 'choices')),
      options jsonb not null,
      abstain boolean not null,
      matter_item smallint check (matter_item between 1 and 9),
      census_kind varchar(16) not null check (census_kind in ('owners', 'households')),
      rule jsonb not null,
      mode varchar(16) not null check (mode in ('anonymous', 'named')),
      opens_at timestamptz not null,
      closes_at timestamptz not null check (closes_at > opens_at),
      objection_days smallint not null check (objection_days between 0 and 60),
      status varchar(16) not null check (status in ('draft', 'open', 'closed', 'final')),
      ${fieldElement('scope')},
      ${fieldElement('snapshot_root', true)},
      snapshot_depth smallint,
      snapshot_size integer,
      snapshot_heads integer,
      snapshot_weight bigint,
      created_by uuid not null references accounts (id),
      created_at timestamptz not null,
      created_entry_id bigint not null,
      opened_at timestamptz,
      opened_entry_id bigint,
      closed_at timestamptz,
      result jsonb,
      result_entry_id bigint,
      checkpoint_size bigint,
      final_at timestamptz,
      final_entry_id bigint
    )`,
      'create index governance_proposals_community on governance_proposals (community_id, created_at, id)',
      `create table governance_snapshot_members (
      proposal_id uuid not null references governance_proposals (id),
      leaf_index integer not null,
      leaf_id uuid not null,
      account_id uuid,
      ${fieldElement('identity_commitment')},
      weight bigint not null check (weight > 0),
      primary key (proposal_id, leaf_index)
    )`,
      'create index governance_snapshot_members_account on governance_snapshot_members (proposal_id, account_id)',
      `create table governance_ballots (
      id uuid primary key,
      proposal_id uuid not null references governance_proposals (id),
      member_key varchar(100) not null,
      channel varchar(16) not null check (channel in ('anonymous', 'online', 'paper')),
      choice varchar(32) not null,
      weight bigint not null check (weight > 0),
      ${fieldElement('nullifier', true)},
      proof jsonb,
      entered_by uuid references accounts (id),
      cast_at timestamptz not null,
      ledger_entry_id bigint not null,
      ledger_time timestamptz not null
    )`,
      'create index governance_ballots_proposal on governance_ballots (proposal_id, ledger_entry_id)',
      'create index governance_ballots_nullifier on governance_ballots (proposal_id, nullifier)',
      `create table governance_current_ballots (
      proposal_id uuid not null references governance_proposals (id),
      member_key varchar(100) not null,
      ballot_id uuid not null references governance_ballots (id),
      channel varchar(16) not null,
      choice varchar(32) not null,
      weight bigint not null,
      primary key (proposal_id, member_key)
    )`,
      `create table governance_challenges (
      id uuid primary key,
      proposal_id uuid not null references governance_proposals (id),
      filed_by uuid not null references accounts (id),
      reason text not null,
      filed_at timestamptz not null,
      ledger_entry_id bigint not null
    )`,
      `create table governance_suggestions (
      id uuid primary key,
      community_id uuid not null references communities (id),
      title varchar(200) not null,
      body text not null,
      submitted_by uuid references accounts (id),
      ${fieldElement('nullifier', true)},
      status varchar(16) not null check (status in ('submitted', 'answered', 'closed')),
      answer text,
      answered_by uuid references accounts (id),
      created_at timestamptz not null,
      updated_at timestamptz not null,
      ledger_entry_id bigint not null
    )`,
      'create index governance_suggestions_community on governance_suggestions (community_id, created_at, id)',
    ];
  }
}
