/**
 * Two server processes behind one PostgreSQL database and one Redis, as several
 * instances behind a load balancer run (docs/operations.md, "Several instances"): a
 * subscriber of one instance sees what the other appended and what its resolvers
 * published; concurrent appends through both make one log that the audit accepts; a job
 * due on both runs once; a sign-in throttle hit on one holds on the other.
 *
 * PostgreSQL and Redis only (DATABASE_URL; REDIS_URL, else redis://127.0.0.1:6379): PGlite
 * is one process, so there is nothing to share.
 */
import { randomUUID } from 'node:crypto';
import { INVITE_REDEMPTIONS_PER_MINUTE } from '../../src/census/api/census-tree.ts';
import {
  createCommunityWithManager,
  describeOnSharedPostgres,
  eventually,
  inParallel,
  INSTANCE_ADMIN_PASSWORD,
  INSTANCE_PASSWORD,
  INSTANCES_STARTUP_TIMEOUT_MS,
  REGISTER_HOUSEHOLD,
  runLedgerAudit,
  signIn,
  startTwoInstances,
  successOf,
  uuidOf,
  type Instance,
  type TwoInstances,
} from '../support/instances.ts';

/** Appends through the API, spread over both instances. */
const APPENDS = 1_000;
/** Requests in flight at once, over both instances. */
const CONCURRENCY = 16;
/** The 1,000 appends take about 15 s on an idle machine (2 cores). */
const APPENDS_TIMEOUT_MS = 120_000;

