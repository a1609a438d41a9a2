import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Verification keys of more than one circuit (issue 15): a community activates, per depth,
 * a key of the membership circuit and a key of the encrypted-weight ballot circuit, each on
 * its ledger (`zk.key.activated`, whose `instance` names the circuit). One key per circuit
 * and depth is active. Every key before this migration is a membership key.
 */
export class Migration20261218000700CensusCircuitKeys extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      `alter table zk_verification_keys add column circuit text not null default 'membership'`,
      `alter table zk_verification_keys add constraint zk_verification_keys_circuit check (circuit in ('membership', 'encrypted-ballot'))`,
      `drop index zk_verification_keys_active_depth_unique`,
      `create unique index zk_verification_keys_active_circuit_depth_unique on zk_verification_keys (community_id, circuit, depth) where deactivated_at is null`,
    ];
  }
}
