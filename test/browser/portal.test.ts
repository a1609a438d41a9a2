/**
 * The resident portal in a real browser (Debian's Chromium, headless): a resident signs
 * in, joins the census with an invite (the identity is made on the page and stored
 * encrypted in IndexedDB), signs in again (the identity is opened from IndexedDB), votes
 * anonymously with a proof made in the page's Web Worker, sees the vote in the tally,
 * changes it (the tally changes, it does not grow), and after the close finds the receipt
 * included; as the household it rates a service anonymously. Each view is screenshot at phone and desktop widths into
 * test-artifacts/screenshots/ and checked with axe-core (no serious or critical
 * violation). Every request not for the test server is blocked and recorded.
 *
 * @ci-pglite-only: CI runs it once, on PGlite. It checks the page in the browser; the API
 * paths it calls are checked on PostgreSQL by the governance and census API tests.
 */
import type { Page } from 'playwright-core';
import { mutate, type TestApp } from '../support/app.ts';
import { chromiumAvailable, openPortalBrowser, CHROMIUM_PATH, type AxeViolation, type PortalBrowser } from '../support/browser.ts';
import { PASSWORD, type CommunityFixture } from '../support/fixtures.ts';
import { serveProofCommunity, type ProofCommunity } from '../support/proof-community.ts';
import { CLOSE, CREATE, OPEN, PROPOSAL, passClose, seedOwners, window } from '../governance/support/governance-fixture.ts';
import type { RunningServer } from '../../src/server/server.ts';
import { PORTAL_CONTENT_SECURITY_POLICY, PORTAL_PATH } from '../../src/server/client-routes.ts';

const TEST_TIMEOUT_MS = 180_000;
const INVITE = `mutation ($communityId: ID!, $kind: CensusKind!, $accountId: ID, $householdId: ID) {
  createCensusInvite(communityId: $communityId, kind: $kind, accountId: $accountId, householdId: $householdId) {
    __typename ... on MutationCreateCensusInviteSuccess { data { code } } ... on Error { code message } } }`;

