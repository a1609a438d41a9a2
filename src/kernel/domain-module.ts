/**
 * What a domain tells the installation about itself.
 *
 * Each domain folder (`src/ledger/`, `src/census/`, …) exports one `DomainModule` from its
 * `module.ts`: its entities, its migrations, the long-lived services its resolvers and jobs
 * use, its background jobs, its subscription topics, its plain HTTP routes and the function
 * that adds its GraphQL types. `src/server/modules.ts` lists the modules in one place; the server, the database,
 * the schema printer, tests and benchmarks all read that list. Adding a domain is its
 * folder and one line there — no shared file learns its name (docs/architecture.md).
 *
 * This folder is neutral ground: it imports no domain, no GraphQL and no server code
 * (checked by `npm run lint`), so every layer may import it.
 */
import type { EntitySchema, MigrationObject } from '@mikro-orm/core';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Configuration } from '../config/configuration.ts';
import type { InstallationKeys } from '../config/keys.ts';
import type { DatabaseSchema, SqlEntityManager } from '../db/orm.ts';

export interface DomainModule {
  /** The folder's name, lower case (`ledger`); its subscription topics start with `<name>:`. */
  readonly name: string;
  readonly entities: readonly EntitySchema<any, any>[];
  /**
   * Committed schema changes, oldest first, each named `Migration<yyyymmddhhmmss>_<words>`
   * after its file `<yyyymmddhhmmss>-<words>.ts`. The migrations of all modules run in the
   * order of those timestamps (`orderedMigrations`), so the order is visible from file names.
   */
  readonly migrations: readonly MigrationObject[];
  /** Subscription topics the module publishes, each `<name>:<event>` (typed in `SubscriptionTopics`). */
  readonly topics?: readonly string[];
  /**
   * Those of its `topics` that every instance publishes for itself from committed rows (a
   * feed polling the database), so each instance already sees every event. They stay in
   * the process: fanned out through Redis, each event would reach a subscriber once per
   * instance that publishes it. The other topics go through Redis when REDIS_URL is set.
   */
  readonly instanceTopics?: readonly string[];
  /**
   * Creates the module's long-lived services once per process (rate limiters, feeds,
   * settings): its slice of `ModuleServices`, which it declares by declaration merging.
   */
  readonly createServices?: (runtime: ModuleRuntime) => Partial<ModuleServices>;
  /**
   * One-time work of every server process at start, before it serves and after the
   * installation log exists: recording on the ledger what an older version left
   * unrecorded. Several instances may start at once, so it must be idempotent.
   */
  readonly atStart?: (runtime: ModuleRuntime, services: AppServices) => Promise<void>;
  /** Starts the module's background jobs (once per server process); each is stopped at shutdown. */
  readonly jobs?: (runtime: ModuleRuntime, services: AppServices) => readonly BackgroundJob[];
  /** Plain HTTP routes beside the GraphQL endpoint (public files, webhooks), tried in list order. */
  readonly routes?: (services: AppServices) => readonly RouteHandler[];
  /**
   * Rebuilds the module's projections of one community from its ledger alone and compares
   * them with the live tables (`npm run ledger:replay`); each difference names its record.
   */
  readonly replay?: (em: SqlEntityManager, communityId: string) => Promise<ReplayComparison>;
  /** Adds the module's GraphQL types and fields to the builder (imports its `api/` files). */
  readonly registerGraphQL?: () => Promise<void>;
}

/** What a module's replay found: how many entries it folded, and every record where replay and live differ. */
export interface ReplayComparison {
  entries: number;
  differences: ReadonlyArray<{ description: string }>;
}

/** Answers a request it owns, or returns undefined to let the next route (and finally GraphQL) try. */
export type RouteHandler = (request: Request, url: URL) => Promise<Response | undefined> | Response | undefined;

/** What the server gives every module: the installation's configuration and shared machinery. */
export interface ModuleRuntime {
  configuration: Configuration;
  keys: InstallationKeys;
  /** Structured logs: ids, codes and durations, never personal data. */
  logger: Logger;
  /** A fresh EntityManager for one unit of work outside a request (jobs, routes). */
  forkEntityManager(): SqlEntityManager;
  /** The one way to run a unit of work that writes (see TransactionRunner). */
  transactions: TransactionRunner;
  /** Subscription events, published only for committed state (through Redis to every instance when REDIS_URL is set). */
  pubsub: TopicPubSub;
  /**
   * The Redis that several instances share (REDIS_URL), for state every instance must see
   * at once (rate limits); undefined when this process runs alone. Keys start with `keyPrefix`.
   */
  redis: { client: Redis; keyPrefix: string } | undefined;
}

/**
 * Runs a unit of work in ONE database transaction: all of its writes and ledger entries
 * commit, or none do. After the commit, the entries it appended are sequenced before
 * `run` returns, so the caller's response (and any read after it) sees them with their
 * sequence numbers. Used by GraphQL mutations and by background jobs alike.
 *
 * With `{ sequencing: 'after-return' }` the integration pass starts at the commit but
 * `run` returns without waiting for it: the entries are durably accepted (committed) and
 * are sequenced a moment later, by that pass or by the background integrator. For a
 * caller whose answer does not need the sequence numbers, or resolves them on demand
 * (`sequenceOfEntry`); anonymous ballots use it (docs/governance.md, "Throughput").
 */
