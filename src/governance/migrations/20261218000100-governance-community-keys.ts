import { communityKeyStatements } from '../../db/community-keys.ts';
import { SqlMigration } from '../../db/sql-migration.ts';

/** Tables that reached their community only through `proposal_id`. */
const PROPOSAL_CHILDREN = [
  'governance_snapshot_members',
  'governance_ballots',
  'governance_current_ballots',
  'governance_challenges',
  'governance_elections',
  'governance_trustees',
  'governance_election_messages',
  'governance_encrypted_ballots',
  'governance_encrypted_current',
  'governance_encrypted_sums',
] as const;

/**
 * Governance keyed by community (docs/operations.md, "Sharding with Citus"): the tables
 * under a proposal get `community_id`, copied from their proposal; every primary key and
 * unique key starts with it, and every foreign key to a proposal or a ballot holds it, so
 * a ballot can no longer name another community's proposal.
 */
export class Migration20261218000100GovernanceCommunityKeys extends SqlMigration {
  protected statements(): readonly string[] {
    const keys: Record<string, readonly string[]> = {
      governance_proposals: ['id'],
      governance_suggestions: ['id'],
      governance_snapshot_members: ['proposal_id', 'leaf_index'],
      governance_ballots: ['id'],
      governance_current_ballots: ['proposal_id', 'member_key'],
      governance_challenges: ['id'],
      governance_elections: ['proposal_id'],
      governance_trustees: ['proposal_id', 'trustee'],
      governance_election_messages: ['id'],
      governance_encrypted_ballots: ['id'],
      governance_encrypted_current: ['proposal_id', 'nullifier'],
      governance_encrypted_sums: ['proposal_id', 'position'],
    };
    const foreignKey = (table: string, column: string, references: string) => ({
      table,
      constraint: `${table}_${column}_fkey`,
      columns: [column],
      references,
      referencedColumns: ['id'],
    });
    return [
      ...communityKeyStatements({
        columns: PROPOSAL_CHILDREN.map((table) => ({
          table,
          parent: 'governance_proposals',
          parentColumn: 'proposal_id',
        })),
        primaryKeys: Object.entries(keys).map(([table, columns]) => ({ table, columns })),
        foreignKeys: [
          ...PROPOSAL_CHILDREN.map((table) => foreignKey(table, 'proposal_id', 'governance_proposals')),
          foreignKey('governance_current_ballots', 'ballot_id', 'governance_ballots'),
          foreignKey('governance_encrypted_current', 'ballot_id', 'governance_encrypted_ballots'),
        ],
      }),
      `alter table governance_trustees drop constraint governance_trustees_proposal_id_account_id_key`,
      `alter table governance_trustees add constraint governance_trustees_proposal_id_account_id_key unique (community_id, proposal_id, account_id)`,
      `alter table governance_election_messages drop constraint governance_election_messages_proposal_id_kind_trustee_subje_key`,
      `alter table governance_election_messages add constraint governance_election_messages_message_key unique (community_id, proposal_id, kind, trustee, subject)`,
    ];
  }
}