if (!chromiumAvailable()) {
  test.skip(`Resident portal in a real browser: no Chromium at ${CHROMIUM_PATH}`, () => undefined);
} else {
  describe('resident portal in a real browser', () => {
    let served: ProofCommunity;
    let testApp: TestApp;
    let server: RunningServer;
    let portal: PortalBrowser;
    let page: Page;
    let community: CommunityFixture;
    let committee: { id: string; token: string };
    const provingTimesMs: number[] = [];

    async function tally(proposalId: string): Promise<Array<{ option: string; heads: string; weight: string }>> {
      return (await testApp.graphql(PROPOSAL, { id: proposalId }, committee.token)).data.proposal.data.liveTally;
    }

    const captureView = (name: string): Promise<AxeViolation[]> => portal.captureView(name);
    const signIn = (): Promise<void> => portal.signIn(`${community.slug}-resident`, PASSWORD);

    async function voteFor(choice: string): Promise<void> {
      await page.check(`#choice-${choice}`);
      await page.click('#vote');
      await page.waitForFunction(
        (expected) => document.getElementById('receipt-choice')?.dataset['choice'] === expected,
        choice,
        { timeout: TEST_TIMEOUT_MS },
      );
      provingTimesMs.push(Number(await page.evaluate(() => document.documentElement.dataset['lastProvingMs'])));
    }

    beforeAll(async () => {
      served = await serveProofCommunity('portal');
      ({ testApp, server, community, committee } = served);
      await seedOwners(testApp, community.id, [6000, 7000]);
      portal = await openPortalBrowser(server.url, 'zh-CN');
      page = portal.page;
    }, TEST_TIMEOUT_MS);

    afterAll(async () => {
      await portal?.close();
      await served?.dispose();
    });

    it('serves the portal with a same-origin Content-Security-Policy', async () => {
      const response = await fetch(`${server.url}${PORTAL_PATH}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toBe(PORTAL_CONTENT_SECURITY_POLICY);
      expect(await response.text()).not.toMatch(/(src|href)="(https?:)?\/\//u);
    });

    it(
      'a resident joins both censuses, rates a service and votes anonymously, changes the vote and finds the receipt included; pages pass axe',
      async () => {
        const violations: Record<string, AxeViolation[]> = {};
        await page.goto(`${server.url}${PORTAL_PATH}`);
        await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true');
        expect(await page.textContent('h1')).toBe('居民门户');
        violations['sign-in'] = await captureView('sign-in-zh');
        await page.click('#language');
        expect(await page.textContent('h1')).toBe('Resident portal');
        violations['sign-in-en'] = await captureView('sign-in-en');

        await signIn();
        // Two invites, two identities: the owner's and the household's cannot be linked.
        for (const [kind, member] of [
          ['OWNERS', { accountId: community.residentAccountId }],
          ['HOUSEHOLDS', { householdId: community.householdId }],
        ] as const) {
          const { code } = await mutate(
            testApp,
            'createCensusInvite',
            INVITE,
            { communityId: community.id, kind, ...member },
            community.managerToken,
          );
          await page.fill('#invite', code);
          await page.click('#join');
          await page.waitForFunction(
            (joined) => document.getElementById('identity-ready')?.dataset['censuses']?.includes(joined),
            kind,
            { timeout: 60_000 },
          );
        }
        const stored = await page.evaluate(
          () =>
            new Promise<string>((resolve) => {
              const open = indexedDB.open('courtyard-portal');
              open.onsuccess = () => {
                const request = open.result.transaction('records').objectStore('records').getAll();
                request.onsuccess = () => resolve(JSON.stringify(request.result));
              };
            }),
        );
        expect(stored.match(/courtyard-identity-v2:scrypt:17:8:1:/gu)).toHaveLength(2);
        expect(stored).not.toMatch(/courtyard-identity-v1/u);

        const created = await mutate(
          testApp,
          'createProposal',
          CREATE,
          {
            communityId: community.id,
            title: 'Repaint the gate 大门重新粉刷',
            body: 'Yes or no.',
            matter: 5,
            census: 'OWNERS',
            mode: 'ANONYMOUS',
            ...window(),
          },
          committee.token,
        );
        const proposalId: string = (await mutate(testApp, 'openProposal', OPEN, { id: created.id }, committee.token))
          .id;

        const period = new Date().toISOString().slice(0, 7);
        await mutate(
          testApp,
          'openRatingPeriod',
          `mutation ($c: ID!, $p: String!) { openRatingPeriod(communityId: $c, period: $p) {
          __typename ... on MutationOpenRatingPeriodSuccess { data { period } } ... on Error { code message } } }`,
          { c: community.id, p: period },
          community.managerToken,
        );

        // Sign in again: the identities come back from IndexedDB, opened with the password.
        await page.click('#sign-out');
        await signIn();
        expect(await page.getAttribute('#identity-ready', 'data-censuses')).toBe('OWNERS HOUSEHOLDS');
        violations['home'] = await captureView('home');

        // Opening a proposal the resident can vote on warms the proving worker up: the circuit of
        // the snapshot's depth is fetched before any vote (docs/client.md, "The first proof in a
        // page"). Nothing has proved in this page yet, and routing keeps Chromium's cache off.
        const artifactsFetched: string[] = [];
        const recordArtifact = (request: { url(): string }) => {
          const url = request.url();
          if (url.includes('/zk/artifacts/')) artifactsFetched.push(url.slice(url.lastIndexOf('/') + 1));
        };
        portal.context.on('request', recordArtifact);
        await page.click(`button.proposal[data-id="${proposalId}"]`);
        await page.waitForSelector('#vote-form');
        const warmUpDeadline = Date.now() + TEST_TIMEOUT_MS / 4;
        while (artifactsFetched.length < 2 && Date.now() < warmUpDeadline) await new Promise((resolve) => setTimeout(resolve, 50));
        portal.context.off('request', recordArtifact);
        expect(artifactsFetched.sort()).toEqual([expect.stringMatching(/^membership-10\.[\w.-]*zkey$/u), 'membership-10.wasm']);
        await page.click('#back');

        // Rate the first service anonymously, as the household (a proof in the worker).
        const rating = page.locator('form.rating').first();
        await rating.locator('input[value="4"]').check();
        await rating.locator('input[type="text"]').fill('  保洁很及时  ');
        await rating.locator('button[type="submit"]').click();
        await rating.locator('[data-rated="4"]').waitFor({ timeout: TEST_TIMEOUT_MS });
        const [stored4] = await testApp.database.orm.em
          .getConnection()
          .execute(`select score, comment, channel, account_id from ratings`);
        expect(stored4).toMatchObject({ score: 4, comment: '保洁很及时', channel: 'anonymous', account_id: null });

        await page.click(`button.proposal[data-id="${proposalId}"]`);
        await page.waitForSelector('#vote-form');
        await voteFor('yes');
        expect(await tally(proposalId)).toEqual([
          { option: 'yes', heads: '1', weight: '8950' },
          { option: 'no', heads: '0', weight: '0' },
          { option: 'abstain', heads: '0', weight: '0' },
        ]);
        expect(await page.getAttribute('#tally-heads svg', 'aria-label')).toContain('Yes 1 / 3');
        const firstNullifier = await page.textContent('#receipt-nullifier');

        expect(await page.textContent('#vote')).toBe('Change my vote');
        await voteFor('no');
        expect(await tally(proposalId)).toEqual([
          { option: 'yes', heads: '0', weight: '0' },
          { option: 'no', heads: '1', weight: '8950' },
          { option: 'abstain', heads: '0', weight: '0' },
        ]);
        expect(await page.getAttribute('#tally-heads svg', 'aria-label')).toContain('No 1 / 3');
        expect(await page.getAttribute('#tally-area svg', 'aria-label')).toContain('Participating 8950 / 21950');
        expect(await page.textContent('#receipt-nullifier')).toBe(firstNullifier);
        violations['proposal'] = await captureView('proposal');

        await passClose(testApp, proposalId);
        await mutate(testApp, 'closeProposal', CLOSE, { id: proposalId }, committee.token);
        await page.click('#check-receipt');
        await page.waitForFunction(() => document.getElementById('receipt-status')?.dataset['included'] !== undefined);
        expect(await page.getAttribute('#receipt-status', 'data-included')).toBe('true');
        expect(await page.textContent('#receipt-status')).toBe('Included in the result’s checkpoint, and counted.');

        console.info(
          `Portal proofs in the Web Worker (depth 10): ${provingTimesMs.map((ms) => `${ms} ms`).join(', ')}`,
        );
        expect(violations).toEqual({ 'sign-in': [], 'sign-in-en': [], home: [], proposal: [] });
        expect(portal.pageErrors).toEqual([]);
        expect(portal.blocked).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );
  });
}