export interface TransactionRunner {
  run<T>(em: SqlEntityManager, work: (transaction: SqlEntityManager) => Promise<T>, options?: UnitOfWorkOptions): Promise<T>;
  /** Resolves once every integration pass started after a commit has ended (for shutdown). */
  settled(): Promise<void>;
  /** Whether a pass started after a commit is waiting, queued or running now (the background integrator then skips polls). */
  integrating(): boolean;
}

export interface UnitOfWorkOptions {
  /** 'before-return' (the default): `run` resolves after its entries are sequenced; 'after-return': at the commit. */
  sequencing?: 'before-return' | 'after-return';
}

/**
 * Each module adds the services it creates (`createServices`) to this interface by
 * declaration merging, so resolvers and jobs see them typed:
 *
 *   declare module '../kernel/domain-module.ts' {
 *     interface ModuleServices { ledger: LedgerServices }
 *   }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ModuleServices {}

/** Everything a resolver or a job may use: the runtime and every module's services. */
export type AppServices = ModuleRuntime & ModuleServices;

/**
 * Subscription topics by name, each `[id, payload]` where `id` keys the subscribers (a
 * community id). Modules add their topics by declaration merging, like ModuleServices.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface SubscriptionTopics {}

type TopicName = keyof SubscriptionTopics & string;
type TopicArguments<Topic extends TopicName> = SubscriptionTopics[Topic] extends [string, unknown] ? SubscriptionTopics[Topic] : never;

/** Publish and follow subscription events (graphql-yoga's PubSub, typed over SubscriptionTopics). */
export interface TopicPubSub {
  publish<Topic extends TopicName>(topic: Topic, ...event: TopicArguments<Topic>): void;
  subscribe<Topic extends TopicName>(topic: Topic, id: TopicArguments<Topic>[0]): AsyncIterable<TopicArguments<Topic>[1]>;
}

/** A job that runs in the background of a server process from start to shutdown. */
export interface BackgroundJob {
  readonly name: string;
  /** Stops the job after its current work finishes. */
  stop(): Promise<void>;
}

/** A migration's name: `Migration` + 14-digit timestamp + `_` + words. */
const MIGRATION_NAME = /^Migration(\d{14})_[a-z0-9_]+$/u;
const MODULE_NAME = /^[a-z][a-z0-9-]*$/u;

export class ModuleListError extends Error {
  override readonly name = 'ModuleListError';
}

function migrationTimestamp(module: DomainModule, migration: MigrationObject): string {
  const match = MIGRATION_NAME.exec(migration.name);
  if (!match) throw new ModuleListError(`Migration "${migration.name}" of module ${module.name} is not named Migration<yyyymmddhhmmss>_<words>`);
  return match[1]!;
}

/**
 * Every module's migrations in one list, ordered by the timestamps in their names.
 * Refuses a module whose own list is not oldest first, and two migrations that share a
 * timestamp (two modules must never claim the same moment, or the order is ambiguous).
 */
export function orderedMigrations(modules: readonly DomainModule[]): MigrationObject[] {
  const byTimestamp = new Map<string, { module: string; migration: MigrationObject }>();
  for (const module of modules) {
    let previous = '';
    for (const migration of module.migrations) {
      const timestamp = migrationTimestamp(module, migration);
      if (timestamp <= previous) {
        throw new ModuleListError(`Migrations of module ${module.name} are out of order: ${migration.name} comes after a migration not older than it`);
      }
      previous = timestamp;
      const clash = byTimestamp.get(timestamp);
      if (clash) {
        throw new ModuleListError(`Migration ${migration.name} (module ${module.name}) clashes with ${clash.migration.name} (module ${clash.module}): same timestamp`);
      }
      byTimestamp.set(timestamp, { module: module.name, migration });
    }
  }
  return [...byTimestamp.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, { migration }]) => migration);
}

/** Checks the list as a whole: names unique and well formed, topics unique and prefixed by their module. */
export function checkModuleList(modules: readonly DomainModule[]): void {
  const names = new Set<string>();
  const topics = new Set<string>();
  for (const module of modules) {
    if (!MODULE_NAME.test(module.name)) throw new ModuleListError(`Module name "${module.name}" is not a lower-case folder name`);
    if (names.has(module.name)) throw new ModuleListError(`Module ${module.name} is listed twice`);
    names.add(module.name);
    for (const topic of module.topics ?? []) {
      if (!topic.startsWith(`${module.name}:`)) throw new ModuleListError(`Topic "${topic}" of module ${module.name} does not start with "${module.name}:"`);
      if (topics.has(topic)) throw new ModuleListError(`Topic "${topic}" is declared twice`);
      topics.add(topic);
    }
    for (const topic of module.instanceTopics ?? []) {
      if (!module.topics?.includes(topic)) throw new ModuleListError(`Instance topic "${topic}" of module ${module.name} is not one of its topics`);
    }
  }
  orderedMigrations(modules);
}

/** What the database layer needs from the modules: their entities and their migrations in order. */
export function databaseSchemaOf(modules: readonly DomainModule[]): DatabaseSchema {
  checkModuleList(modules);
  return { entities: modules.flatMap((module) => module.entities), migrations: orderedMigrations(modules) };
}
