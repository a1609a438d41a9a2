/**
 * Replay equals live: rebuilds a community's money projection from its ledger alone
 * (every money entry, in seq order, through `moneyFold`) and compares it table by table
 * with the live tables. A difference names the table's record and key ("invoice …",
 * "account …"); a replay that cannot run names the entry (REPLAY_FAILED).
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { integratePending } from '../ledger/integrator.ts';
import type { SequencedEntry } from '../funds/fold.ts';
import { loadProjection, type ProjectionUnit } from '../funds/projection-unit.ts';
import type { ProjectionTable } from '../funds/projection-tables.ts';
import { canonicalRecordText } from '../funds/record-codec.ts';
import { emptyMoneyState, type MoneyState } from './fees-state.ts';
import { moneyFold } from './money-fold.ts';
import { MONEY_TABLES } from './money-tables.ts';

export interface ProjectionDifference {
  table: string;
  key: string;
  /** "account 3f…: live differs from replay", or only in one of them. */
  description: string;
}

export interface ReplayReport {
  entries: number;
  differences: ProjectionDifference[];
}

/** Rows a page of the replay reads from the ledger at once. */
const REPLAY_PAGE_ENTRIES = 5_000;

export async function readMoneyEntries(em: SqlEntityManager, communityId: string): Promise<SequencedEntry[]> {
  await integratePending(em, communityId);
  const entries: SequencedEntry[] = [];
  for (let after = -1; ;) {
    const rows: Array<{ seq: string | number; type: string; payload: string }> = await em.execute(
      `select seq, type, payload::text as payload from ledger_entries
        where community_id = ? and seq > ? and type in (${moneyFold.types.map(() => '?').join(', ')})
        order by seq limit ${REPLAY_PAGE_ENTRIES}`,
      [communityId, after, ...moneyFold.types],
    );
    for (const row of rows) entries.push({ seq: Number(row.seq), type: row.type, payload: JSON.parse(row.payload) });
    if (rows.length < REPLAY_PAGE_ENTRIES) return entries;
    after = entries.at(-1)!.seq!;
  }
}

export function compareStates(live: MoneyState, replayed: MoneyState): ProjectionDifference[] {
  const differences: ProjectionDifference[] = [];
  for (const [table, spec] of Object.entries(MONEY_TABLES) as Array<[keyof MoneyState & string, ProjectionTable]>) {
    const liveRows = live[table] as ReadonlyMap<string, unknown>;
    const replayedRows = replayed[table] as ReadonlyMap<string, unknown>;
    const keys = [...new Set([...liveRows.keys(), ...replayedRows.keys()])].sort();
    for (const key of keys) {
      const a = liveRows.get(key);
      const b = replayedRows.get(key);
      if (a === undefined)
        differences.push({ table, key, description: `${spec.recordName} ${key}: in the replay only` });
      else if (b === undefined)
        differences.push({ table, key, description: `${spec.recordName} ${key}: in the live tables only` });
      else if (canonicalRecordText(a) !== canonicalRecordText(b))
        differences.push({ table, key, description: `${spec.recordName} ${key}: live differs from replay` });
    }
  }
  return differences;
}

/** Replays the community's money entries and compares with its live tables. */
export async function replayMoney(em: SqlEntityManager, communityId: string): Promise<ReplayReport> {
  const entries = await readMoneyEntries(em, communityId);
  const replayed = moneyFold.replay(entries, emptyMoneyState(communityId));
  const live = await loadProjection(em, MONEY_TABLES, emptyMoneyState(communityId));
  return { entries: entries.length, differences: compareStates(live, replayed) };
}

export type { ProjectionUnit };
