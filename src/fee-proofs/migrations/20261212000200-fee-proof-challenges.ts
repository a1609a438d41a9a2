import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Fee-proof challenges: what a verifier asked for (community, period, purpose), the
 * scope and message a proof must carry, the oldest paid-set root it may use, who asked,
 * until when, and whether a proof already answered it. Nothing about the household that
 * answers: no nullifier, no leaf, no account — only the time the challenge was used.
 */
export class Migration20261212000200FeeProofChallenges extends SqlMigration {
  protected statements(): readonly string[] {
    const fieldElement = (column: string) =>
      `${column} varchar(78) not null check (${column} ~ '^(0|[1-9][0-9]{0,77})$')`;
    return [
      `create table fee_proof_challenges (
      id uuid primary key,
      community_id uuid not null references communities (id),
      period_id varchar(7) not null check (period_id ~ '^[0-9]{4}(-[0-9]{2}|-Q[1-4])?$'),
      purpose varchar(200) not null,
      ${fieldElement('scope')},
      ${fieldElement('message')},
      from_root_version int not null check (from_root_version >= 0),
      requested_by_account_id uuid not null references accounts (id),
      created_at timestamptz not null,
      expires_at timestamptz not null,
      used_at timestamptz null,
      check (expires_at > created_at)
    )`,
      `create index fee_proof_challenges_community_index on fee_proof_challenges (community_id, created_at)`,
    ];
  }
}
