/**
 * A MerkleNodeStore over the census_tree_nodes table. The tree (src/zk/merkle-tree.ts)
 * reads a leaf's path in one `getNodes` call and writes the depth + 1 changed nodes in
 * one `setNodes` call, so a change costs two statements whatever the census size. The
 * nodes a store wrote are kept, so reading them back (the new root, right after the
 * change) costs no statement: a store lives for one change, under the tree's lock, so
 * what it wrote is what the table holds.
 *
 * NOTE: the caller holds the tree's row lock (census-tree-service.ts) for the whole
 * transaction; the store itself does not lock.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { MerkleNode, MerkleNodeStore, NodePosition } from '../zk/merkle-tree.ts';
import type { CensusTreeName } from './census.entity.ts';

/** Positions per statement; a path read at depth 20 needs 21. */
const MAX_POSITIONS_PER_READ = 512;

export class DatabaseNodeStore implements MerkleNodeStore {
  readonly #em: SqlEntityManager;
  readonly #communityId: string;
  readonly #kind: CensusTreeName;
  #size: number;
  /** The nodes this store wrote, by `level:index`. */
  readonly #written = new Map<string, bigint>();

  constructor(em: SqlEntityManager, communityId: string, kind: CensusTreeName, size: number) {
    this.#em = em;
    this.#communityId = communityId;
    this.#kind = kind;
    this.#size = size;
  }

  async getNodes(positions: readonly NodePosition[]): Promise<Array<bigint | undefined>> {
    if (positions.length === 0) return [];
    const known = positions.map(({ level, index }) => this.#written.get(`${level}:${index}`));
    if (known.every((value) => value !== undefined)) return known;
    if (positions.length > MAX_POSITIONS_PER_READ) throw new RangeError(`Failed to read census nodes: more than ${MAX_POSITIONS_PER_READ} positions`);
    const pairs = positions.map(() => '(?, ?)').join(', ');
    const rows: Array<{ level: number; node_index: number; value: string }> = await this.#em.execute(
      `select level, node_index, value from census_tree_nodes
        where community_id = ? and kind = ? and (level, node_index) in (${pairs})`,
      [this.#communityId, this.#kind, ...positions.flatMap(({ level, index }) => [level, index])],
    );
    const found = new Map(rows.map((row) => [`${Number(row.level)}:${Number(row.node_index)}`, BigInt(row.value)]));
    return positions.map(({ level, index }) => this.#written.get(`${level}:${index}`) ?? found.get(`${level}:${index}`));
  }

  /** Upserts the nodes and records the new size, in one statement. */
  async setNodes(nodes: readonly MerkleNode[], size: number): Promise<void> {
    if (nodes.length === 0) return;
    const rows = nodes.map(() => '(?, ?, ?, ?, ?)').join(', ');
    await this.#em.execute(
      `with written as (
         insert into census_tree_nodes (community_id, kind, level, node_index, value) values ${rows}
         on conflict (community_id, kind, level, node_index) do update set value = excluded.value
       )
       update census_trees set size = ? where community_id = ? and kind = ?`,
      [
        ...nodes.flatMap(({ level, index, value }) => [this.#communityId, this.#kind, level, index, value.toString()]),
        size,
        this.#communityId,
        this.#kind,
      ],
    );
    this.#size = size;
    for (const { level, index, value } of nodes) this.#written.set(`${level}:${index}`, value);
  }

  getSize(): number {
    return this.#size;
  }
}
