import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * An invite code names its community (src/census/census-membership.ts), so an invite is
 * found by `(community_id, code_hash)` and its unique key can hold the community id, as a
 * table sharded by community needs (docs/operations.md, "Sharding with Citus").
 *
 * The key is `(code_hash, community_id)`: code hash first, so the same index also finds a
 * code issued before this migration, which does not name its community, by its hash alone
 * until those invites have expired (30 days at most). A code is still one invite: the hash
 * of a code covers its community part, and a second redemption finds the same row, already
 * redeemed (INVITE_USED).
 */
export class Migration20261219000100CensusInviteCommunityKey extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      'alter table census_invites drop constraint census_invites_code_hash_key',
      'create unique index census_invites_code_hash_unique on census_invites (code_hash, community_id)',
    ];
  }
}
