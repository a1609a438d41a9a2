/**
 * The one path from a committed append to a sequenced entry.
 *
 * `appendEntries` only accepts an entry (a pending row, see append-entry.ts); the
 * integrator gives it its sequence number. A unit of work — a GraphQL mutation, a
 * background job — runs through the transaction runner made here:
 *
 *   1. the work runs in ONE database transaction, inside a scope in which every append
 *      notes its community (`noteAppend`, an AsyncLocalStorage scope: no module-level map
 *      keyed by ORM internals, and appends inside nested savepoints are seen too);
 *   2. after the commit, each community it appended to is integrated, so the caller's
 *      response and any read after it see the entries with their sequence numbers
 *      (concurrent units of one process share integration passes: `IntegrationPasses`);
 *   3. an integration that fails is reported with the community id (the server logs it)
 *      and left to the background integrator, which polls for pending rows: the entries
 *      are committed and accepted, only their sequencing waits.
 *
 * A unit run with `sequencing: 'after-return'` starts the same pass at its commit but
 * returns without waiting for it: its entries are committed, hence accepted and durable
 * (a crash before the pass leaves pending rows the next integrator sequences), and a
 * reader that needs a seq now resolves it with `sequenceOfEntry`.
 *
 * Appends made outside a runner (tests, commands) are sequenced by the background
 * integrator, or on demand by readers (`sequenceOfEntry`, `integratePending`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqlEntityManager } from '../db/orm.ts';
import type { TransactionRunner, UnitOfWorkOptions } from '../kernel/domain-module.ts';
import { integratePending } from './integrator.ts';

/** The communities the current unit of work appended to. */
const appendScope = new AsyncLocalStorage<Set<string>>();

/** Called by appendEntries: remembers the community for integration after the commit. */
export function noteAppend(communityId: string): void {
  appendScope.getStore()?.add(communityId);
}

export interface IntegrationFailure {
  communityId: string;
  error: unknown;
}

export interface TransactionRunnerOptions {
  /** Called for each community whose integration after the commit failed (to log it). */
  onIntegrationFailure: (failure: IntegrationFailure) => void;
}

/**
 * Integration passes of one process, shared per community. A unit of work that committed
 * while a pass was running cannot count on that pass (it may have read the pending rows
 * before the commit), so it waits for the next pass — and every unit that commits in the
 * meantime shares that one. Under concurrent writes to one community this turns one
 * integration transaction per mutation (each waiting for the head lock in turn) into about
 * two at a time, each sequencing everything committed before it began.
 */
export class IntegrationPasses {
  private readonly running = new Map<string, Promise<number>>();
  private readonly queued = new Map<string, Promise<number>>();
  private readonly delayed = new Map<string, Promise<number>>();

  /** Whether any pass is delayed, running or queued. */
  busy(): boolean {
    return this.running.size > 0 || this.queued.size > 0 || this.delayed.size > 0;
  }

  /** Resolves once no pass is delayed, running or queued (passes added meanwhile included). */
  async settled(): Promise<void> {
    while (this.busy()) {
      await Promise.allSettled([...this.running.values(), ...this.queued.values(), ...this.delayed.values()]);
    }
  }

  /**
   * Like `integrate`, but the pass is asked for only after `delayMs`, and every unit that
   * commits in the meantime joins that request: for units that do not wait for their
   * sequencing, fewer and larger passes (each one transaction of about five statements).
   */
  integrateSoon(communityId: string, pass: () => Promise<number>, delayMs: number): Promise<number> {
    const waiting = this.delayed.get(communityId);
    if (waiting) return waiting;
    const later = new Promise<void>((resolve) => setTimeout(resolve, delayMs)).then(() => {
      this.delayed.delete(communityId); // a unit committing from now on needs a later request
      return this.integrate(communityId, pass);
    });
    this.delayed.set(communityId, later);
    return later;
  }

  /** Resolves once a pass that began after this call has sequenced the community's pending entries. */
  integrate(communityId: string, pass: () => Promise<number>): Promise<number> {
    const queued = this.queued.get(communityId);
    if (queued) return queued;
    const running = this.running.get(communityId);
    if (!running) return this.start(communityId, pass);
    const next = running.catch(() => 0).then(() => this.start(communityId, pass));
    this.queued.set(communityId, next);
    return next;
  }

  private start(communityId: string, pass: () => Promise<number>): Promise<number> {
    this.queued.delete(communityId); // arrivals from now on need a pass that begins after this one
    const running = pass().finally(() => {
      if (this.running.get(communityId) === running) this.running.delete(communityId);
    });
    this.running.set(communityId, running);
    return running;
  }
}

/**
 * How long a unit that does not wait for its sequencing (`sequencing: 'after-return'`)
 * lets others join its integration pass. Its entries are committed already; this only
 * bounds how soon readers without `sequenceOfEntry` see them sequenced.
 */
export const AFTER_RETURN_INTEGRATION_DELAY_MS = 20;

/** Sequences what the committed unit of work appended, community by community (after `delayMs` when it is not 0). */
async function integrateAfterCommit(
  em: SqlEntityManager,
  communityIds: ReadonlySet<string>,
  passes: IntegrationPasses,
  options: TransactionRunnerOptions,
  delayMs = 0,
): Promise<void> {
  for (const communityId of communityIds) {
    const pass = () => integratePending(em.fork() as SqlEntityManager, communityId);
    try {
      await (delayMs > 0 ? passes.integrateSoon(communityId, pass, delayMs) : passes.integrate(communityId, pass));
    } catch (error) {
      options.onIntegrationFailure({ communityId, error });
    }
  }
}

export function createTransactionRunner(options: TransactionRunnerOptions): TransactionRunner {
  const passes = new IntegrationPasses();
  return {
    async run(em, work, unit: UnitOfWorkOptions = {}) {
      // Integration needs the commit, so a runner cannot join an enclosing transaction.
      if (em.isInTransaction()) throw new Error('A unit of work runs in its own transaction; call the runner outside any transaction');
      const appended = new Set<string>();
      const result = await appendScope.run(appended, () => em.transactional((transaction) => work(transaction as SqlEntityManager)));
      // integrateAfterCommit reports its failures and never rejects, so it may run unawaited.
      if (unit.sequencing === 'after-return') {
        void integrateAfterCommit(em, appended, passes, options, AFTER_RETURN_INTEGRATION_DELAY_MS);
      } else {
        await integrateAfterCommit(em, appended, passes, options);
      }
      return result;
    },
    settled: () => passes.settled(),
    integrating: () => passes.busy(),
  };
}
