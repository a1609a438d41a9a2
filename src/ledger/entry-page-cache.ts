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
 *
 * A kept entry's payload is also kept as the RFC 8785 text the API answers with
 * (`canonicalPayload`), worked out once when its page is kept rather than on every read:
 * the entry and its payload are frozen, so the text cannot drift from them.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { listEntries, MAX_ENTRY_PAGE_SIZE, type EntryPageQuery, type StoredEntry } from './entries.ts';
import { canonicalJson } from './entry-encoding.ts';

/** Pages kept per process; the least recently read is dropped first. */
export const ENTRY_PAGE_CACHE_MAX_PAGES = 2_000;

export class EntryPageCache {
  readonly #pages = new Map<string, readonly StoredEntry[]>();
  /** The canonical payload text of each kept entry; an entry leaves with the last page holding it. */
  readonly #payloadTexts = new WeakMap<StoredEntry, string>();
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
      const kept = entries.map((entry) => {
        deepFreeze(entry.payload);
        this.#payloadTexts.set(entry, canonicalJson(entry.payload));
        return Object.freeze(entry);
      });
      this.#pages.set(key, Object.freeze(kept));
      if (this.#pages.size > this.#maxPages) this.#pages.delete(this.#pages.keys().next().value!);
    }
    return entries;
  }

  /** The entry's payload as RFC 8785 canonical JSON: kept for an entry of a kept page, worked out otherwise. */
  canonicalPayload(entry: StoredEntry): string {
    return this.#payloadTexts.get(entry) ?? canonicalJson(entry.payload);
  }
}

/** Freezes a JSON value and everything in it. */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  for (const item of Object.values(value)) deepFreeze(item);
  Object.freeze(value);
}
