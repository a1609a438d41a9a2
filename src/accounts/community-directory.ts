/**
 * The communities' own records (slug, name, jurisdiction, required cosignatures, creation
 * time), kept in this process once read. A community's row never changes once created —
 * nothing in Courtyard updates or deletes it, and the database refuses both (migration
 * 20261219000200-communities-immutable) — so a kept row is never stale, on this instance
 * or any other, and nothing needs to be invalidated.
 *
 * What it does not keep is who may read what: the caller's readable communities come from
 * the session check of each request (src/accounts/account-service.ts, `viewerFromToken`),
 * so a revoked session or a revoked grant takes effect on the next request as before.
 *
 * It serves the community dashboard (`communities`, read on every page view): a member's or
 * a regulator's page is cut from their readable communities in memory, without a statement
 * once their rows are kept. An admin's page, over every community, is read by SQL.
 */
import type { KeysetPage } from '../kernel/keyset.ts';
import type { Community } from './community.entity.ts';

/** Rows kept at most; past it the oldest kept row is dropped (it is read again if asked for). */
export const COMMUNITY_DIRECTORY_MAX_ROWS = 10_000;

/**
 * A caller who may read more communities than this has the page read by SQL, so a page
 * never sorts more than this many rows in memory.
 */
export const IN_MEMORY_PAGE_MAX_COMMUNITIES = 1_000;

export interface CommunityRow {
  id: string;
  slug: string;
  name: string;
  jurisdiction_id: string | null;
  required_cosignatures: number;
  created_at: Date | string;
}

/** The columns of a community record, as `communityFromRow` reads them. */
export const COMMUNITY_COLUMNS = 'id, slug, name, jurisdiction_id, required_cosignatures, created_at';

export function communityFromRow(row: CommunityRow): Community {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    jurisdictionId: row.jurisdiction_id,
    requiredCosignatures: Number(row.required_cosignatures),
    createdAt: new Date(row.created_at),
  };
}

/** Reads rows by SQL; called only for rows not kept yet. */
export interface CommunityRowReader {
  execute(sql: string, params: unknown[]): Promise<unknown[]>;
}

export class CommunityDirectory {
  readonly #rows = new Map<string, Community>();

  /** The communities of `ids` that exist, in no particular order: kept ones from memory, the rest in one statement. */
  async communities(db: CommunityRowReader, ids: Iterable<string>): Promise<Community[]> {
    const found: Community[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const kept = this.#rows.get(id);
      if (kept) found.push(kept);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const rows = (await db.execute(
      `select ${COMMUNITY_COLUMNS} from communities where id in (${missing.map(() => '?::uuid').join(', ')})`,
      missing,
    )) as CommunityRow[];
    for (const row of rows) found.push(this.keep(communityFromRow(row)));
    return found;
  }

  /** Keeps a community's record (a row just read or created). */
  keep(community: Community): Community {
    if (!this.#rows.has(community.id) && this.#rows.size >= COMMUNITY_DIRECTORY_MAX_ROWS) {
      // Maps iterate in insertion order: the first key is the oldest kept.
      this.#rows.delete(this.#rows.keys().next().value!);
    }
    this.#rows.set(community.id, community);
    return community;
  }
}

/**
 * One page of communities in slug order, cut in memory with exactly the semantics of
 * `keysetSql` over `slug collate "C"`: strictly after `after` and before `before`, read
 * backwards from the end for a `last` page, `limit` rows. Slugs are lowercase ASCII
 * (SLUG_PATTERN), so JavaScript's code-unit comparison is the "C" collation's byte order.
 */
export function communityPage(communities: readonly Community[], page: KeysetPage<readonly [string]>): Community[] {
  const after = page.after?.[0];
  const before = page.before?.[0];
  const inRange = communities.filter(
    (community) => (after === undefined || community.slug > after) && (before === undefined || community.slug < before),
  );
  inRange.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  if (page.backwards) inRange.reverse();
  return inRange.slice(0, page.limit);
}
