/**
 * Anonymous ballots accepted per second over HTTP with full verification: 8 concurrent
 * clients, in a process of their own (http-clients.ts), post `castAnonymousBallot` over
 * loopback HTTP to the server `npm start` runs (src/server/server.ts): the whole request
 * path — sockets, parsing, cheap checks, the pairing, the nullifier store, the ballot rows
 * and the ledger entry in one transaction, integration after commit. The
 * same run measures the pairing checked in small batches (the server's default) and one
 * proof at a time, on the same ballots.
 *
 * Proofs made beforehand: MEMBERS owners each get one real proof from the prover; each
 * proof is then re-randomised into that owner's further ballots (Groth16 proofs are
 * malleable: A' = r1·A, B' = r1⁻¹·B + r1⁻¹r2·δ, C' = C + r2·A proves the same statement
 * with new points, rerandomise-proof.ts), so every ballot carries points the verifier has never seen and is
 * verified in full. The first ballot of each owner (fresh nullifier) is a warm-up; the
 * measured ballots are re-votes, which take the owner's current-ballot row lock, so each
 * client votes for its own owners.
 *
 *   npm run bench -- --only governance [--quick]      (DATABASE_URL for PostgreSQL)
 *
 * With GOVERNANCE_BENCH_PROFILE=file.cpuprofile the request thread's CPU profile of the
 * batched phase is written there (open it in Chrome DevTools).
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import pg from 'pg';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { listen } from '../../src/server/server.ts';
import { addCensusMember, censusMerkleProof } from '../../src/census/census-tree-service.ts';
import { loadMembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { createIdentity } from '../../src/zk/identity.ts';
import { proveMembership, type MembershipProof } from '../../src/zk/prover.ts';
import { percentile, type BenchFigure, type BenchOptions, type BenchSuite } from './bench-suite.ts';
import { openBenchApp } from './bench-app.ts';
import { postConcurrently } from './http-clients.ts';
import { readProcessStat } from './process-stat.ts';
import { rerandomise } from './rerandomise-proof.ts';

const CLIENTS = 8;
const PASSWORD = 'bench admin password long enough';
const TARGET_PER_SECOND = 200;
const TARGET_P99_MS = 250;

/** SQL statements sent to PostgreSQL by this process (BEGIN and COMMIT included): every query goes through pg.Client#query. */
let statementsSent = 0;
/** With GOVERNANCE_BENCH_STATEMENTS=1, the 20 commonest statements (by their first 60 characters) per ballot, printed after the batched phase. */
const statementKinds = process.env['GOVERNANCE_BENCH_STATEMENTS'] ? new Map<string, number>() : undefined;
const clientQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  statementsSent += 1;
  if (statementKinds) {
    const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string } | undefined)?.text);
    const kind = text.replace(/\s+/gu, ' ').slice(0, 60);
    statementKinds.set(kind, (statementKinds.get(kind) ?? 0) + 1);
  }
  return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof clientQuery;

/** CPU milliseconds (user + system) of these processes so far; a process that ended, or no /proc, counts 0. */
function processCpuMs(pids: readonly number[]): number {
  return pids.reduce((total, pid) => total + (readProcessStat(pid)?.cpuMs ?? 0), 0);
}

