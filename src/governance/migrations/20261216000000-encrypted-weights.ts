import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Encrypted-weight proposals (issue 15): the mode `encrypted` (anonymous owners' ballots
 * whose area is an ElGamal ciphertext) and the state `tallying` (closed to ballots, waiting
 * for k trustees' partial decryptions); the election (threshold, trustees, the election-key
 * record and the pinned encrypted-ballot verification key), the trustees' public messages
 * (key generation, complaints, partial decryptions), every encrypted ballot cast with its
 * proof, the one that counts per nullifier, and the running homomorphic sum per option.
 * Points are JSON of canonical decimals, as on the ledger.
 */
export class Migration20261216000000EncryptedWeights extends SqlMigration {
  protected statements(): readonly string[] {
    const fieldElement = (column: string) => `${column} varchar(78) not null check (${column} ~ '^(0|[1-9][0-9]{0,77})$')`;
    return [
      'alter table governance_proposals drop constraint governance_proposals_mode_check',
      `alter table governance_proposals add constraint governance_proposals_mode_check check (mode in ('anonymous', 'named', 'encrypted'))`,
      'alter table governance_proposals drop constraint governance_proposals_status_check',
      `alter table governance_proposals add constraint governance_proposals_status_check
         check (status in ('draft', 'open', 'tallying', 'closed', 'final'))`,
      `create table governance_elections (
      proposal_id uuid primary key references governance_proposals (id),
      threshold smallint not null check (threshold >= 2),
      trustee_count smallint not null check (trustee_count >= threshold and trustee_count <= 16),
      key_record jsonb,
      ballot_key jsonb,
      ballot_key_hash varchar(64),
      ballot_key_insecure boolean,
      sums_entry_id bigint,
      closing_checkpoint jsonb
    )`,
      `create table governance_trustees (
      proposal_id uuid not null references governance_proposals (id),
      trustee smallint not null check (trustee between 1 and 16),
      account_id uuid not null references accounts (id),
      primary key (proposal_id, trustee),
      unique (proposal_id, account_id)
    )`,
      `create table governance_election_messages (
      id uuid primary key,
      proposal_id uuid not null references governance_proposals (id),
      kind varchar(24) not null check (kind in ('dkg-round-1', 'dkg-round-2', 'dkg-complaint', 'partial-decryption')),
      trustee smallint not null,
      -- A complaint names its dealer; every other message is one per trustee and kind.
      subject smallint not null default 0,
      message jsonb not null,
      ledger_entry_id bigint not null,
      unique (proposal_id, kind, trustee, subject)
    )`,
      `create table governance_encrypted_ballots (
      id uuid primary key,
      proposal_id uuid not null references governance_proposals (id),
      ${fieldElement('nullifier')},
      choice varchar(32) not null,
      ciphertext jsonb not null,
      proof jsonb not null,
      replaces uuid,
      cast_at timestamptz not null,
      ledger_entry_id bigint not null,
      ledger_time timestamptz not null
    )`,
      'create index governance_encrypted_ballots_proposal on governance_encrypted_ballots (proposal_id, ledger_entry_id)',
      `create table governance_encrypted_current (
      proposal_id uuid not null references governance_proposals (id),
      ${fieldElement('nullifier')},
      ballot_id uuid not null references governance_encrypted_ballots (id),
      choice varchar(32) not null,
      ciphertext jsonb not null,
      primary key (proposal_id, nullifier)
    )`,
      `create table governance_encrypted_sums (
      proposal_id uuid not null references governance_proposals (id),
      position smallint not null,
      option varchar(32) not null,
      heads integer not null check (heads >= 0),
      ciphertext jsonb not null,
      primary key (proposal_id, position)
    )`,
    ];
  }
}
