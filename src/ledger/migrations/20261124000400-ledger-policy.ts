import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * How many cosignatures make a checkpoint final is a community's policy, kept in one
 * place: `communities.required_cosignatures`, which the API exposes and createCommunity
 * sets. The copy in `ledger_heads` is dropped so the two can never disagree; the ledger
 * reads the community's value (1 for a log without a community row).
 */
export class Migration20261124000400LedgerPolicy extends SqlMigration {
  protected statements(): readonly string[] {
    return ['alter table ledger_heads drop column required_cosignatures'];
  }
}
