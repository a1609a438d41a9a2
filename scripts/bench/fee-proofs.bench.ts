/**
 * Fee-proof figures (issue 12): what keeping the paid sets costs the payment path, and
 * what one challenge and one proof check cost a verifier.
 *
 * - settling payments over GraphQL (8 clients) when every household has a households-
 *   census identity, so each payment also joins the period's paid set (tree lock, path,
 *   leaf, census entry), against the same payments in a community whose households have
 *   no identity (the watcher's two look-ups only), measured in the same run;
 * - requestFeeProofChallenge + submitFeeProof over GraphQL for a real proof (the proof is
 *   made on the "device" between the two and not timed).
 */
import { randomUUID } from 'node:crypto';
import { type SqlEntityManager } from '../../src/db/orm.ts';
import { type App } from '../../src/server/app.ts';
import { addCensusMember, censusMerkleProof } from '../../src/census/census-tree-service.ts';
import { runInvoicesForCommunity } from '../../src/fees/money-commands.ts';
import { loadMembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { createIdentity, type Identity } from '../../src/zk/identity.ts';
import { proveMembership } from '../../src/zk/prover.ts';
import { median, type BenchFigure, type BenchOptions, type BenchSuite } from './bench-suite.ts';
import { openBenchApp } from './bench-app.ts';

const CLIENTS = 8;
const ADMIN_PASSWORD = 'correct horse battery staple';
const PASSWORD = 'a long enough password';
const MONTHLY_FEN = '10000';

async function graphql(app: App, query: string, variables: Record<string, unknown>, token?: string): Promise<any> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  const response = await app.yoga.fetch('http://courtyard.bench/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as { data?: any; errors?: unknown };
  if (result.errors) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

async function login(app: App, name: string, password: string): Promise<string> {
  const data = await graphql(
    app,
    'mutation ($l: String!, $p: String!) { login(login: $l, password: $p) { ... on MutationLoginSuccess { data { token } } } }',
    { l: name, p: password },
  );
  return data.login.data.token;
}

interface Books {
  id: string;
  uuid: string;
  managerToken: string;
  householdIds: string[];
  identities: Identity[];
}

/** A community, its manager, `households` households as rows, optionally each in the households census; March invoiced. */
async function books(
  app: App,
  adminToken: string,
  slug: string,
  households: number,
  withIdentities: boolean,
): Promise<Books> {
  const created = await graphql(
    app,
    'mutation ($s: String!) { createCommunity(slug: $s, name: $s) { ... on MutationCreateCommunitySuccess { data { id } } } }',
    { s: slug },
    adminToken,
  );
  const id: string = created.createCommunity.data.id;
  const account = await graphql(
    app,
    'mutation ($l: String!, $p: String) { createAccount(login: $l, password: $p) { ... on MutationCreateAccountSuccess { data { account { id } } } } }',
    { l: `${slug}-manager`, p: PASSWORD },
    adminToken,
  );
  await graphql(
    app,
    'mutation ($a: ID!, $c: ID) { grantRole(accountId: $a, role: MANAGER, communityId: $c) { __typename } }',
    { a: account.createAccount.data.account.id, c: id },
    adminToken,
  );
  await graphql(
    app,
    'mutation ($c: ID!) { activateVerificationKey(communityId: $c, instance: "membership-10") { __typename } }',
    { c: id },
    adminToken,
  );
  const managerToken = await login(app, `${slug}-manager`, PASSWORD);
  const uuid = Buffer.from(id, 'base64').toString('utf8').split(':')[1]!;
  const householdIds = Array.from({ length: households }, () => randomUUID());
  const identities: Identity[] = [];
  const em = app.orm.em.fork() as SqlEntityManager;
  await em.execute(
    `insert into households (id, community_id, floor_area_centi_square_metres, created_at) values ${householdIds.map(() => '(?, ?, 8000, now())').join(', ')}`,
    householdIds.flatMap((householdId) => [householdId, uuid]),
  );
  if (withIdentities) {
    for (let index = 0; index < households; index++) identities.push(await createIdentity());
    await app.services.transactions.run(em, async (tx) => {
      for (const [index, householdId] of householdIds.entries()) {
        await addCensusMember(tx, {
          communityId: uuid,
          kind: 'households',
          identityCommitment: identities[index]!.commitment,
          weight: 1,
          accountId: null,
          householdId,
          actor: 'bench',
        });
      }
    });
  }
  const schedule = await graphql(
    app,
    `mutation ($c: ID!) { defineFeeSchedule(communityId: $c, schedule: { frequency: MONTH, effectiveFromPeriodId: "2026-03", fixedPerMonth: "${MONTHLY_FEN}", dueDay: 10, graceDays: 5 }) {
    ... on MutationDefineFeeScheduleSuccess { data { scheduleId } } ... on Error { code message } } }`,
    { c: id },
    managerToken,
  );
  await runInvoicesForCommunity(
    { services: app.services, em: app.orm.em.fork() as SqlEntityManager },
    uuid,
    schedule.defineFeeSchedule.data.scheduleId,
    '2026-03',
    'bench',
  );
  return { id, uuid, managerToken, householdIds, identities };
}

const PAY = `mutation ($c: ID!, $h: ID!, $a: Money!, $k: String!) {
  recordPayment(communityId: $c, householdId: $h, amount: $a, idempotencyKey: $k) { __typename ... on Error { code message } } }`;

/** Every household pays March in full, `CLIENTS` at a time; payments per second. */
async function settleAll(app: App, target: Books, round: string): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let index = next++; index < target.householdIds.length; index = next++) {
        const data = await graphql(
          app,
          PAY,
          {
            c: target.id,
            h: Buffer.from(`Household:${target.householdIds[index]}`).toString('base64'),
            a: MONTHLY_FEN,
            k: `bench-${round}-${index}`,
          },
          target.managerToken,
        );
        if (data.recordPayment.__typename !== 'MutationRecordPaymentSuccess')
          throw new Error(JSON.stringify(data.recordPayment));
      }
    }),
  );
  return target.householdIds.length / ((performance.now() - start) / 1000);
}

