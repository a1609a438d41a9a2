/**
 * Witness keys are checked when they are registered: a key that every signature would
 * verify under (a small-order point, the all-zero key among them), a point with a
 * small-order component, a non-canonical encoding, and a key named exactly like the
 * log's own key (its origin) are refused with INVALID_INPUT, writing nothing. A
 * registration and a rotation are each a ledger entry (ids and keys, no key names); the
 * log replays to the live keys and the audit passes. Keys registered by a version that
 * recorded no registrations are recorded at the next start, once.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { auditLog } from '../../src/ledger/audit.ts';
import { integratePending } from '../../src/ledger/integrator.ts';
import { toHex } from '../../src/ledger/merkle-hash.ts';
import { compareWitnessReplay } from '../../src/ledger/witness-replay.ts';
import { recordUnloggedWitnessesOf, WITNESS_REGISTRATION_RECORDED } from '../../src/ledger/witness-backfill.ts';
import { rotateWitnessKey, witnessKeyId } from '../../src/ledger/witnesses.ts';
import { loadConfiguration } from '../../src/config/configuration.ts';
import { createApp } from '../../src/server/app.ts';
import { pino } from 'pino';
import { replayModules, replaysOk } from '../../scripts/ledger/module-replays.ts';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../support/app.ts';
import { createAccount, createCommunityFixture, grantRole, type CommunityFixture } from '../support/fixtures.ts';

const REGISTER = `mutation ($communityId: ID!, $name: String!, $publicKey: Hex!) {
  registerWitnessKey(communityId: $communityId, name: $name, publicKey: $publicKey) {
    __typename ... on InvalidInputError { code parameter } ... on Error { code message }
  }
}`;

/** The eight points of order dividing 8, as Ed25519 encodes them (y, with x's sign in the top bit). */
const SMALL_ORDER_POINTS = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
];

let testApp: TestApp;
let community: CommunityFixture;
let committeeToken: string;

beforeAll(async () => {
  testApp = await createTestApp();
  community = await createCommunityFixture(testApp, 'witness-keys');
  const committee = await createAccount(testApp, 'witness-keys-committee');
  await grantRole(testApp, committee.id, 'COMMITTEE', { communityId: community.id });
  committeeToken = await testApp.login('witness-keys-committee', 'a long enough password');
});
afterAll(() => testApp.dispose());

async function witnessCount(): Promise<number> {
  const [row] = await testApp.database.orm.em.getConnection().execute('select count(*)::int as count from ledger_witnesses');
  return row!.count;
}

async function register(name: string, publicKey: string) {
  return (await testApp.graphql(REGISTER, { communityId: community.id, name, publicKey }, committeeToken)).data.registerWitnessKey;
}

describe('registering a witness key', () => {
  it('the list of small-order points is what it claims to be', () => {
    for (const encoded of SMALL_ORDER_POINTS) {
      // Decoded leniently here only to check the test's own data.
      expect(ed25519.Point.fromHex(encoded, true).isSmallOrder()).toBe(true);
    }
  });

  it.each(SMALL_ORDER_POINTS)('refuses the small-order point %s', async (encoded) => {
    const before = await witnessCount();
    expect(await register(`committee.test/${encoded.slice(0, 8)}`, encoded)).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT', parameter: 'publicKey' });
    expect(await witnessCount()).toBe(before);
  });

  it('refuses a point with a small-order component, and a non-canonical encoding', async () => {
    const order2 = ed25519.Point.fromHex(SMALL_ORDER_POINTS[1]!, true);
    const mixed = ed25519.Point.BASE.multiply(7n).add(order2).toBytes();
    expect(await register('committee.test/mixed', toHex(mixed))).toMatchObject({ parameter: 'publicKey' });
    // y = p + 1 encodes the same point as y = 1, but not canonically.
    const nonCanonical = 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f';
    expect(await register('committee.test/non-canonical', nonCanonical)).toMatchObject({ parameter: 'publicKey' });
  });

  it("refuses a key named exactly like the log's origin", async () => {
    const log = await testApp.graphql(`query ($c: ID!) { ledgerLog(communityId: $c) { origin } }`, { c: community.id }, committeeToken);
    const origin = log.data.ledgerLog.origin;
    expect(origin).toBe('courtyard.localhost/witness-keys');
    const publicKey = toHex(ed25519.getPublicKey(new Uint8Array(32).fill(5)));
    expect(await register(origin, publicKey)).toMatchObject({ __typename: 'InvalidInputError', parameter: 'name' });
  });

  it('accepts a key made by a standard Ed25519 implementation', async () => {
    const publicKey = toHex(ed25519.getPublicKey(new Uint8Array(32).fill(6)));
    expect(await register('committee.test/good', publicKey)).toMatchObject({ __typename: 'MutationRegisterWitnessKeySuccess' });
  });
});

