/**
 * Follows the heads of the communities someone is subscribed to, and reports what is
 * new: entries appended, and checkpoints that became final. It reads committed rows
 * from the database, so it sees appends from every server process sharing the database,
 * and it only ever reports what has committed.
 *
 * A community is polled only while it has at least one follower (`retain` … release),
 * at a bounded interval, one query per tick when nothing changed. Each tick reports at
 * most MAX_ENTRIES_PER_TICK entries, so a burst is delivered over several ticks.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { StoredCheckpoint } from './checkpoints.ts';
import { listEntries, logSize, type StoredEntry } from './entries.ts';
import { latestFinalCheckpoint } from './witnesses.ts';

export const MAX_ENTRIES_PER_TICK = 1_000;
/** Communities followed at once by one process; a further follower is refused. */
export const MAX_FOLLOWED_COMMUNITIES = 10_000;

export interface LogFeedOptions {
  forkEntityManager: () => SqlEntityManager;
  pollIntervalMs: number;
  onEntry: (entry: StoredEntry) => void;
  onFinalCheckpoint: (checkpoint: StoredCheckpoint) => void;
  onError?: (error: unknown) => void;
}

interface FollowedLog {
  followers: number;
  treeSize: number;
  finalTreeSize: number;
  timer: NodeJS.Timeout;
  running: Promise<void>;
}

export class LogFeed {
  readonly #options: LogFeedOptions;
  readonly #logs = new Map<string, FollowedLog>();
  #closed = false;

  constructor(options: LogFeedOptions) {
    this.#options = options;
  }

  /** Starts following a community (from its current head); call the returned function to stop. */
  async retain(communityId: string): Promise<() => void> {
    if (this.#closed) throw new Error('the ledger feed is closed');
    let log = this.#logs.get(communityId);
    if (!log) {
      if (this.#logs.size >= MAX_FOLLOWED_COMMUNITIES) throw new Error('too many communities followed');
      log = await this.#start(communityId);
    }
    log.followers++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#release(communityId);
    };
  }

  /** How many communities are being polled now (for tests and metrics). */
  get followedCount(): number {
    return this.#logs.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const running = [...this.#logs.values()].map((log) => {
      clearInterval(log.timer);
      return log.running;
    });
    this.#logs.clear();
    await Promise.all(running);
  }

  async #start(communityId: string): Promise<FollowedLog> {
    const em = this.#options.forkEntityManager();
    const treeSize = await logSize(em, communityId);
    const finalTreeSize = (await latestFinalCheckpoint(em, communityId))?.treeSize ?? -1;
    // Another follower may have started it while this one read the head.
    const existing = this.#logs.get(communityId);
    if (existing) return existing;
    const log: FollowedLog = { followers: 0, treeSize, finalTreeSize, running: Promise.resolve(), timer: undefined! };
    log.timer = setInterval(() => {
      log.running = log.running.then(() => this.#tick(communityId, log));
    }, this.#options.pollIntervalMs);
    log.timer.unref();
    this.#logs.set(communityId, log);
    return log;
  }

  #release(communityId: string): void {
    const log = this.#logs.get(communityId);
    if (!log) return;
    log.followers--;
    if (log.followers > 0) return;
    clearInterval(log.timer);
    this.#logs.delete(communityId);
  }

  async #tick(communityId: string, log: FollowedLog): Promise<void> {
    if (this.#logs.get(communityId) !== log) return;
    try {
      const em = this.#options.forkEntityManager();
      const size = await logSize(em, communityId);
      if (size > log.treeSize) {
        const entries = await listEntries(em, communityId, { afterSeq: log.treeSize - 1, limit: MAX_ENTRIES_PER_TICK });
        for (const entry of entries) this.#options.onEntry(entry);
        log.treeSize += entries.length;
      }
      const final = await latestFinalCheckpoint(em, communityId);
      if (final && final.treeSize > log.finalTreeSize) {
        log.finalTreeSize = final.treeSize;
        this.#options.onFinalCheckpoint(final);
      }
    } catch (error) {
      this.#options.onError?.(error);
    }
  }
}
