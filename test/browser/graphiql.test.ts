/**
 * GraphiQL in a real browser: the page the server serves signs in and answers a query with
 * the token set in its Headers pane.
 * @ci-pglite-only: what it checks is the page and the browser; its database work (one
 * sign-in, one `viewer`) is the same on both engines and is checked on PostgreSQL by the
 * API tests.
 */
import type { Browser, Page } from 'playwright-core';
import { createTestApp, ADMIN_PASSWORD, type TestApp } from '../support/app.ts';
import { chromiumAvailable, launchChromium, CHROMIUM_PATH } from '../support/browser.ts';
import { listen, type RunningServer } from '../../src/server/server.ts';

const RESULT_TIMEOUT_MS = 15_000;

if (!chromiumAvailable()) {
  // Real-browser tests need Debian's chromium (see the README); say so rather than pass silently.
  test.skip(`GraphiQL in a real browser: no Chromium at ${CHROMIUM_PATH}`, () => undefined);
} else {
  describe('GraphiQL in a real browser', () => {
    let testApp: TestApp;
    let server: RunningServer;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      testApp = await createTestApp();
      server = await listen(testApp.app, '127.0.0.1', 0);
      browser = await launchChromium();
      page = await browser.newPage();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await testApp?.dispose();
    });

    async function runInGraphiQL(query: string): Promise<any> {
      await page.goto(`${server.url}/graphql?query=${encodeURIComponent(query)}`);
      await page.waitForSelector('.graphiql-execute-button', { timeout: RESULT_TIMEOUT_MS });
      const response = page.waitForResponse((candidate) => candidate.url().startsWith(`${server.url}/graphql`) && candidate.request().method() === 'POST');
      await page.click('.graphiql-execute-button');
      return (await response).json();
    }

    it('signs in, takes the token in the Headers pane, and answers `viewer`', async () => {
      const login = await runInGraphiQL(
        `mutation { login(login: "admin", password: "${ADMIN_PASSWORD}") { ... on MutationLoginSuccess { data { token } } } }`,
      );
      const token = login.data.login.data.token as string;
      await page.waitForFunction(() => document.querySelector('.graphiql-response')?.textContent?.includes('token'));

      await page.goto(`${server.url}/graphql?query=${encodeURIComponent('{ viewer { login isAdmin } }')}`);
      await page.waitForSelector('.graphiql-execute-button');
      await page.getByRole('button', { name: /headers/i }).click();
      const headersEditor = page.locator('.graphiql-editor-tool .graphiql-editor').last();
      await headersEditor.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${token}` }));
      const response = page.waitForResponse((candidate) => candidate.request().method() === 'POST');
      await page.click('.graphiql-execute-button');
      expect(await (await response).json()).toEqual({ data: { viewer: { login: 'admin', isAdmin: true } } });
      await page.waitForFunction(() => document.querySelector('.graphiql-response')?.textContent?.includes('isAdmin'));
      await page.screenshot({ path: '/tmp/courtyard-graphiql.png' });
    });
  });
}