describeOnSharedPostgres('two instances on one PostgreSQL and one Redis', () => {
  let instances: TwoInstances;
  let a: Instance;
  let b: Instance;
  let adminToken: string;
  let community: { communityId: string; managerLogin: string; managerToken: string };

  beforeAll(async () => {
    instances = await startTwoInstances({ COURTYARD_CHECKPOINT_EVERY_SECONDS: '1', COURTYARD_LEDGER_POLL_MS: '100' });
    ({ a, b } = instances);
    adminToken = await signIn(a, 'admin', INSTANCE_ADMIN_PASSWORD);
    community = await createCommunityWithManager(b, adminToken, `two-${randomUUID().slice(0, 8)}`);
  }, INSTANCES_STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await instances?.dispose();
  });

  const rows = <T>(sql: string, parameters: unknown[] = []): Promise<T[]> => instances.rows<T>(sql, parameters);
  /** The community's UUID, as the tables hold it. */
  const communityUuid = () => uuidOf(community.communityId);

  it('started once on an empty database: one admin, one installation log', async () => {
    expect(await rows(`select count(*)::int as n from accounts where is_admin`)).toEqual([{ n: 1 }]);
    expect(await rows(`select count(*)::int as n from ledger_entries where type = 'accounts.account-created'`)).toEqual([{ n: 2 }]);
  });

  it('delivers to a subscriber of A a ledger entry appended through B, and a money event published by B (through Redis)', async () => {
    const { communityId, managerToken } = community;
    successOf(
      await b.graphql(`mutation ($c: ID!) { openBooks(communityId: $c) { __typename ... on MutationOpenBooksSuccess { data { id } } ... on Error { code message } } }`, { c: communityId }, managerToken),
      'openBooks',
    );
    const headBefore = await rows<{ seq: number }>(`select max(seq)::int as seq from ledger_entries where community_id = ?`, [communityUuid()]);
    const entries = await a.subscribe(`subscription ($c: ID!) { ledgerEntryAppended(communityId: $c) { seq type } }`, { c: communityId }, managerToken);
    const money = await a.subscribe(`subscription ($c: ID!) { moneyMoved(communityId: $c) { kind id amount } }`, { c: communityId }, managerToken);
    try {
      // The streams are live once their subscription is registered; until then B keeps making changes, and every change is one A may report.
      const household = successOf(await b.graphql(REGISTER_HOUSEHOLD, { communityId, unitLabel: 'subscribed 1', area: 4000 }, managerToken), 'registerHousehold');
      const payments: string[] = [];
      await eventually('moneyMoved on A for a payment recorded on B', async () => {
        const paid = successOf(
          await b.graphql(
            `mutation ($c: ID!, $h: ID!, $k: String!) {
              recordPayment(communityId: $c, householdId: $h, amount: "500", idempotencyKey: $k) {
                __typename ... on MutationRecordPaymentSuccess { data { payment { id } } } ... on Error { code message }
              }
            }`,
            { c: communityId, h: household.id, k: `payment-key-${payments.length}` },
            managerToken,
          ),
          'recordPayment',
        );
        payments.push(paid.payment.id);
        await new Promise((resolve) => setTimeout(resolve, 200));
        return money.events.length > 0;
      });
      expect(money.events[0].data.moneyMoved).toEqual({ kind: 'payment', id: expect.any(String), amount: '500' });
      expect(payments).toContain(money.events[0].data.moneyMoved.id);
      // Each payment appended entries on B; A's feed reports them from the shared database.
      const seen = await eventually('ledgerEntryAppended on A', () => entries.events.length > 0 && entries.events);
      // Only B appended to this log since A's subscriber arrived.
      const types = await rows<{ seq: number; type: string }>(`select seq::int as seq, type from ledger_entries where community_id = ? and seq > ?`, [communityUuid(), headBefore[0]!.seq]);
      const appendedThroughB = new Map(types.map((row) => [row.seq, row.type]));
      for (const event of seen) {
        const { seq, type } = event.data.ledgerEntryAppended;
        expect(appendedThroughB.get(Number(seq))).toBe(type);
      }
    } finally {
      entries.close();
      money.close();
    }
  });

  it(`makes ${APPENDS.toLocaleString('en')} concurrent appends through both instances one log that the audit accepts`, async () => {
    const { communityId, managerToken } = community;
    const results = await inParallel(APPENDS, CONCURRENCY, async (index) =>
      successOf(await [a, b][index % 2]!.graphql(REGISTER_HOUSEHOLD, { communityId, unitLabel: `unit ${index}`, area: 5000 + index }, managerToken), 'registerHousehold'),
    );
    const acknowledged = new Set(results.map((household) => uuidOf(household.id)));
    expect(acknowledged.size).toBe(APPENDS);
    const logged = await rows<{ household_id: string; seq: string }>(
      `select payload->>'householdId' as household_id, seq::text as seq from ledger_entries where community_id = ? and type = 'privacy.household-registered' and (payload->>'floorAreaCentiSquareMetres')::int >= 5000`,
      [communityUuid()],
    );
    expect(logged).toHaveLength(APPENDS);
    expect(new Set(logged.map((row) => row.household_id))).toEqual(acknowledged);
    const [{ size, seqs }] = await rows<{ size: number; seqs: number }>(
      `select (select tree_size::int from ledger_heads where community_id = ?) as size, count(*)::int as seqs from ledger_entries where community_id = ?`,
      [communityUuid(), communityUuid()],
    ).then((found) => found as [{ size: number; seqs: number }]);
    expect(seqs).toBe(size);
    const audit = await runLedgerAudit(instances.scratch.url, communityId);
    expect({ status: audit.status, ok: audit.report?.ok, treeSize: audit.report?.treeSize }).toEqual({ status: 0, ok: true, treeSize: size });
  }, APPENDS_TIMEOUT_MS);

  it('cuts each due checkpoint once, though the job is due on both instances', async () => {
    // Every second both instances' cutters find the log due; the advisory lock lets one cut it.
    const treeSize = Number((await rows<{ size: string }>(`select tree_size::text as size from ledger_heads where community_id = ?`, [communityUuid()]))[0]!.size);
    await eventually('a checkpoint over the whole log', async () => {
      const latest = await rows<{ size: string }>(`select max(tree_size)::text as size from ledger_checkpoints where community_id = ?`, [communityUuid()]);
      return Number(latest[0]?.size) === treeSize;
    });
    const checkpoints = await rows<{ tree_size: string }>(`select tree_size::text as tree_size from ledger_checkpoints where community_id = ? order by ledger_checkpoints.tree_size`, [communityUuid()]);
    const cut = [...a.logs, ...b.logs].filter((line) => line['msg'] === 'checkpoint cut' && line['communityId'] === communityUuid());
    expect(cut.map((line) => String(line['treeSize'])).sort((x, y) => Number(x) - Number(y))).toEqual(checkpoints.map((row) => row.tree_size));
    expect([...a.logs, ...b.logs].filter((line) => line['msg'] === 'checkpoint cutter failed')).toEqual([]);
    expect(cut.length).toBeGreaterThan(0);
  });

  it('holds a sign-in throttle hit on A on B too', async () => {
    const attempt = (instance: Instance, password: string) =>
      instance.graphql(
        `mutation ($login: String!, $password: String!) { login(login: $login, password: $password) { __typename ... on Error { code } } }`,
        { login: community.managerLogin, password },
      );
    // Eight wrong passwords at once on A: five free failures are counted (each then hashed),
    // the others refused at once without a hash. The backoff after the fifth lasts 1 s, so
    // the attempt on B follows the first refusal without waiting for the hashes.
    const onA = Array.from({ length: 8 }, () => attempt(a, 'not the password').then((result) => result.data.login.code as string));
    await Promise.race([...onA.map((outcome) => outcome.then((code) => (code === 'RATE_LIMITED' ? code : new Promise(() => {})))), Promise.all(onA)]);
    // On B, and with the right password, the attempt waits as it would on A.
    expect((await attempt(b, INSTANCE_PASSWORD)).data.login).toEqual({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
    const codes = await Promise.all(onA);
    expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(3);
  });

  it('holds the invite redemption limit used up on A on B too', async () => {
    const redeem = async (instance: Instance) =>
      (
        await instance.graphql(
          `mutation ($code: String!) { joinCensus(inviteCode: $code, identityCommitment: "1") { __typename ... on Error { code } } }`,
          { code: 'A'.repeat(43) },
          community.managerToken,
        )
      ).data.joinCensus.code;
    const onA = await inParallel(INVITE_REDEMPTIONS_PER_MINUTE, 4, () => redeem(a));
    expect(new Set(onA)).toEqual(new Set(['INVITE_UNKNOWN']));
    expect(await redeem(b)).toBe('RATE_LIMITED');
  });
});
