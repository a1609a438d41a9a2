/**
 * Publishes a proposal's live tally after its ballots commit, coalesced and off the
 * ballot's request path. A committed ballot asks for a publication; while one is waiting
 * to run, later ballots of the same proposal join it. A publication reads the totals
 * after every ballot committed before it ran, and a ballot committed while it reads asks
 * for the next one, so a subscriber always ends up with the current totals; under a burst
 * of ballots the totals are read once per burst instead of once per ballot.
 */
import type { ModuleRuntime } from '../kernel/domain-module.ts';
import { BallotCheckCache } from './ballot-check-cache.ts';
import { liveTotals, tallyView } from './proposals.ts';

/** How long a requested publication waits for more ballots of its proposal to join it. */
export const LIVE_TALLY_DELAY_MS = 25;

export class LiveTallyPublisher {
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  private readonly publishing = new Set<Promise<void>>();
  private closed = false;
  private readonly runtime: Pick<ModuleRuntime, 'forkEntityManager' | 'pubsub' | 'logger'>;
  /** The proposal's options and mode, which never change once it is open: read from the ballots' cache. */
  private readonly proposals: BallotCheckCache;

  constructor(runtime: Pick<ModuleRuntime, 'forkEntityManager' | 'pubsub' | 'logger'>, proposals = new BallotCheckCache(0)) {
    this.runtime = runtime;
    this.proposals = proposals;
  }

  /** After a ballot of `proposalId` committed: its totals will be published shortly. */
  request(proposalId: string): void {
    if (this.closed || this.waiting.has(proposalId)) return;
    const timer = setTimeout(() => {
      this.waiting.delete(proposalId);
      const publication = this.publish(proposalId).finally(() => this.publishing.delete(publication));
      this.publishing.add(publication);
    }, LIVE_TALLY_DELAY_MS);
    timer.unref(); // a waiting publication never keeps the process alive; close() sends it at shutdown
    this.waiting.set(proposalId, timer);
  }

  /** At shutdown: publishes what is waiting now, and lets what runs finish. */
  async close(): Promise<void> {
    this.closed = true;
    const waiting = [...this.waiting.entries()];
    this.waiting.clear();
    for (const [proposalId, timer] of waiting) {
      clearTimeout(timer);
      this.publishing.add(this.publish(proposalId));
    }
    await Promise.all(this.publishing);
  }

  private async publish(proposalId: string): Promise<void> {
    try {
      const em = this.runtime.forkEntityManager();
      const proposal = (await this.proposals.read(em, proposalId))?.proposal;
      if (!proposal) return;
      this.runtime.pubsub.publish('governance:tally', proposalId, { proposalId, totals: tallyView(await liveTotals(em, proposal)) });
    } catch (error) {
      // The ballots are committed; only this update of the subscribers' totals is lost, and the next ballot's carries them.
      this.runtime.logger.error({ proposal: proposalId, error: (error as Error).message }, 'live tally not published');
    }
  }
}