const CHALLENGE = `mutation ($c: ID!) { requestFeeProofChallenge(communityId: $c, periodId: "2026-03", purpose: "bench") {
  ... on MutationRequestFeeProofChallengeSuccess { data { id scope message } } ... on Error { code message } } }`;
const SUBMIT = `mutation ($id: ID!, $p: String!) { submitFeeProof(challengeId: $id, proof: $p) { __typename ... on Error { code message } } }`;

export const suite: BenchSuite = {
  name: 'fee-proofs',
  async run(options: BenchOptions): Promise<BenchFigure[]> {
    const installation = await openBenchApp(options, { adminPassword: ADMIN_PASSWORD });
    const { app, database } = installation;
    app.services.money.jobsPaused = true;
    app.services.money.clock = { now: () => new Date('2026-03-02T02:00:00Z') };
    try {
      const adminToken = await login(app, 'admin', ADMIN_PASSWORD);
      const households = options.quick ? 200 : 1_000;
      const rounds = options.quick ? 1 : 3;
      const withSets: number[] = [];
      const without: number[] = [];
      let proven: Books | undefined;
      for (let round = 0; round < rounds; round++) {
        const plain = await books(app, adminToken, `plain-${round}`, households, false);
        const identified = await books(app, adminToken, `paid-${round}`, households, true);
        without.push(await settleAll(app, plain, `plain-${round}`));
        withSets.push(await settleAll(app, identified, `paid-${round}`));
        proven = identified;
      }
      const artifacts = await loadMembershipArtifacts('membership-10');
      const checkMs: number[] = [];
      for (let index = 0; index < (options.quick ? 3 : 5); index++) {
        const target = proven!;
        const started = performance.now();
        const challenge = (await graphql(app, CHALLENGE, { c: target.id }, target.managerToken))
          .requestFeeProofChallenge.data;
        const asked = performance.now() - started;
        const tree = 'fees-paid:2026-03';
        const [leaf]: Array<{ leaf_index: number }> = await (app.orm.em.fork() as SqlEntityManager).execute(
          'select leaf_index from census_leaves where community_id = ? and kind = ? and identity_commitment = ?',
          [target.uuid, tree, target.identities[index]!.commitment.toString()],
        );
        const proof = await proveMembership(artifacts, {
          secret: target.identities[index]!.secret,
          merkleProof: await censusMerkleProof(
            app.orm.em.fork() as SqlEntityManager,
            target.uuid,
            tree,
            Number(leaf!.leaf_index),
          ),
          attribute: 202_603n,
          scope: BigInt(challenge.scope),
          message: BigInt(challenge.message),
        });
        const submitted = performance.now();
        const result = (await graphql(app, SUBMIT, { id: challenge.id, p: JSON.stringify(proof) }, target.managerToken))
          .submitFeeProof;
        if (result.__typename !== 'MutationSubmitFeeProofSuccess') throw new Error(JSON.stringify(result));
        checkMs.push(asked + (performance.now() - submitted));
      }
      const paid = median(withSets);
      const plain = median(without);
      return [
        {
          name: `settling payments over GraphQL, each joining the paid set, ${CLIENTS} clients`,
          median: paid,
          unit: 'payments/s',
          samples: rounds,
          detail: {
            database,
            households,
            withoutIdentitiesPerSecond: Math.round(plain),
            ratioToWithout: Number((paid / plain).toFixed(2)),
          },
        },
        {
          name: 'fee proof: request a challenge and submit a proof over GraphQL (proving not counted)',
          median: median(checkMs),
          unit: 'ms',
          samples: checkMs.length,
          detail: { database },
        },
      ];
    } finally {
      await installation.close();
    }
  },
};
