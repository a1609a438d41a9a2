/**
 * Reads on PostgreSQL hot standbys, through MikroORM's replica support (the `replicas`
 * option, `connectionType: 'read'`).
 *
 * MikroORM sends a query to a replica only when asked: the ORM is configured with
 * `preferReadReplicas: false` (src/db/orm.ts), so every unit of work, job and mutation
 * stays on the primary as before. A request that only reads takes `readFork()`: a fork
 * whose raw SQL (`execute`), finds, counts and query builders ask for the `read`
 * connection. Inside a transaction MikroORM pins the primary whatever is asked, so a read
 * request that writes (a personal-data read logs its access) still writes on the primary.
 *
 * The standbys are watched: every `REPLICA_LAG_POLL_INTERVAL_MS` each is asked how far its
 * replay is behind. While any is unreachable or further behind than `maxLagSeconds`,
 * `readFork()` answers a primary fork, so a stuck standby serves nothing stale for longer
 * than the bound (plus one poll).
 */
import type { Orm, SqlEntityManager } from './orm.ts';

/** How often each standby's replay lag is read. */
export const REPLICA_LAG_POLL_INTERVAL_MS = 1000;
/** Default bound on a standby's replay lag before reads go back to the primary. */
export const REPLICA_MAX_LAG_SECONDS_DEFAULT = 5;

/**
 * Seconds of replay behind the primary, as the standby sees it: 0 when it has replayed all
 * it received, else the age of the last transaction it replayed. A server that is not in
 * recovery (a promoted standby) is not behind.
 */
const REPLICA_LAG_SQL = `
  SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
  END::float8 AS lag_seconds`;

interface ReplicaConnection {
  execute(sql: string, params?: readonly unknown[]): Promise<unknown>;
}

/** The raw-SQL and find methods a read fork sends to the `read` connection, with where their options sit. */
const OPTIONS_ARGUMENT_OF = {
  find: 2,
  findOne: 2,
  findOneOrFail: 2,
  count: 2,
  findAndCount: 2,
  findAll: 1,
  findByCursor: 1,
} as const;

/**
 * A fork of the ORM whose reads go to a replica (one MikroORM picks at random per query).
 * Writes and transactions still go to the primary.
 */
export function replicaReadFork(orm: Orm): SqlEntityManager {
  const em = orm.em.fork() as SqlEntityManager;
  const patched = em as unknown as Record<string, (...args: unknown[]) => unknown>;
  const execute = em.execute.bind(em) as (...args: unknown[]) => unknown;
  patched['execute'] = (query: unknown, params?: unknown, methodOrOptions?: unknown, loggerContext?: unknown) => {
    const options =
      methodOrOptions !== null && typeof methodOrOptions === 'object'
        ? (methodOrOptions as Record<string, unknown>)
        : { method: methodOrOptions ?? 'all', loggerContext };
    return execute(query, params ?? [], { connectionType: 'read', ...options });
  };
  for (const [name, position] of Object.entries(OPTIONS_ARGUMENT_OF)) {
    const original = (patched[name] as (...args: unknown[]) => unknown).bind(em);
    patched[name] = (...args: unknown[]) => {
      const given = args[position] as Record<string, unknown> | undefined;
      args[position] = { connectionType: 'read', ...given };
      return original(...args);
    };
  }
  for (const name of ['createQueryBuilder', 'qb'] as const) {
    const original = (patched[name] as (...args: unknown[]) => unknown).bind(em);
    patched[name] = (entityName: unknown, alias?: unknown, type?: unknown, loggerContext?: unknown) =>
      original(entityName, alias, type ?? 'read', loggerContext);
  }
  return em;
}

export interface ReadReplicaRouting {
  /** How many standbys are configured. */
  readonly replicaCount: number;
  /** Each standby's replay lag in seconds at the last poll; null while unreachable or not yet read. */
  lagSeconds(): readonly (number | null)[];
  /** Whether reads go to the standbys now (all reachable and within the bound). */
  replicasServeReads(): boolean;
  /** An EntityManager for a request that only reads: on the standbys when they serve reads, else the primary. */
  readFork(): SqlEntityManager;
  /** Reads every standby's lag once (the poller does this on its own). */
  pollNow(): Promise<void>;
  close(): void;
}

export interface ReadReplicaRoutingOptions {
  maxLagSeconds: number;
  pollIntervalMs?: number;
  /** Told about a standby that could not be read, by index; never given its URL. */
  onPollFailure?: (replicaIndex: number, error: unknown) => void;
}

/** The standbys' connections, as MikroORM opened them from the `replicas` option. */
function replicaConnections(orm: Orm): ReplicaConnection[] {
  // MikroORM keeps them on the driver (`protected replicas`); it exposes one at random only.
  return (orm.driver as unknown as { replicas: ReplicaConnection[] }).replicas;
}

export function createReadReplicaRouting(orm: Orm, options: ReadReplicaRoutingOptions): ReadReplicaRouting {
  const connections = replicaConnections(orm);
  let lags: (number | null)[] = connections.map(() => null);
  let polling: Promise<void> | undefined;
  // Told once per outage, not at every poll.
  const failing = connections.map(() => false);

  async function poll(): Promise<void> {
    lags = await Promise.all(
      connections.map(async (connection, index) => {
        try {
          const rows = (await connection.execute(REPLICA_LAG_SQL)) as Array<{ lag_seconds: number | string }>;
          failing[index] = false;
          return Number(rows[0]?.lag_seconds ?? Number.NaN);
        } catch (error) {
          if (!failing[index]) options.onPollFailure?.(index, error);
          failing[index] = true;
          return null;
        }
      }),
    );
  }
  const pollNow = () => (polling ??= poll().finally(() => (polling = undefined)));

  const timer = connections.length > 0 ? setInterval(() => void pollNow(), options.pollIntervalMs ?? REPLICA_LAG_POLL_INTERVAL_MS) : undefined;
  timer?.unref();
  if (connections.length > 0) void pollNow();

  const replicasServeReads = () =>
    connections.length > 0 && lags.every((lag) => lag !== null && Number.isFinite(lag) && lag <= options.maxLagSeconds);

  return {
    replicaCount: connections.length,
    lagSeconds: () => lags,
    replicasServeReads,
    readFork: () => (replicasServeReads() ? replicaReadFork(orm) : (orm.em.fork() as SqlEntityManager)),
    pollNow,
    close: () => clearInterval(timer),
  };
}
