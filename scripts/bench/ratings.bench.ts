/**
 * Anonymous ratings accepted per second over HTTP with full verification, by the method
 * of the ballots bench (governance.bench.ts): 8 concurrent clients post
 * `submitAnonymousRating` to the app's GraphQL endpoint (yoga.fetch, the whole request
 * path: parsing, subject and period, the households census's recent roots, the cheap
 * checks, the pairing in the shared batching verifier, the nullifier store, the rating
 * rows and the ledger entry in one transaction, integration after commit).
 *
 * Proofs made beforehand: HOUSEHOLDS households each get one real proof from the prover
 * for one service category and the open period; each is re-randomised into that
 * household's further ratings (rerandomise-proof.ts), so every rating brings points the
 * verifier has never seen. The first rating of each household is a warm-up; the measured
 * ones are replacements (the household's current-rating row lock), and client k sends the
 * ratings of households ≡ k (mod CLIENTS), so no two clients share a household.
 *
 *   npm run bench -- --only ratings [--quick]      (DATABASE_URL for PostgreSQL)
 */
import { randomUUID } from 'node:crypto';
import { type SqlEntityManager } from '../../src/db/orm.ts';
import { addCensusMember, censusMerkleProof } from '../../src/census/census-tree-service.ts';
import { periodOf, ratingMessage, ratingScope } from '../../src/ratings/rating-rules.ts';
import { loadMembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { createIdentity } from '../../src/zk/identity.ts';
import { proveMembership, type MembershipProof } from '../../src/zk/prover.ts';
import { percentile, type BenchFigure, type BenchOptions, type BenchSuite } from './bench-suite.ts';
import { openBenchApp } from './bench-app.ts';
import { rerandomise } from './rerandomise-proof.ts';

const CLIENTS = 8;
const PASSWORD = 'bench admin password long enough';
const SCORE = 4;

export const suite: BenchSuite = {
  name: 'ratings',
  async run(options: BenchOptions): Promise<BenchFigure[]> {
    const households = options.quick ? 16 : 48;
    const measured = options.quick ? 240 : 1200;
    const installation = await openBenchApp(options, { adminPassword: PASSWORD, logLevel: 'warn' });
    const { app } = installation;
    try {
      const graphql = async (query: string, variables: Record<string, unknown>, token?: string) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (token) headers['authorization'] = `Bearer ${token}`;
        const response = await app.yoga.fetch('http://courtyard.bench/graphql', {
          method: 'POST',
          headers,
          body: JSON.stringify({ query, variables }),
        });
        return (await response.json()) as { data?: any; errors?: unknown };
      };
      const must = async (field: string, query: string, variables: Record<string, unknown>, token?: string) => {
        const result = await graphql(query, variables, token);
        const payload = result.data?.[field];
        if (!payload || payload.code || result.errors)
          throw new Error(`Failed to benchmark: ${field} ${JSON.stringify(result)}`);
        return payload.data ?? payload;
      };
      const login = async (name: string, password: string) =>
        (
          await must(
            'login',
            `mutation ($l: String!, $p: String!) { login(login: $l, password: $p) { __typename ... on MutationLoginSuccess { data { token } } ... on Error { code } } }`,
            { l: name, p: password },
          )
        ).token as string;
      const admin = await login('admin', PASSWORD);
      const community = await must(
        'createCommunity',
        `mutation { createCommunity(slug: "ratings-bench", name: "Ratings bench") {
        __typename ... on MutationCreateCommunitySuccess { data { id } } ... on Error { code } } }`,
        {},
        admin,
      );
      const manager = await must(
        'createAccount',
        `mutation { createAccount(login: "bench-manager", password: "${PASSWORD}") {
        __typename ... on MutationCreateAccountSuccess { data { account { id } } } ... on Error { code } } }`,
        {},
        admin,
      );
      await must(
        'grantRole',
        `mutation ($a: ID!, $c: ID!) { grantRole(accountId: $a, role: MANAGER, communityId: $c) {
        __typename ... on MutationGrantRoleSuccess { data { id } } ... on Error { code } } }`,
        { a: manager.account.id, c: community.id },
        admin,
      );
      const managerToken = await login('bench-manager', PASSWORD);
      await must(
        'activateVerificationKey',
        `mutation ($c: ID!) { activateVerificationKey(communityId: $c, instance: "membership-10") {
        __typename ... on MutationActivateVerificationKeySuccess { data { hash } } ... on Error { code } } }`,
        { c: community.id },
        admin,
      );
      const period = periodOf(new Date());
      await must(
        'openRatingPeriod',
        `mutation ($c: ID!, $p: String!) { openRatingPeriod(communityId: $c, period: $p) {
        __typename ... on MutationOpenRatingPeriodSuccess { data { period } } ... on Error { code message } } }`,
        { c: community.id, p: period },
        managerToken,
      );
      const subjects = (
        await graphql(
          `
            query ($c: ID!) {
              ratingSubjects(communityId: $c) {
                id
                key
              }
            }
          `,
          { c: community.id },
          managerToken,
        )
      ).data.ratingSubjects as Array<{ id: string; key: string }>;
      const subject = subjects.find((candidate) => candidate.key === 'cleaning')!.id;

      const communityId = Buffer.from(community.id, 'base64').toString('utf8').split(':')[1]!;
      const identities = await Promise.all(Array.from({ length: households }, () => createIdentity()));
      const em = app.orm.em.fork() as SqlEntityManager;
      const leaves: number[] = [];
      await em.transactional(async (tx) => {
        for (const identity of identities) {
          const householdId = randomUUID();
          await tx.execute(
            'insert into households (id, community_id, floor_area_centi_square_metres, created_at) values (?, ?, 5000, now())',
            [householdId, communityId],
          );
          const change = await addCensusMember(tx as SqlEntityManager, {
            communityId,
            kind: 'households',
            identityCommitment: identity.commitment,
            weight: 1,
            accountId: null,
            householdId,
            actor: 'bench',
          });
          leaves.push(change.leafIndex);
        }
      });

      const artifacts = await loadMembershipArtifacts('membership-10');
      const proveStart = performance.now();
      const proofs: MembershipProof[] = [];
      for (const [index, identity] of identities.entries()) {
        proofs.push(
          await proveMembership(artifacts, {
            secret: identity.secret,
            merkleProof: await censusMerkleProof(em, communityId, 'households', leaves[index]!),
            attribute: 1n,
            scope: ratingScope(subject, period),
            message: ratingMessage(SCORE, null),
          }),
        );
      }
      const proveSeconds = (performance.now() - proveStart) / 1000;
      const delta = artifacts.verificationKey.vk_delta_2 as unknown as string[][];
      const rate = `mutation ($s: ID!, $p: String!, $proof: String!) { submitAnonymousRating(subjectId: $s, period: $p, score: ${SCORE}, proof: $proof) {
        __typename ... on Error { code message } } }`;
      const send = async (proof: string) => {
        const result = await graphql(rate, { s: subject, p: period, proof });
        if (result.data?.submitAnonymousRating?.__typename !== 'MutationSubmitAnonymousRatingSuccess')
          throw new Error(`Failed to benchmark: rating refused ${JSON.stringify(result)}`);
      };
      for (const proof of proofs) await send(JSON.stringify(proof)); // warm-up: each household's first rating

      // Rating i is household (i mod households)'s; client k sends the ratings i ≡ k (mod CLIENTS).
      const ratings = await Promise.all(
        Array.from({ length: measured }, (_, index) => rerandomise(proofs[index % households]!, delta)).map(
          async (proof) => JSON.stringify(await proof),
        ),
      );
      const verifier = app.services.governance.ballotVerifier;
      const before = { ...verifier.stats };
      const latencies: number[] = [];
      const start = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, client) => {
          for (let index = client; index < ratings.length; index += CLIENTS) {
            const sent = performance.now();
            await send(ratings[index]!);
            latencies.push(performance.now() - sent);
          }
        }),
      );
      const seconds = (performance.now() - start) / 1000;
      const sorted = latencies.sort((a, b) => a - b);
      const batches = verifier.stats.batches - before.batches;
      const counted: Array<{ count: unknown }> = await em.execute(
        'select count(*) as count from rating_current where subject_id = ? and period = ?',
        [subject, period],
      );
      if (Number(counted[0]!.count) !== households)
        throw new Error(`Failed to benchmark: ${String(counted[0]!.count)} ratings count, expected ${households}`);
      return [
        {
          name: `anonymous ratings over HTTP, full verification, ${CLIENTS} clients, pairing in batches`,
          median: Number((ratings.length / seconds).toFixed(1)),
          unit: 'ratings/s',
          samples: ratings.length,
          detail: {
            database: installation.database,
            p50Ms: Number(percentile(sorted, 0.5).toFixed(1)),
            p99Ms: Number(percentile(sorted, 0.99).toFixed(1)),
            meanBatchSize: Number((batches ? (verifier.stats.proofs - before.proofs) / batches : 1).toFixed(1)),
            households,
            proofsMadeSeconds: Number(proveSeconds.toFixed(1)),
          },
        },
      ];
    } finally {
      await installation.close();
    }
  },
};
