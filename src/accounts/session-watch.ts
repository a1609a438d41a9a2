/**
 * Watches the sessions behind long-lived work — open subscription streams — so the work
 * stops when its session ends: revoked (`revokeSessions`, `logout`, a password change),
 * expired, or its account disabled.
 *
 * A session ended by this process is noticed at once: the resolver that ended it calls
 * `recheckNow()` after its commit. A session ended by another instance is noticed by the
 * next periodic check, within SESSION_RECHECK_INTERVAL_MS; each check is one query over
 * every watched session of this process, and there is no timer while nothing is watched.
 * (Issue 16's shared pub/sub can push revocations between instances to shorten that.)
 */
import type { SqlEntityManager } from '../db/orm.ts';

/** How often watched sessions are checked against the database. */
export const SESSION_RECHECK_INTERVAL_MS = 2_000;
/** Sessions checked per query. */
const SESSIONS_PER_QUERY = 500;

export interface SessionWatchOptions {
  forkEntityManager(): SqlEntityManager;
  recheckIntervalMs?: number;
  /** A failed check is reported and retried at the next interval; nothing is ended on a failure. */
  onError(error: unknown): void;
}

export class SessionWatch {
  readonly #options: SessionWatchOptions;
  /** Session id → what to call when it ends. */
  readonly #watchers = new Map<string, Set<() => void>>();
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #stopped = false;

  constructor(options: SessionWatchOptions) {
    this.#options = options;
  }

  /** Calls `onEnded` once, when the session ends; the returned function stops watching. */
  watch(sessionId: string, onEnded: () => void): () => void {
    let callbacks = this.#watchers.get(sessionId);
    if (!callbacks) {
      callbacks = new Set();
      this.#watchers.set(sessionId, callbacks);
    }
    const callback = () => onEnded();
    callbacks.add(callback);
    this.#schedule();
    return () => {
      const current = this.#watchers.get(sessionId);
      current?.delete(callback);
      if (current?.size === 0) this.#watchers.delete(sessionId);
      if (this.#watchers.size === 0) this.#unschedule();
    };
  }

  /** Checks every watched session now; for a resolver that just ended sessions. */
  recheckNow(): Promise<void> {
    this.#checking ??= this.#check().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  /** Stops the periodic check (at shutdown). */
  stop(): void {
    this.#stopped = true;
    this.#unschedule();
  }

  #schedule(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => {
      this.recheckNow().catch(this.#options.onError);
    }, this.#options.recheckIntervalMs ?? SESSION_RECHECK_INTERVAL_MS);
  }

  #unschedule(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #check(): Promise<void> {
    const watched = [...this.#watchers.keys()];
    if (watched.length === 0) return;
    const live = new Set<string>();
    const em = this.#options.forkEntityManager();
    for (let start = 0; start < watched.length; start += SESSIONS_PER_QUERY) {
      const ids = watched.slice(start, start + SESSIONS_PER_QUERY);
      const rows: Array<{ id: string }> = await em.execute(
        `select s.id from sessions s join accounts a on a.id = s.account_id
          where s.id in (${ids.map(() => '?').join(', ')}) and s.revoked_at is null and s.expires_at > now() and a.disabled_at is null`,
        ids,
      );
      for (const row of rows) live.add(row.id);
    }
    for (const sessionId of watched) {
      if (live.has(sessionId)) continue;
      const callbacks = this.#watchers.get(sessionId);
      this.#watchers.delete(sessionId);
      for (const callback of callbacks ?? []) callback();
    }
    if (this.#watchers.size === 0) this.#unschedule();
  }
}
