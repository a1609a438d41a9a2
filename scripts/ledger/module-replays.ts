/**
 * Runs the `replay` of every module that has one (src/kernel/domain-module.ts) for one
 * log, and prints what each found. Shared by `ledger:replay` and `ledger:audit` (which
 * replays after the hashes verify).
 */
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { DomainError } from '../../src/domain-error.ts';
import { modules } from '../../src/server/modules.ts';

export interface ModuleReplay {
  module: string;
  entries: number;
  differences: string[];
  /** A typed error that stopped the replay (REPLAY_FAILED naming the entry), or null. */
  failure: string | null;
}

export async function replayModules(em: SqlEntityManager, logId: string): Promise<ModuleReplay[]> {
  const results: ModuleReplay[] = [];
  for (const module of modules) {
    if (!module.replay) continue;
    try {
      const comparison = await module.replay(em.fork() as SqlEntityManager, logId);
      results.push({
        module: module.name,
        entries: comparison.entries,
        differences: comparison.differences.map((difference) => difference.description),
        failure: null,
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      results.push({ module: module.name, entries: 0, differences: [], failure: `${error.code}: ${error.message}` });
    }
  }
  return results;
}

export function replaysOk(results: readonly ModuleReplay[]): boolean {
  return results.every((result) => result.failure === null && result.differences.length === 0);
}

export function printReplays(results: readonly ModuleReplay[]): void {
  for (const result of results) {
    if (result.failure) console.log(`${result.module}: FAILED: ${result.failure}`);
    else if (result.differences.length === 0)
      console.log(`${result.module}: ${result.entries} entries replayed; replay equals live`);
    else {
      console.log(`${result.module}: ${result.entries} entries replayed; FAILED: ${result.differences[0]}`);
      for (const difference of result.differences.slice(1, 20)) console.log(`  also: ${difference}`);
    }
  }
}
