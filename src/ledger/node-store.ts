/**
 * Perfect-subtree hashes from the database: level 0 from the entries' leaf hashes, higher
 * levels from ledger_tree_nodes. One query answers a whole proof, so a proof costs one
 * round trip and O(log n) index lookups.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { NodeAddress, NodeHashSource } from './merkle-tree.ts';
import { toBytes, toSafeNumber } from './sql-values.ts';

export class DatabaseNodeSource implements NodeHashSource {
  readonly #em: SqlEntityManager;
  readonly #communityId: string;

  constructor(em: SqlEntityManager, communityId: string) {
    this.#em = em;
    this.#communityId = communityId;
  }

  async getNodeHashes(nodes: readonly NodeAddress[]): Promise<Uint8Array[]> {
    const leaves = nodes.filter((node) => node.level === 0);
    const interior = nodes.filter((node) => node.level > 0);
    const selects: string[] = [];
    const parameters: unknown[] = [];
    if (leaves.length > 0) {
      selects.push(
        `select 0 as level, seq as node_index, leaf_hash as hash from ledger_entries
          where community_id = ? and seq in (${leaves.map(() => '?').join(', ')})`,
      );
      parameters.push(this.#communityId, ...leaves.map((node) => node.index));
    }
    if (interior.length > 0) {
      selects.push(
        `select level, node_index, hash from ledger_tree_nodes
          where community_id = ? and (level, node_index) in (${interior.map(() => '(?, ?)').join(', ')})`,
      );
      parameters.push(this.#communityId, ...interior.flatMap((node) => [node.level, node.index]));
    }
    const rows: Array<{ level: unknown; node_index: unknown; hash: unknown }> = await this.#em.execute(
      selects.join(' union all '),
      parameters,
    );
    const found = new Map(rows.map((row) => [`${toSafeNumber(row.level)}:${toSafeNumber(row.node_index)}`, toBytes(row.hash)]));
    return nodes.map((node) => {
      const hash = found.get(`${node.level}:${node.index}`);
      if (hash === undefined) throw new Error(`ledger tree node ${node.level}:${node.index} of ${this.#communityId} is missing`);
      return hash;
    });
  }
}
