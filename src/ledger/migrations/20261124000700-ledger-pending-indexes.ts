import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Two indexes of `…0600_ledger_pending` cost more on the append path than they save:
 * measured on PostgreSQL, the global unique index on `ledger_entries.entry_id` and the
 * `(community_id, id)` index on the queue together cut end-to-end append throughput by
 * about a third. The queue holds only not-yet-integrated rows, so the integrator reads it
 * by its primary key; an entry is found by pending id through its community and time
 * (`ledger_entries_recorded_at_index`), which every caller keeps with the pending id.
 * The queue is vacuumed early, since it churns.
 */
export class Migration20261124000700LedgerPendingIndexes extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      'drop index ledger_entries_entry_id_unique',
      'drop index ledger_pending_community_index',
      `alter table ledger_pending set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_cost_delay = 0)`,
    ];
  }
}
