/**
 * Pages of ledger entries that can never change, kept in memory: entries are immutable
 * (the table refuses UPDATE and DELETE) and sequence numbers are given consecutively at
 * integration, so an entry appended later always sorts after every entry already in the
 * log. A page read oldest first that came back full — `limit` rows, whatever the
 * filters — is therefore the answer to the same question forever. A short page (the end
 * of the log) or one read newest first can still grow, and is read from the database each
 * time.
 *
 * Who may read a log is checked before (requireLogReader), per request; the cache holds
 * ids and amounts only, as the log does.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { listEntries, MAX_ENTRY_PAGE_SIZE, type EntryPageQuery, type StoredEntry } from './entries.ts';

/** Pages kept per process; the least recently read is dropped first. */
export const ENTRY_PAGE_CACHE_MAX_PAGES = 2_000;

export class EntryPageCache {
  readonly #pages = new Map<string, readonly StoredEntry[]>();
  readonly #maxPages: number;

  constructor(maxPages = ENTRY_PAGE_CACHE_MAX_PAGES) {
    this.#maxPages = maxPages;
  }

  get size(): number {
    return this.#pages.size;
  }

  async list(em: SqlEntityManager, communityId: string, query: EntryPageQuery): Promise<readonly StoredEntry[]> {
    if (query.descending) return listEntries(em, communityId, query);
    const key = JSON.stringify([
      communityId,
      query.afterSeq ?? null,
      query.beforeSeq ?? null,
      query.limit,
      query.type ?? null,
      query.since?.toISOString() ?? null,
      query.until?.toISOString() ?? null,
    ]);
    const kept = this.#pages.get(key);
    if (kept) {
      // Most recently read last, so the first key is the one to drop.
      this.#pages.delete(key);
      this.#pages.set(key, kept);
      return kept;
    }
    const entries = await listEntries(em, communityId, query);
    const limit = Math.min(Math.max(Math.trunc(query.limit), 0), MAX_ENTRY_PAGE_SIZE);
    if (limit > 0 && entries.length === limit) {
      this.#pages.set(key, Object.freeze(entries.map((entry) => Object.freeze(entry))));
      if (this.#pages.size > this.#maxPages) this.#pages.delete(this.#pages.keys().next().value!);
    }
    return entries;
  }
}
