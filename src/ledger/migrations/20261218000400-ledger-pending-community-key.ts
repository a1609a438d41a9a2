import { communityKeyStatements } from '../../db/community-keys.ts';
import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Pending appends keyed by `(community_id, id)` (docs/operations.md, "Sharding with
 * Citus"): an append and its integration under the community's head lock stay on the
 * community's shard. Nothing points at a pending row.
 */
export class Migration20261218000400LedgerPendingCommunityKey extends SqlMigration {
  protected statements(): readonly string[] {
    return communityKeyStatements({ primaryKeys: [{ table: 'ledger_pending', columns: ['id'] }] });
  }
}
