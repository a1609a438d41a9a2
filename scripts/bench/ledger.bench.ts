/**
 * Ledger figures: append throughput (one community with 8 clients, next to plain INSERT
 * of the same rows in the same run; 16 communities), audit throughput, and proof latency.
 * Runs on a scratch PostgreSQL database when DATABASE_URL is set, PGlite otherwise.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { initOrm, type Orm, type SqlEntityManager } from '../../src/db/orm.ts';
import { databaseSchema } from '../../src/server/modules.ts';
import { appendEntries, appendEntry } from '../../src/ledger/append-entry.ts';
import { integratePending, startLedgerIntegrator, type LedgerIntegrator } from '../../src/ledger/integrator.ts';
import { createTransactionRunner } from '../../src/ledger/transaction-runner.ts';
import type { TransactionRunner } from '../../src/kernel/domain-module.ts';
import { auditLog } from '../../src/ledger/audit.ts';
import { consistencyProof, inclusionProof } from '../../src/ledger/proofs.ts';
import { median, timeEach, type BenchFigure, type BenchOptions, type BenchSuite } from './bench-suite.ts';
import { createScratchDatabase } from '../../src/db/scratch-database.ts';

const CLIENTS = 8;
const COMMUNITIES = 16;
const ROUNDS = 3;

function payload(index: number) {
  return { invoiceId: `inv-${index}`, householdId: `hh-${index % 500}`, amountFen: 12_345 + index };
}

/** Runs `total` units of work over `clients` concurrent loops; returns units per second. */
async function throughput(total: number, clients: number, work: (client: number, index: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let index = next++; index < total; index = next++) await work(client, index);
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

function appendOne(orm: Orm, integrator: LedgerIntegrator, communityId: string, index: number) {
  return orm.em
    .fork()
    .transactional((tx) => appendEntry(tx as SqlEntityManager, { communityId, type: 'fees.payment-recorded', payload: payload(index), actor: 'bench' }))
    .then(() => integrator.nudge()); // appends outside a transaction runner, left to the background integrator
}

/**
 * End to end: `total` appends committed by `clients` concurrent loops AND sequenced by the
 * background integrator (the server's settings, nudged after each commit); the clock
 * stops when the last entry is integrated. Returns entries/s, and the rate of commits alone.
 */
async function integratedThroughput(
  orm: Orm,
  communities: readonly string[],
  total: number,
  clients: number,
  work: (integrator: LedgerIntegrator, client: number, index: number) => Promise<unknown>,
): Promise<{ integrated: number; accepted: number }> {
  // The server's settings (src/ledger/ledger-jobs.ts): defaults; nudged after each commit.
  const integrator = startLedgerIntegrator({ forkEntityManager: () => orm.em.fork() as SqlEntityManager });
  try {
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let index = next++; index < total; index = next++) await work(integrator, client, index);
      }),
    );
    const accepted = total / ((performance.now() - start) / 1000);
    await integrator.drain();
    const integrated = total / ((performance.now() - start) / 1000);
    const heads: Array<{ size: unknown }> = await orm.em
      .fork()
      .execute(`select coalesce(sum(tree_size), 0) as size from ledger_heads where community_id in (${communities.map(() => '?').join(', ')})`, [...communities]);
    if (Number(heads[0]!.size) !== total) throw new Error(`integrated ${String(heads[0]!.size)} of ${total} appends`);
    return { integrated, accepted };
  } finally {
    await integrator.stop();
  }
}

/** As a GraphQL mutation appends: through the transaction runner, which sequences the entry before returning. */
function appendThroughRunner(orm: Orm, runner: TransactionRunner, communityId: string, index: number) {
  return runner.run(orm.em.fork() as SqlEntityManager, (tx) => appendEntry(tx, { communityId, type: 'fees.payment-recorded', payload: payload(index), actor: 'bench' }));
}

function plainInsert(orm: Orm, communityId: string, index: number) {
  return orm.em.fork().transactional((tx) =>
    tx.execute(
      `insert into bench_plain_entries (community_id, seq, type, payload, actor, recorded_at, leaf_hash) values (?, ?, ?, ?::jsonb, ?, now(), ?)`,
      [communityId, index, 'fees.payment-recorded', JSON.stringify(payload(index)), 'bench', randomBytes(32)],
    ),
  );
}

