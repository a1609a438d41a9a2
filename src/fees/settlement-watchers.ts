/**
 * Watchers of invoice settlement: domains built on fees (fee proofs' paid sets) learn,
 * inside the transaction of every money unit, which households' periods it touched, so
 * that what they derive from "all of this household's invoices for the period are paid"
 * changes in the same transaction — after the unit's rows are written and its entries
 * appended, so after the money row locks (docs/ledger.md, "Appending").
 *
 * Fees cannot import the domains that build on it, so they register here: a module adds
 * its watcher when its module file is loaded (src/server/modules.ts lists it). A watcher
 * must be idempotent — it is told about a period whenever any of its invoices changed,
 * settled or not — and throw only to abort the whole unit.
 */
import type { SqlEntityManager } from '../db/orm.ts';

/** One household's invoices of one period, at least one of which the unit changed. */
export interface HouseholdPeriod {
  householdId: string;
  periodId: string;
}

export type SettlementWatcher = (
  em: SqlEntityManager,
  communityId: string,
  touched: readonly HouseholdPeriod[],
) => Promise<void>;

const watchers = new Set<SettlementWatcher>();

/** Registers a watcher once per process (a second registration of the same function is ignored). */
export function watchSettlements(watcher: SettlementWatcher): void {
  watchers.add(watcher);
}

/** Calls every watcher with the distinct household periods of these invoices. */
export async function notifySettlementWatchers(
  em: SqlEntityManager,
  communityId: string,
  invoices: ReadonlyArray<{ householdId: string; periodId: string }>,
): Promise<void> {
  if (watchers.size === 0 || invoices.length === 0) return;
  const distinct = new Map<string, HouseholdPeriod>();
  for (const { householdId, periodId } of invoices)
    distinct.set(`${householdId}/${periodId}`, { householdId, periodId });
  const touched = [...distinct.values()].sort((a, b) =>
    a.periodId === b.periodId ? (a.householdId < b.householdId ? -1 : 1) : a.periodId < b.periodId ? -1 : 1,
  );
  for (const watcher of watchers) await watcher(em, communityId, touched);
}
