/**
 * The runnable examples of docs/client.md (docs/examples/), run as written against a real
 * server over HTTP: back up an identity, join two censuses with invites, vote
 * anonymously and find the receipt included after the close, send an anonymous
 * suggestion, rate a service anonymously. Three real proofs.
 *
 * @ci-pglite-only: CI runs it once, on PGlite. It checks that the documented examples run as
 * written; the API paths they call are checked on PostgreSQL by the domain API tests.
 */
import { mutate, type TestApp } from '../support/app.ts';
import { serveProofCommunity, type ProofCommunity } from '../support/proof-community.ts';
import { PASSWORD, type CommunityFixture } from '../support/fixtures.ts';
import {
  CLOSE,
  CREATE,
  OPEN,
  passClose,
  seedOwners,
  window,
} from '../governance/support/governance-fixture.ts';
import type { RunningServer } from '../../src/server/server.ts';
import { backUpAndRestore } from '../../docs/examples/identity-backup.ts';
import { joinWithInvite } from '../../docs/examples/join-census.ts';
import { receiptIsIncluded, voteAnonymously } from '../../docs/examples/vote-anonymously.ts';
import { suggestAnonymously } from '../../docs/examples/suggest-anonymously.ts';
import { rateAnonymously } from '../../docs/examples/rate-anonymously.ts';
import {
  ratingMessage as serverRatingMessage,
  ratingScope as serverRatingScope,
} from '../../src/ratings/rating-rules.ts';
import { ratingMessage, ratingScope } from '../../src/client/index.ts';

const INVITE = `mutation ($communityId: ID!, $kind: CensusKind!, $accountId: ID, $householdId: ID) {
  createCensusInvite(communityId: $communityId, kind: $kind, accountId: $accountId, householdId: $householdId) {
    __typename ... on MutationCreateCensusInviteSuccess { data { code } } ... on Error { code message } } }`;

let served: ProofCommunity;
let testApp: TestApp;
let server: RunningServer;
let community: CommunityFixture;
let committee: { id: string; token: string };

beforeAll(async () => {
  served = await serveProofCommunity('sdk-examples');
  ({ testApp, server, community, committee } = served);
  await seedOwners(testApp, community.id, [6000]);
}, 60_000);

afterAll(async () => {
  await served?.dispose();
});

const invite = async (variables: Record<string, unknown>) =>
  (
    await mutate(
      testApp,
      'createCensusInvite',
      INVITE,
      { communityId: community.id, ...variables },
      community.managerToken,
    )
  ).code as string;

describe('docs/client.md examples', () => {
  it('computes rating scopes and messages as the server does', () => {
    expect(ratingScope('8d3f1c2e-1111-4222-8333-944444444444', '2026-11')).toBe(
      serverRatingScope('8d3f1c2e-1111-4222-8333-944444444444', '2026-11'),
    );
    expect(ratingMessage(4, '  好  ')).toBe(serverRatingMessage(4, '好'));
    expect(ratingMessage(2, '   ')).toBe(serverRatingMessage(2, null));
  });

  it('backs up and restores an identity', async () => {
    const { backup, sameCommitment } = await backUpAndRestore('a long passphrase');
    expect(backup).toMatch(/^courtyard-identity-v2:scrypt:17:8:1:/u);
    expect(sameCommitment).toBe(true);
  }, 30_000);

  it('joins with invites, votes anonymously (receipt included after the close), suggests and rates anonymously', async () => {
    const login = `${community.slug}-resident`;
    const owner = await joinWithInvite(
      server.url,
      login,
      PASSWORD,
      await invite({ kind: 'OWNERS', accountId: community.residentAccountId }),
    );
    expect(owner.census).toBe('OWNERS');
    const household = await joinWithInvite(
      server.url,
      login,
      PASSWORD,
      await invite({ kind: 'HOUSEHOLDS', householdId: community.householdId }),
    );
    expect(household.census).toBe('HOUSEHOLDS');

    const created = await mutate(
      testApp,
      'createProposal',
      CREATE,
      {
        communityId: community.id,
        title: 'Bike shed',
        body: 'Build it?',
        matter: 9,
        census: 'OWNERS',
        mode: 'ANONYMOUS',
        ...window(),
      },
      committee.token,
    );
    const proposalId: string = (await mutate(testApp, 'openProposal', OPEN, { id: created.id }, committee.token)).id;
    const receipt = await voteAnonymously(server.url, owner.token, owner.sealedIdentity, PASSWORD, proposalId, 'yes');
    expect(receipt).toMatchObject({ choice: 'yes', replaced: false });
    expect(await receiptIsIncluded(server.url, proposalId, receipt.nullifier!)).toBe(false);
    await passClose(testApp, proposalId);
    await mutate(testApp, 'closeProposal', CLOSE, { id: proposalId }, committee.token);
    expect(await receiptIsIncluded(server.url, proposalId, receipt.nullifier!)).toBe(true);

    const suggestion = await suggestAnonymously(
      server.url,
      household.token,
      household.sealedIdentity,
      PASSWORD,
      community.id,
    );
    expect(suggestion).toMatchObject({ anonymous: true, status: 'SUBMITTED' });

    const period = new Date().toISOString().slice(0, 7);
    await mutate(
      testApp,
      'openRatingPeriod',
      `mutation ($c: ID!, $p: String!) { openRatingPeriod(communityId: $c, period: $p) {
      __typename ... on MutationOpenRatingPeriodSuccess { data { period } } ... on Error { code message } } }`,
      { c: community.id, p: period },
      community.managerToken,
    );
    const rating = await rateAnonymously(
      server.url,
      household.token,
      household.sealedIdentity,
      PASSWORD,
      community.id,
      period,
    );
    expect(rating).toMatchObject({ score: 4, period, replaced: false, comment: '保洁很及时 Cleaning is on time' });
    expect(rating.nullifier).toMatch(/^[0-9]+$/u);
  }, 120_000);
});