async function appendFigures(orm: Orm, appendsPerRound: number): Promise<BenchFigure[]> {
  await orm.em.fork().execute('create table bench_plain_entries (like ledger_entries including all)');
  const appendRates: number[] = [];
  const acceptRates: number[] = [];
  const insertRates: number[] = [];
  const multiRates: number[] = [];
  const multiAcceptRates: number[] = [];
  const runnerRates: number[] = [];
  const runner = createTransactionRunner({
    onIntegrationFailure: ({ error }) => {
      throw error;
    },
  });
  for (let round = 0; round < ROUNDS; round++) {
    const single = randomUUID();
    const one = await integratedThroughput(orm, [single], appendsPerRound, CLIENTS, (integrator, _, index) => appendOne(orm, integrator, single, index));
    appendRates.push(one.integrated);
    acceptRates.push(one.accepted);
    const plain = randomUUID();
    insertRates.push(await throughput(appendsPerRound, CLIENTS, (_, index) => plainInsert(orm, plain, index)));
    const communities = Array.from({ length: COMMUNITIES }, () => randomUUID());
    const many = await integratedThroughput(orm, communities, appendsPerRound * 2, COMMUNITIES, (integrator, client, index) =>
      appendOne(orm, integrator, communities[client]!, index),
    );
    multiRates.push(many.integrated);
    multiAcceptRates.push(many.accepted);
    const viaRunner = randomUUID();
    runnerRates.push(await throughput(appendsPerRound, CLIENTS, (_, index) => appendThroughRunner(orm, runner, viaRunner, index)));
  }
  const appendRate = median(appendRates);
  const insertRate = median(insertRates);
  return [
    {
      name: `append, 1 community, ${CLIENTS} clients, 1 entry per transaction, committed and integrated`,
      median: appendRate,
      unit: 'entries/s',
      samples: ROUNDS,
      target: '>= 1000 and >= 0.5 x plain INSERT',
      met: appendRate >= 1000 && appendRate >= 0.5 * insertRate,
      detail: {
        plainInsertPerSecond: Math.round(insertRate),
        ratioToPlainInsert: Number((appendRate / insertRate).toFixed(2)),
        committedPerSecond: Math.round(median(acceptRates)),
        appendsPerRound,
      },
    },
    { name: `plain INSERT of the same rows, ${CLIENTS} clients`, median: insertRate, unit: 'rows/s', samples: ROUNDS },
    {
      name: `append, ${COMMUNITIES} communities, 1 client each, committed and integrated`,
      median: median(multiRates),
      unit: 'entries/s',
      samples: ROUNDS,
      target: '>= 3000',
      met: median(multiRates) >= 3000,
      detail: { committedPerSecond: Math.round(median(multiAcceptRates)), appendsPerRound: appendsPerRound * 2 },
    },
    {
      name: `append through the transaction runner (as a mutation), 1 community, ${CLIENTS} clients, sequenced before each returns`,
      median: median(runnerRates),
      unit: 'entries/s',
      samples: ROUNDS,
      detail: { appendsPerRound },
    },
  ];
}

async function auditAndProofFigures(orm: Orm, entries: number): Promise<BenchFigure[]> {
  const communityId = randomUUID();
  const em = orm.em.fork() as SqlEntityManager;
  for (let start = 0; start < entries; start += 1_000) {
    const count = Math.min(1_000, entries - start);
    await em.transactional((tx) =>
      appendEntries(tx, communityId, Array.from({ length: count }, (_, offset) => ({ type: 'fees.payment-recorded', payload: payload(start + offset), actor: 'bench' }))),
    );
  }
  await integratePending(em, communityId); // appends are sequenced by the integrator
  const auditRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const report = await auditLog(em, communityId);
    if (!report.ok) throw new Error('audit of the benchmark log failed');
    auditRates.push(entries / ((performance.now() - start) / 1000));
  }
  const samples = 200;
  const inclusion = await timeEach(samples, () => inclusionProof(em, communityId, Math.floor(Math.random() * entries), entries));
  const consistency = await timeEach(samples, () => {
    const from = 1 + Math.floor(Math.random() * (entries - 1));
    return consistencyProof(em, communityId, from, entries);
  });
  return [
    { name: `audit, ${entries} entries`, median: median(auditRates), unit: 'entries/s', samples: ROUNDS, target: '>= 200000', met: median(auditRates) >= 200_000 },
    { name: `inclusion proof at ${entries} entries`, median: median(inclusion), unit: 'ms', samples, target: '<= 5', met: median(inclusion) <= 5 },
    { name: `consistency proof at ${entries} entries`, median: median(consistency), unit: 'ms', samples, target: '<= 5', met: median(consistency) <= 5 },
  ];
}

export const suite: BenchSuite = {
  name: 'ledger',
  async run(options: BenchOptions): Promise<BenchFigure[]> {
    const scratch = options.databaseUrl ? await createScratchDatabase(options.databaseUrl, 'courtyard_bench') : undefined;
    const orm = await initOrm(scratch ? { databaseUrl: scratch.url } : { pgliteDataDirectory: 'memory://' }, databaseSchema);
    try {
      const figures = await appendFigures(orm, options.quick ? 1_000 : 4_000);
      figures.push(...(await auditAndProofFigures(orm, options.quick ? 20_000 : 100_000)));
      const database = scratch ? 'postgresql' : 'pglite';
      return figures.map((figure) => ({ ...figure, detail: { database, ...figure.detail } }));
    } finally {
      await orm.close(true);
      await scratch?.drop();
    }
  },
};
