import { communityKeyStatements } from '../../db/community-keys.ts';
import { SqlMigration } from '../../db/sql-migration.ts';

/** Fee-proof challenges keyed by `(community_id, id)` (docs/operations.md, "Sharding with Citus"). */
export class Migration20261218000600FeeProofChallengeCommunityKey extends SqlMigration {
  protected statements(): readonly string[] {
    return communityKeyStatements({ primaryKeys: [{ table: 'fee_proof_challenges', columns: ['id'] }] });
  }
}