describe('rotating a witness key', () => {
  const ROTATE = `mutation ($c: ID!, $old: String!, $name: String!, $k: Hex!) {
    rotateWitnessKey(communityId: $c, retiredName: $old, name: $name, publicKey: $k) {
      __typename ... on MutationRotateWitnessKeySuccess { data { keyName retired } } ... on Error { code message }
    }
  }`;
  const rotate = async (old: string, name: string, seed: number, token = committeeToken) =>
    (await testApp.graphql(ROTATE, { c: community.id, old, name, k: toHex(ed25519.getPublicKey(new Uint8Array(32).fill(seed))) }, token)).data.rotateWitnessKey;

  it("retires the caller's own key for a new one, on the record; another's key or a retired one is refused, writing nothing", async () => {
    expect(await rotate('committee.test/good', 'committee.test/good-2', 7)).toEqual({
      __typename: 'MutationRotateWitnessKeySuccess',
      data: { keyName: 'committee.test/good-2', retired: false },
    });
    const listed = await testApp.graphql(`query ($c: ID!) { ledgerWitnesses(communityId: $c) { keyName retired } }`, { c: community.id }, committeeToken);
    expect(listed.data.ledgerWitnesses).toEqual([
      { keyName: 'committee.test/good', retired: true },
      { keyName: 'committee.test/good-2', retired: false },
    ]);
    const entries = await testApp.graphql(
      `query ($c: ID!) { ledgerEntries(communityId: $c, type: "ledger.witness-key-rotated") { edges { node { payload } } } }`,
      { c: community.id },
      committeeToken,
    );
    expect(entries.data.ledgerEntries.edges).toHaveLength(1);
    const before = await witnessCount();
    expect(await rotate('committee.test/good', 'committee.test/good-3', 8)).toMatchObject({ code: 'CONFLICT' });
    const other = await createAccount(testApp, 'witness-keys-other');
    await grantRole(testApp, other.id, 'COMMITTEE', { communityId: community.id });
    const otherToken = await testApp.login('witness-keys-other', 'a long enough password');
    expect(await rotate('committee.test/good-2', 'committee.test/stolen', 9, otherToken)).toMatchObject({ code: 'NOT_FOUND' });
    expect(await witnessCount()).toBe(before);
  });
});

describe('the record of witness keys', () => {
  const ENTRIES = `query ($c: ID!) { ledgerEntries(communityId: $c, first: 100) { edges { node { type actor payload } } } }`;
  const em = () => testApp.database.orm.em.fork() as unknown as SqlEntityManager;

  it('records a registration as ledger.witness-registered with the key id, public key and role, and no key name', async () => {
    const publicKey = ed25519.getPublicKey(new Uint8Array(32).fill(6));
    const entries = (await testApp.graphql(ENTRIES, { c: community.id }, committeeToken)).data.ledgerEntries.edges.map(
      (edge: { node: { type: string; actor: string; payload: string } }) => edge.node,
    );
    const registered = entries.filter((entry: { type: string }) => entry.type === 'ledger.witness-registered');
    // Only the accepted key is on the record: every refused registration wrote nothing.
    expect(registered).toHaveLength(1);
    const committeeId = (await testApp.graphql('query { viewer { id } }', {}, committeeToken)).data.viewer.id;
    expect(JSON.parse(registered[0].payload)).toEqual({
      keyId: witnessKeyId('committee.test/good', publicKey),
      publicKey: Buffer.from(publicKey).toString('base64'),
      role: 'committee',
    });
    expect(Buffer.from(committeeId, 'base64').toString('utf8')).toBe(`Account:${registered[0].actor}`);
    expect(JSON.stringify(entries)).not.toContain('committee.test/');
  });

  it('replays to the live keys, rotations included, the audit passes, and a key added behind the ledger is named', async () => {
    const logId = Buffer.from(community.id, 'base64').toString('utf8').split(':')[1]!;
    await integratePending(em(), logId);
    const replays = await replayModules(em(), logId);
    expect(replays.find((replay) => replay.module === 'ledger')).toEqual({ module: 'ledger', entries: 2, differences: [], failure: null });
    expect(replaysOk(replays)).toBe(true);
    expect((await auditLog(em(), logId)).ok).toBe(true);
    // A key inserted without its entry, as a version that recorded no registrations did.
    const sneaked = ed25519.getPublicKey(new Uint8Array(32).fill(11));
    await em().execute(
      `insert into ledger_witnesses (community_id, key_name, public_key, role, account_id, registered_at) values (?, 'committee.test/sneaked', ?, 'committee', null, now())`,
      [logId, Buffer.from(sneaked)],
    );
    expect((await compareWitnessReplay(em(), logId)).differences).toEqual([
      { description: `witness key ${witnessKeyId('committee.test/sneaked', sneaked)}: live but not on the log` },
    ]);
  });
});

