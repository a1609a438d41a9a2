/**
 * The resident portal's pages beyond voting, in a real browser (Debian's Chromium,
 * headless, one launch and one page for the file): a resident joins the households
 * census, pays; on the fee-proof page the Web Worker proves the period paid to a
 * verifier's challenge and the verifier's submission is accepted; the household page shows
 * the invoices' pay status, a payment's receipt and the manager's read of the household's
 * data with its purpose; the activities page signs the household up, rates an activity it
 * took part in, and draws a service's rating trend equal to the API's; a committee member's
 * page draws the collection rate per period equal to the `collectionRate` report, arrears
 * and cash flow, and approves and rejects waiting spends; the regulator page, offline,
 * accepts a fee-period bundle (carrying the page's proof) and rejects it once a byte of
 * the proof is altered. Every page is screenshot at 375 and 1280 px into
 * test-artifacts/screenshots/ and checked with axe-core (no serious or critical
 * violation), in Chinese and English; no request leaves the origin.
 *
 * @ci-pglite-only: CI runs it once, on PGlite. It checks the pages in the browser; the API
 * paths they call are checked on PostgreSQL by the money, fee-proof and activity API tests.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { mutate, type TestApp } from '../support/app.ts';
import { chromiumAvailable, openPortalBrowser, CHROMIUM_PATH, type AxeViolation, type PortalBrowser } from '../support/browser.ts';
import { PASSWORD, type CommunityFixture } from '../support/fixtures.ts';
import { serveProofCommunity, type ProofCommunity } from '../support/proof-community.ts';
import type { RunningServer } from '../../src/server/server.ts';
import { PORTAL_PATH } from '../../src/server/client-routes.ts';
import { recentMonths, CHART_MONTHS } from '../../src/client/portal/manager-page.ts';

const TEST_TIMEOUT_MS = 240_000;
const DAY_MS = 86_400_000;
const MONTHLY_FEN = 12_000;
const RESULT = `__typename ... on Error { code message }`;
const INVITE = `mutation ($communityId: ID!, $householdId: ID) {
  createCensusInvite(communityId: $communityId, kind: HOUSEHOLDS, householdId: $householdId) {
    ${RESULT} ... on MutationCreateCensusInviteSuccess { data { code } } } }`;
const SCHEDULE = `mutation ($communityId: ID!, $schedule: FeeScheduleInput!) { defineFeeSchedule(communityId: $communityId, schedule: $schedule) {
  ${RESULT} ... on MutationDefineFeeScheduleSuccess { data { scheduleId } } } }`;
const ISSUE = `mutation ($communityId: ID!, $scheduleId: String!, $periodId: String!) { issueInvoices(communityId: $communityId, scheduleId: $scheduleId, periodId: $periodId) {
  ${RESULT} ... on MutationIssueInvoicesSuccess { data { issued } } } }`;
const PAY = `mutation ($communityId: ID!, $householdId: ID!, $amount: Money!, $key: String!) {
  recordPayment(communityId: $communityId, householdId: $householdId, amount: $amount, idempotencyKey: $key) {
  ${RESULT} ... on MutationRecordPaymentSuccess { data { payment { id } } } } }`;
const CHALLENGE = `mutation ($communityId: ID!, $periodId: String!) {
  requestFeeProofChallenge(communityId: $communityId, periodId: $periodId, purpose: "Parking permit") {
  ${RESULT} ... on MutationRequestFeeProofChallengeSuccess { data { id periodId periodNumber tree scope message fromRootVersion expiresAt } } } }`;
const SUBMIT = `mutation ($challengeId: ID!, $proof: String!) { submitFeeProof(challengeId: $challengeId, proof: $proof) {
  __typename ... on MutationSubmitFeeProofSuccess { data { rootVersion depth challenge { used periodId } } }
  ... on FeeProofRejected { code message } ${RESULT} } }`;
const PROPOSE_ACTIVITY = `mutation ($communityId: ID!, $activity: ActivityInput!) {
  proposeActivity(communityId: $communityId, activity: $activity) { ${RESULT} ... on MutationProposeActivitySuccess { data { id status } } } }`;
const SIGN_UP = `mutation ($activityId: ID!, $householdId: ID!, $key: String!) {
  signUpForActivity(activityId: $activityId, householdId: $householdId, idempotencyKey: $key) { ${RESULT} ... on MutationSignUpForActivitySuccess { data { signupId } } } }`;
const CLOSE_SIGNUPS = `mutation ($activityId: ID!) {
  closeActivitySignups(activityId: $activityId) { ${RESULT} ... on MutationCloseActivitySignupsSuccess { data { id } } } }`;
const OPEN_PERIOD = `mutation ($c: ID!, $p: String!) { openRatingPeriod(communityId: $c, period: $p) {
  ${RESULT} ... on MutationOpenRatingPeriodSuccess { data { period } } } }`;
const NAMED_RATING = `mutation ($s: ID!, $p: String!, $score: Int!) { submitRating(subjectId: $s, period: $p, score: $score) {
  ${RESULT} ... on MutationSubmitRatingSuccess { data { ratingId } } } }`;
const SUBJECTS = `query ($c: ID!) { ratingSubjects(communityId: $c) { id key kind trend(periods: 6) { period aggregate { mean count } } } }`;
const COLLECTION = `query ($c: ID!, $p: String!) { collectionRate(communityId: $c, periodId: $p) { periodId rateBasisPoints } }`;
const READ_PERSONAL_DATA = `query ($h: ID!) { householdPersonalData(householdId: $h, purpose: BILLING) {
  __typename ... on QueryHouseholdPersonalDataSuccess { data { __typename } } ${RESULT} } }`;
const SPEND = (
  amount: string,
) => `mutation ($c: ID!, $a: String!) { proposeSpend(communityId: $c, accountId: $a, amount: "${amount}", payeeId: "payee-cleaning",
  purposeHash: "${'ab'.repeat(32)}", receiptHash: "${'cd'.repeat(32)}") { ${RESULT} ... on MutationProposeSpendSuccess { data { id status } } } }`;
const BUNDLE = `query ($c: ID!, $p: String!, $proofs: [String!]) { feePeriodBundle(communityId: $c, periodId: $p, proofs: $proofs) {
  __typename ... on QueryFeePeriodBundleSuccess { data } ${RESULT} } }`;

const iso = (ms: number) => new Date(ms).toISOString();

if (!chromiumAvailable()) {
  test.skip(`Resident portal pages in a real browser: no Chromium at ${CHROMIUM_PATH}`, () => undefined);
} else {
  describe('resident portal pages in a real browser', () => {
    let served: ProofCommunity;
    let testApp: TestApp;
    let server: RunningServer;
    let portal: PortalBrowser;
    let context: BrowserContext;
    let page: Page;
    let community: CommunityFixture;
    let committee: { id: string; token: string };
    let scratch: string;
    const violations: Record<string, AxeViolation[]> = {};
    const months = recentMonths(CHART_MONTHS);
    const [, , , paidMonth, partlyMonth, unpaidMonth] = months as [string, string, string, string, string, string];
    let pastActivityId: string;
    let futureActivityId: string;
    let feeProof: string;

    /** Screenshots at both widths and an axe-core run at each; records the serious or critical violations. */
    async function captureView(name: string): Promise<void> {
      violations[name] = await portal.captureView(name);
    }

    async function openPage(name: string): Promise<void> {
      await page.click(`#nav-${name}`);
      await page.waitForFunction((expected) => document.documentElement.dataset['view'] === expected, name, {
        timeout: 60_000,
      });
      // The page's heading takes focus: keyboard users land on it.
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H2');
    }

    const signIn = (login: string): Promise<void> => portal.signIn(login, PASSWORD);

    async function signOut(): Promise<void> {
      await page.click('#sign-out');
      await page.waitForFunction(() => document.documentElement.dataset['view'] === 'sign-in');
    }

    const manager = (name: string, query: string, variables: Record<string, unknown>) =>
      mutate(testApp, name, query, variables, community.managerToken);

    beforeAll(async () => {
      served = await serveProofCommunity('pages');
      ({ testApp, server, community, committee } = served);
      scratch = await mkdtemp(join(tmpdir(), 'portal-pages-'));
      portal = await openPortalBrowser(server.url, 'en-GB');
      ({ context, page } = portal);
    }, TEST_TIMEOUT_MS);

    afterAll(async () => {
      await portal?.close();
      await served?.dispose();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    it(
      'a resident proves a paid period to a verifier, reads invoices, receipts and the access log, signs up for and rates activities',
      async () => {
        await page.goto(`${server.url}${PORTAL_PATH}`);
        await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true');
        if ((await page.textContent('h1')) !== 'Resident portal') await page.click('#language');
        await signIn(`${community.slug}-resident`);
        const { code } = await manager('createCensusInvite', INVITE, {
          communityId: community.id,
          householdId: community.householdId,
        });
        await page.fill('#invite', code);
        await page.click('#join');
        await page.waitForFunction(
          () => document.getElementById('identity-ready')?.dataset['censuses']?.includes('HOUSEHOLDS'),
          undefined,
          {
            timeout: 60_000,
          },
        );

        // Money: three months billed, each on its own day (the money clock set back); the first paid in full
        // (so the household is in its paid set), the second a quarter.
        const realClock = testApp.app.services.money.clock;
        const dayIn = (month: string) => new Date(`${month}-02T02:00:00Z`);
        testApp.app.services.money.clock = { now: () => dayIn(paidMonth) };
        await manager(
          'openBooks',
          `mutation ($c: ID!) { openBooks(communityId: $c) { ${RESULT} ... on MutationOpenBooksSuccess { data { id } } } }`,
          { c: community.id },
        );
        const { scheduleId } = await manager('defineFeeSchedule', SCHEDULE, {
          communityId: community.id,
          schedule: {
            frequency: 'MONTH',
            effectiveFromPeriodId: paidMonth,
            fixedPerMonth: String(MONTHLY_FEN),
            dueDay: 10,
            graceDays: 0,
          },
        });
        const payments = new Map([
          [paidMonth, MONTHLY_FEN],
          [partlyMonth, MONTHLY_FEN / 4],
        ]);
        for (const periodId of [paidMonth, partlyMonth, unpaidMonth]) {
          testApp.app.services.money.clock = { now: () => dayIn(periodId) };
          await manager('issueInvoices', ISSUE, { communityId: community.id, scheduleId, periodId });
          const amount = payments.get(periodId);
          if (amount)
            await manager('recordPayment', PAY, {
              communityId: community.id,
              householdId: community.householdId,
              amount: String(amount),
              key: `pages-pay-${periodId}`,
            });
        }
        testApp.app.services.money.clock = realClock;
        await manager('householdPersonalData', READ_PERSONAL_DATA, { h: community.householdId });

        // Fee proof: the verifier's challenge, answered by the page's worker, accepted by the API.
        await openPage('fee-proof');
        await captureView('fee-proof');
        await page.fill('#challenge', '{"id": "not a challenge"}');
        await page.click('#prove-fees');
        await page.waitForFunction(() => document.getElementById('fee-proof-status')?.dataset['proved'] === 'false');
        expect(await page.textContent('#fee-proof-status')).toContain('[CHALLENGE_MALFORMED]');
        const challenge = await manager('requestFeeProofChallenge', CHALLENGE, {
          communityId: community.id,
          periodId: paidMonth,
        });
        await page.fill('#challenge', JSON.stringify(challenge));
        await page.click('#prove-fees');
        await page.waitForFunction(
          () => document.getElementById('fee-proof-status')?.dataset['proved'] === 'true',
          undefined,
          { timeout: TEST_TIMEOUT_MS },
        );
        // Progress was reported step by step, and the bar is hidden again.
        expect(await page.getAttribute('#fee-progress', 'value')).toBe('4');
        feeProof = await page.inputValue('#fee-proof');
        await captureView('fee-proof-done');
        const submitted = await testApp.graphql(
          SUBMIT,
          { challengeId: challenge.id, proof: feeProof },
          community.managerToken,
        );
        expect(submitted.data.submitFeeProof.__typename).toBe('MutationSubmitFeeProofSuccess');
        expect(submitted.data.submitFeeProof.data.challenge).toEqual({ used: true, periodId: paidMonth });
        // The partly paid month: the device refuses before proving (its identity has no leaf).
        const partly = await manager('requestFeeProofChallenge', CHALLENGE, {
          communityId: community.id,
          periodId: partlyMonth,
        });
        await page.fill('#challenge', JSON.stringify(partly));
        await page.click('#prove-fees');
        await page.waitForFunction(
          () => document.getElementById('fee-proof-status')?.dataset['proved'] === 'false',
          undefined,
          {
            timeout: 60_000,
          },
        );
        expect(await page.textContent('#fee-proof-status')).toContain('[INVALID_INPUT]');

        // Household: pay status, a receipt, and who read the household's data and why.
        await openPage('household');
        const statuses = await page.$$eval('#invoices [data-status]', (cells) =>
          cells.map((cell) => cell.getAttribute('data-status')),
        );
        expect(statuses.sort()).toEqual(['paid', 'partlyPaid', 'unpaid']);
        await page.click('#payments li:last-child button[data-payment]');
        await page.waitForSelector('.receipt[data-loaded="true"]');
        expect(await page.textContent('.receipt[data-loaded="true"]')).toContain(paidMonth);
        expect(
          await page.$$eval('#access-log [data-purpose]', (cells) =>
            cells.map((cell) => cell.getAttribute('data-purpose')),
          ),
        ).toEqual(['BILLING']);
        await captureView('household');

        // Activities: one the household took part in (ended; rated here), one open for sign-ups.
        const real = Date.now();
        testApp.app.services.money.clock = { now: () => new Date(real - 3 * DAY_MS) };
        const activityInput = (title: string, signupsCloseAt: number, startsAt: number, endsAt: number) => ({
          title,
          description: 'Tea and a walk round the garden.',
          place: 'Courtyard garden',
          startsAt: iso(startsAt),
          endsAt: iso(endsAt),
          signupsCloseAt: iso(signupsCloseAt),
          capacity: 10,
          fee: '0',
          budget: '0',
          fullRefundUntil: iso(signupsCloseAt - DAY_MS / 24),
          lateRefundBasisPoints: 0,
        });
        await manager(
          'setActivitySettings',
          `mutation ($c: ID!) { setActivitySettings(communityId: $c, approvalRequired: false) { ${RESULT} ... on MutationSetActivitySettingsSuccess { data } } }`,
          { c: community.id },
        );
        pastActivityId = (
          await manager('proposeActivity', PROPOSE_ACTIVITY, {
            communityId: community.id,
            activity: activityInput('Garden tea 花园茶会', real - 2 * DAY_MS, real - 2 * DAY_MS, real - DAY_MS / 24),
          })
        ).id;
        await manager('signUpForActivity', SIGN_UP, {
          activityId: pastActivityId,
          householdId: community.householdId,
          key: 'pages-past',
        });
        await manager('closeActivitySignups', CLOSE_SIGNUPS, { activityId: pastActivityId });
        testApp.app.services.money.clock = realClock;
        futureActivityId = (
          await manager('proposeActivity', PROPOSE_ACTIVITY, {
            communityId: community.id,
            activity: activityInput(
              'Lantern evening 灯笼晚会',
              real + 5 * DAY_MS,
              real + 6 * DAY_MS,
              real + 6 * DAY_MS + 3_600_000,
            ),
          })
        ).id;
        const endedPeriod = iso(real - DAY_MS / 24).slice(0, 7);
        const currentPeriod = iso(real).slice(0, 7);
        const previousPeriod = months[CHART_MONTHS - 2]!;
        for (const period of new Set([endedPeriod, currentPeriod, previousPeriod]))
          await manager('openRatingPeriod', OPEN_PERIOD, { c: community.id, p: period });
        const service = (
          await testApp.graphql(SUBJECTS, { c: community.id }, community.residentToken)
        ).data.ratingSubjects.find((subject: { kind: string }) => subject.kind === 'SERVICE');
        await mutate(
          testApp,
          'submitRating',
          NAMED_RATING,
          { s: service.id, p: previousPeriod, score: 2 },
          community.residentToken,
        );
        await mutate(
          testApp,
          'submitRating',
          NAMED_RATING,
          { s: service.id, p: currentPeriod, score: 5 },
          community.residentToken,
        );

        await openPage('activities');
        const future = page.locator(`li.activity[data-activity="${futureActivityId}"]`);
        await future.locator('button.sign-up').click();
        await page.waitForFunction(
          (id) => document.querySelector(`li.activity[data-activity="${id}"] .signup-status`)?.textContent,
          futureActivityId,
        );
        expect(await future.locator('.signup-status').textContent()).toBe('Signed up.');
        expect(await future.locator('.signup-status').getAttribute('data-signup-id')).toMatch(/^[0-9a-f-]{36}$/u);
        const past = page.locator(`li.activity[data-activity="${pastActivityId}"]`);
        await past.locator('input[value="5"]').check();
        await past.locator('button[type="submit"]').click();
        await past.locator('[data-rated="5"]').waitFor();
        const subjects = (await testApp.graphql(SUBJECTS, { c: community.id }, community.residentToken)).data
          .ratingSubjects;
        const activitySubject = await testApp.graphql(
          `query ($a: ID!) { activity(activityId: $a) { ratingSubjectId } }`,
          { a: pastActivityId },
          community.residentToken,
        );
        const reviewed = await testApp.graphql(
          `query ($id: ID!) { ratingSubject(id: $id) { __typename ... on QueryRatingSubjectSuccess { data { kind aggregate(period: "${endedPeriod}") { mean count } } } } }`,
          { id: activitySubject.data.activity.ratingSubjectId },
          community.residentToken,
        );
        expect(reviewed.data.ratingSubject.data).toEqual({ kind: 'ACTIVITY', aggregate: { mean: 5, count: 1 } });
        // The service's trend chart: one column per period the API reports, with its mean.
        const trend = subjects.find((subject: { id: string }) => subject.id === service.id).trend as Array<{
          period: string;
          aggregate: { mean: number | null };
        }>;
        const drawn = await page.$$eval(`#trend-${service.key} rect[data-group]`, (rects) =>
          rects.map((rect) => [rect.getAttribute('data-group'), Number(rect.getAttribute('data-value'))]),
        );
        expect(drawn).toEqual(
          trend.filter((point) => point.aggregate.mean !== null).map((point) => [point.period, point.aggregate.mean]),
        );
        expect(drawn).toEqual(
          expect.arrayContaining([
            [previousPeriod, 2],
            [currentPeriod, 5],
          ]),
        );
        await captureView('activities');
        await page.click('#language');
        await page.waitForFunction(() => document.getElementById('activities-heading')?.textContent === '社区活动');
        expect(await page.textContent('#nav-fee-proof')).toBe('缴费证明');
        await captureView('activities-zh');
        await page.click('#language');
        await page.waitForFunction(() => document.getElementById('activities-heading')?.textContent === 'Activities');
        await signOut();
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'the committee sees the collection rate per period as the report gives it, arrears and cash flow, and approves and rejects waiting spends',
      async () => {
        const operating = (
          await testApp.graphql(
            `query ($c: ID!) { moneyAccounts(communityId: $c) { id kind } }`,
            { c: community.id },
            community.managerToken,
          )
        ).data.moneyAccounts.find((account: { kind: string }) => account.kind === 'OPERATING').id;
        const toApprove = await manager('proposeSpend', SPEND('600000'), { c: community.id, a: operating });
        const toReject = await manager('proposeSpend', SPEND('700000'), { c: community.id, a: operating });

        // A resident has no manager page, and the API refuses the list to them.
        await signIn(`${community.slug}-resident`);
        expect(await page.$('#nav-manager')).toBeNull();
        const refused = await testApp.graphql(
          `query ($c: ID!) { waitingSpends(communityId: $c) { id } }`,
          { c: community.id },
          community.residentToken,
        );
        expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        await signOut();

        await signIn('pages-committee');
        await openPage('manager');
        const drawn = await page.$$eval('#collection-chart rect[data-group]', (rects) =>
          rects.map((rect) => [rect.getAttribute('data-group'), Number(rect.getAttribute('data-value'))]),
        );
        const reported = [];
        for (const periodId of months) {
          const rate = (await testApp.graphql(COLLECTION, { c: community.id, p: periodId }, committee.token)).data
            .collectionRate;
          if (rate.rateBasisPoints !== null) reported.push([rate.periodId, rate.rateBasisPoints]);
        }
        expect(drawn).toEqual(reported);
        expect(reported).toEqual([
          [paidMonth, 10_000],
          [partlyMonth, 2_500],
          [unpaidMonth, 0],
        ]);
        expect(await page.$$eval('#arrears-chart rect[data-group]', (rects) => rects.length)).toBeGreaterThan(0);
        const inflows = await page.$$eval('#cash-flow-chart rect[data-series="In"]', (rects) =>
          rects.map((rect) => Number(rect.getAttribute('data-value'))),
        );
        expect(inflows.reduce((sum, value) => sum + value, 0)).toBe(MONTHLY_FEN + MONTHLY_FEN / 4);
        await captureView('manager');

        await page.click(`li.spend[data-spend="${toApprove.id}"] button.approve`);
        await page.waitForSelector(`li.spend[data-spend="${toApprove.id}"] .spend-status[data-status]`);
        await page.click(`li.spend[data-spend="${toReject.id}"] button.reject`);
        await page.waitForSelector(`li.spend[data-spend="${toReject.id}"] .spend-status[data-status="rejected"]`);
        const spend = async (id: string) =>
          (
            await testApp.graphql(
              `query ($c: ID!, $s: String!) { spend(communityId: $c, spendId: $s) { status approvals { approverId } } }`,
              { c: community.id, s: id },
              committee.token,
            )
          ).data.spend;
        expect((await spend(toApprove.id)).approvals).toHaveLength(1);
        expect((await spend(toReject.id)).status).toBe('rejected');
        // Still waiting: the approved one (1 of 3 approvals); the rejected one has left the list.
        const waiting = await testApp.graphql(
          `query ($c: ID!) { waitingSpends(communityId: $c) { id status } }`,
          { c: community.id },
          committee.token,
        );
        expect(waiting.data.waitingSpends).toEqual([{ id: toApprove.id, status: 'proposed' }]);
        await captureView('manager-decided');
        await signOut();
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'the regulator page checks a fee-period bundle offline: accepts it, and rejects it with a byte of the proof altered',
      async () => {
        const exported = await testApp.graphql(
          BUNDLE,
          { c: community.id, p: paidMonth, proofs: [feeProof] },
          community.managerToken,
        );
        expect(exported.data.feePeriodBundle.__typename).toBe('QueryFeePeriodBundleSuccess');
        const bundle = JSON.parse(exported.data.feePeriodBundle.data);
        const good = join(scratch, 'fee-period.json');
        await writeFile(good, JSON.stringify(bundle));
        const altered = structuredClone(bundle);
        const digits: string = altered.proofs[0].proof.pi_a[0];
        altered.proofs[0].proof.pi_a[0] = digits.slice(0, -1) + String((Number(digits.at(-1)) + 1) % 10);
        const bad = join(scratch, 'fee-period-altered.json');
        await writeFile(bad, JSON.stringify(altered));

        await page.click('#nav-regulator');
        await page.waitForFunction(() => document.documentElement.dataset['verifierReady'] === 'true', undefined, {
          timeout: 60_000,
        });
        await captureView('regulator');
        // Offline from here: the check makes no request.
        await context.setOffline(true);
        await page.setInputFiles('#bundle-file', good);
        await page.waitForSelector('#bundle-result[data-valid]', { timeout: 60_000 });
        expect(await page.getAttribute('#bundle-result', 'data-valid')).toBe('true');
        expect(await page.getAttribute('#bundle-result', 'data-format')).toBe('courtyard-fee-period-bundle/v1');
        expect(await page.textContent('#bundle-result')).toContain('1 of 1 proofs verify');
        await captureView('regulator-ok');
        await page.setInputFiles('#bundle-file', bad);
        await page.waitForSelector('#bundle-result[data-valid="false"]', { timeout: 60_000 });
        expect(
          await page.$$eval('#bundle-problems [data-place]', (items) =>
            items.map((item) => item.getAttribute('data-place')),
          ),
        ).toContain('proofs[0]');
        await captureView('regulator-failed');
        await context.setOffline(false);

        expect(violations).toEqual(Object.fromEntries(Object.keys(violations).map((name) => [name, []])));
        expect(Object.keys(violations)).toHaveLength(10);
        expect(portal.pageErrors).toEqual([]);
        expect(portal.blocked).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );
  });
}