export const suite: BenchSuite = {
  name: 'governance',
  async run(options: BenchOptions): Promise<BenchFigure[]> {
    const members = options.quick ? 16 : 48;
    const perPhase = options.quick ? 320 : 1200;
    const bench = await openBenchApp(options, { adminPassword: PASSWORD, logLevel: 'warn' });
    const { app, database } = bench;
    const orm = app.orm;
    const onPostgreSql = database === 'postgresql';
    const server = await listen(app, '127.0.0.1', 0);
    const endpoint = `${server.url}/graphql`;
    try {
      const graphql = async (query: string, variables: Record<string, unknown>, token?: string) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (token) headers['authorization'] = `Bearer ${token}`;
        const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
        return (await response.json()) as { data?: any; errors?: unknown };
      };
      const must = async (field: string, query: string, variables: Record<string, unknown>, token?: string) => {
        const result = await graphql(query, variables, token);
        const payload = result.data?.[field];
        if (!payload || payload.code || result.errors) throw new Error(`Failed to benchmark: ${field} ${JSON.stringify(result)}`);
        return payload.data ?? payload;
      };
      const login = async (name: string, password: string) =>
        (await must('login', `mutation ($l: String!, $p: String!) { login(login: $l, password: $p) { __typename ... on MutationLoginSuccess { data { token } } ... on Error { code } } }`, { l: name, p: password })).token as string;
      const admin = await login('admin', PASSWORD);
      const community = await must('createCommunity', `mutation { createCommunity(slug: "governance-bench", name: "Governance bench") {
        __typename ... on MutationCreateCommunitySuccess { data { id } } ... on Error { code } } }`, {}, admin);
      const committee = await must('createAccount', `mutation { createAccount(login: "bench-committee", password: "${PASSWORD}") {
        __typename ... on MutationCreateAccountSuccess { data { account { id } } } ... on Error { code } } }`, {}, admin);
      await must('grantRole', `mutation ($a: ID!, $c: ID!) { grantRole(accountId: $a, role: COMMITTEE, communityId: $c) {
        __typename ... on MutationGrantRoleSuccess { data { id } } ... on Error { code } } }`, { a: committee.account.id, c: community.id }, admin);
      const committeeToken = await login('bench-committee', PASSWORD);
      await must('activateVerificationKey', `mutation ($c: ID!) { activateVerificationKey(communityId: $c, instance: "membership-10") {
        __typename ... on MutationActivateVerificationKeySuccess { data { hash } } ... on Error { code } } }`, { c: community.id }, admin);

      const communityId = Buffer.from(community.id, 'base64').toString('utf8').split(':')[1]!;
      const identities = await Promise.all(Array.from({ length: members }, () => createIdentity()));
      const em = orm.em.fork() as SqlEntityManager;
      const leaves: number[] = [];
      await em.transactional(async (tx) => {
        for (const [index, identity] of identities.entries()) {
          const accountId = randomUUID();
          await tx.execute(`insert into accounts (id, login, password_hash, created_at) values (?, ?, 'x', now())`, [accountId, `owner-${accountId}`]);
          const change = await addCensusMember(tx as SqlEntityManager, {
            communityId, kind: 'owners', identityCommitment: identity.commitment, weight: 6000 + index, accountId, householdId: null, actor: 'bench',
          });
          leaves.push(change.leafIndex);
        }
      });
      const now = Date.now();
      const created = await must('createProposal', `mutation ($c: ID!, $o: DateTime!, $e: DateTime!) { createProposal(communityId: $c, title: "Bench", body: "Vote.",
        matter: 4, census: OWNERS, mode: ANONYMOUS, opensAt: $o, closesAt: $e) { __typename ... on MutationCreateProposalSuccess { data { id } } ... on Error { code message } } }`,
      { c: community.id, o: new Date(now - 1000).toISOString(), e: new Date(now + 86_400_000).toISOString() }, committeeToken);
      const opened = await must('openProposal', `mutation ($id: ID!) { openProposal(proposalId: $id) { __typename
        ... on MutationOpenProposalSuccess { data { id scope options { id message } } } ... on Error { code message } } }`, { id: created.id }, committeeToken);
      const yes = BigInt(opened.options.find((option: { id: string }) => option.id === 'yes').message);

      const artifacts = await loadMembershipArtifacts('membership-10');
      const proveStart = performance.now();
      const proofs: MembershipProof[] = [];
      for (const [index, identity] of identities.entries()) {
        proofs.push(await proveMembership(artifacts, {
          secret: identity.secret, merkleProof: await censusMerkleProof(em, communityId, 'owners', leaves[index]!),
          attribute: BigInt(6000 + index), scope: BigInt(opened.scope), message: yes,
        }));
      }
      const proveSeconds = (performance.now() - proveStart) / 1000;
      const delta = artifacts.verificationKey.vk_delta_2 as unknown as string[][];
      // Ballot i of a phase is owner (i mod members)'s; client k sends the ballots i ≡ k (mod CLIENTS), so no two clients share an owner.

      const cast = `mutation ($id: ID!, $p: String!) { castAnonymousBallot(proposalId: $id, choice: "yes", proof: $p) { __typename ... on Error { code message } } }`;
      const send = async (proof: string) => {
        const result = await graphql(cast, { id: opened.id, p: proof });
        if (result.data?.castAnonymousBallot?.__typename !== 'MutationCastAnonymousBallotSuccess') throw new Error(`Failed to benchmark: ballot refused ${JSON.stringify(result)}`);
      };
      for (const proof of proofs) await send(JSON.stringify(proof)); // warm-up: each owner's first ballot
      const prepare = async () =>
        Promise.all(Array.from({ length: perPhase }, (_, index) => rerandomise(proofs[index % members]!, delta)).map(async (proof) =>
          JSON.stringify({ query: cast, variables: { id: opened.id, p: JSON.stringify(await proof) } })));

      const verifier = app.services.governance.ballotVerifier;
      const phase = async (mode: 'batched' | 'single') => {
        const ballots = await prepare();
        verifier.mode = mode;
        const before = { ...verifier.stats };
        // The database's work for these ballots: its backends serving this database (local PostgreSQL only).
        const backends = onPostgreSql
          ? ((await em.execute('select pid from pg_stat_activity where datname = current_database()')) as Array<{ pid: number }>).map((row) => Number(row.pid))
          : [];
        const statementsBefore = statementsSent;
        statementKinds?.clear();
        const databaseCpuBefore = processCpuMs(backends);
        const profilePath = mode === 'batched' ? process.env['GOVERNANCE_BENCH_PROFILE'] : undefined;
        const profiler = profilePath ? new Session() : undefined;
        if (profiler) {
          profiler.connect();
          await profiler.post('Profiler.enable');
          await profiler.post('Profiler.start');
        }
        const cpuBefore = process.cpuUsage();
        const { seconds, latenciesMs: latencies } = await postConcurrently({
          url: endpoint, clients: CLIENTS, bodies: ballots, headers: { 'content-type': 'application/json' }, expect: 'MutationCastAnonymousBallotSuccess',
        });
        const cpu = process.cpuUsage(cpuBefore);
        if (profiler && profilePath) {
          const { profile } = await profiler.post('Profiler.stop');
          await writeFile(profilePath, JSON.stringify(profile));
          profiler.disconnect();
        }
        const serverCpuMsPerBallot = (cpu.user + cpu.system) / 1000 / ballots.length;
        const serverSystemCpuMsPerBallot = cpu.system / 1000 / ballots.length;
        const databaseCpuMsPerBallot = onPostgreSql ? (processCpuMs(backends) - databaseCpuBefore) / ballots.length : null;
        // Let the coalesced live tally publications of the phase go out, so they are counted.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const statementsPerBallot = onPostgreSql ? (statementsSent - statementsBefore) / ballots.length : null;
        if (statementKinds && mode === 'batched') {
          for (const [kind, count] of [...statementKinds].sort((a, b) => b[1] - a[1]).slice(0, 20)) process.stderr.write(`${(count / ballots.length).toFixed(2).padStart(6)} ${kind}\n`);
        }
        statementKinds?.clear();
        const sorted = latencies.sort((a, b) => a - b);
        const batches = verifier.stats.batches - before.batches;
        return { perSecond: ballots.length / seconds, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), batches, meanBatch: batches ? (verifier.stats.proofs - before.proofs) / batches : 1,
          serverCpuMsPerBallot, serverSystemCpuMsPerBallot, databaseCpuMsPerBallot, statementsPerBallot };
      };
      const batched = await phase('batched');
      const single = await phase('single');
      verifier.mode = 'batched';
      return [
        {
          name: `anonymous ballots over HTTP, full verification, ${CLIENTS} clients, pairing in batches`,
          median: Number(batched.perSecond.toFixed(1)),
          unit: 'ballots/s',
          samples: perPhase,
          target: `>= ${TARGET_PER_SECOND} ballots/s, p99 <= ${TARGET_P99_MS} ms`,
          met: batched.perSecond >= TARGET_PER_SECOND && batched.p99 <= TARGET_P99_MS,
          detail: {
            database, p50Ms: Number(batched.p50.toFixed(1)), p99Ms: Number(batched.p99.toFixed(1)), meanBatchSize: Number(batched.meanBatch.toFixed(1)),
            oneByOnePerSecond: Number(single.perSecond.toFixed(1)), members, proofsMadeSeconds: Number(proveSeconds.toFixed(1)),
            // CPU time is what a shared machine cannot distort: this process (HTTP handling, checks, pairing worker) and the database's backends.
            serverCpuMsPerBallot: Number(batched.serverCpuMsPerBallot.toFixed(2)),
            serverSystemCpuMsPerBallot: Number(batched.serverSystemCpuMsPerBallot.toFixed(2)),
            ...(batched.databaseCpuMsPerBallot === null ? {} : { databaseCpuMsPerBallot: Number(batched.databaseCpuMsPerBallot.toFixed(2)) }),
            ...(batched.statementsPerBallot === null ? {} : { sqlStatementsPerBallot: Number(batched.statementsPerBallot.toFixed(2)) }),
          },
        },
        {
          name: `anonymous ballots over HTTP, full verification, ${CLIENTS} clients, one pairing per proof (same run)`,
          median: Number(single.perSecond.toFixed(1)),
          unit: 'ballots/s',
          samples: perPhase,
          detail: { database, p50Ms: Number(single.p50.toFixed(1)), p99Ms: Number(single.p99.toFixed(1)),
            serverCpuMsPerBallot: Number(single.serverCpuMsPerBallot.toFixed(2)), speedupOfBatches: Number((batched.perSecond / single.perSecond).toFixed(2)) },
        },
      ];
    } finally {
      await server.close();
      await bench.close();
    }
  },
};