describe('witness keys registered before registrations were recorded', () => {
  const em = () => testApp.database.orm.em.fork() as unknown as SqlEntityManager;
  let logId: string;
  let committeeAccountId: string;
  const key = (seed: number) => ed25519.getPublicKey(new Uint8Array(32).fill(seed));
  /** A key as a version that recorded no registrations left it: a row, no entry. */
  const insertUnlogged = (name: string, publicKey: Uint8Array, role: string, accountId: string | null) =>
    em().execute(
      `insert into ledger_witnesses (community_id, key_name, public_key, role, account_id, registered_at) values (?, ?, ?, ?, ?, now())`,
      [logId, name, Buffer.from(publicKey), role, accountId],
    );
  const recordedEntries = async () =>
    (await em().execute(
      `select actor, payload::text as payload from ledger_entries where community_id = ? and type = ? order by seq`,
      [logId, WITNESS_REGISTRATION_RECORDED],
    )) as Array<{ actor: string; payload: string }>;
  /** Starts a second server process on the same database, as an upgrade does, and stops it again. */
  async function restart(): Promise<void> {
    const configuration = loadConfiguration({ COURTYARD_DATA_DIR: testApp.dataDirectory, COURTYARD_ADMIN_PASSWORD: ADMIN_PASSWORD });
    const restarted = await createApp(configuration, { orm: testApp.database.orm, logger: pino({ level: 'silent' }) });
    await restarted.close();
    await integratePending(em(), logId);
  }

  beforeAll(async () => {
    const old = await createCommunityFixture(testApp, 'witness-backfill');
    logId = Buffer.from(old.id, 'base64').toString('utf8').split(':')[1]!;
    const committee = await createAccount(testApp, 'witness-backfill-committee');
    await grantRole(testApp, committee.id, 'COMMITTEE', { communityId: old.id });
    committeeAccountId = Buffer.from(committee.id, 'base64').toString('utf8').split(':')[1]!;
    // Between the two versions: a committee key and a regulator's key registered unrecorded,
    // then the committee key rotated, which was already recorded (naming the old key's id).
    await insertUnlogged('committee.test/old', key(21), 'committee', committeeAccountId);
    await insertUnlogged('regulator.test/old', key(22), 'regulator', null);
    await rotateWitnessKey(em(), {
      communityId: logId,
      retiredKeyName: 'committee.test/old',
      keyName: 'committee.test/new',
      publicKey: key(23),
      actor: committeeAccountId,
      accountId: committeeAccountId,
    });
    await integratePending(em(), logId);
  });

  it('shows them as live but not on the log until they are recorded', async () => {
    expect((await compareWitnessReplay(em(), logId)).differences).toEqual([
      { description: `witness key ${witnessKeyId('committee.test/old', key(21))}: live but not on the log` },
      { description: `witness key ${witnessKeyId('regulator.test/old', key(22))}: live but not on the log` },
    ]);
  });

  it('records each at the next start, with its account and no key name; the replay then equals live, the rotated key retired, and the audit passes', async () => {
    await restart();
    const recorded = await recordedEntries();
    expect(recorded.map((entry) => ({ actor: entry.actor, payload: JSON.parse(entry.payload) }))).toEqual([
      {
        actor: 'system',
        payload: { keyId: witnessKeyId('committee.test/old', key(21)), publicKey: Buffer.from(key(21)).toString('base64'), role: 'committee', accountId: committeeAccountId },
      },
      {
        actor: 'system',
        payload: { keyId: witnessKeyId('regulator.test/old', key(22)), publicKey: Buffer.from(key(22)).toString('base64'), role: 'regulator', accountId: null },
      },
    ]);
    expect(JSON.stringify(recorded)).not.toContain('.test/');
    expect(await compareWitnessReplay(em(), logId)).toEqual({ entries: 3, differences: [] });
    expect((await auditLog(em(), logId)).ok).toBe(true);
  });

  it('records nothing twice: a later start appends nothing, and two backfills at once record a new unlogged key once', async () => {
    await restart();
    expect(await recordedEntries()).toHaveLength(2);
    await insertUnlogged('committee.test/late', key(24), 'committee', committeeAccountId);
    const run = () => testApp.app.services.transactions.run(em(), (tx) => recordUnloggedWitnessesOf(tx, logId));
    expect((await Promise.all([run(), run()])).sort()).toEqual([0, 1]);
    await integratePending(em(), logId);
    expect(await recordedEntries()).toHaveLength(3);
    expect(await compareWitnessReplay(em(), logId)).toEqual({ entries: 4, differences: [] });
  });
});
