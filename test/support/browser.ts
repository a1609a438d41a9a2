/**
 * Debian's Chromium driven by playwright-core, for real-browser tests. The
 * flags keep it off the network: it only ever talks to our loopback server.
 * `openPortalBrowser` is the portal tests' page: one origin, screenshots and axe-core.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The two widths every portal view is screenshot and checked at. */
export const VIEWPORTS = { phone: { width: 375, height: 812 }, desktop: { width: 1280, height: 900 } } as const;
const SCREENSHOT_DIRECTORY = new URL('../../test-artifacts/screenshots/', import.meta.url);

export interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: Array<{ target: unknown }>;
}

/** One browser, context and page kept to one server's origin, recording what it blocked and the page's errors. */
export interface PortalBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Every request for another origin, refused. */
  blocked: string[];
  /** Uncaught errors and console errors of the page. */
  pageErrors: string[];
  /**
   * Screenshots the page at both widths into test-artifacts/screenshots/portal-<name>-<width>.png
   * and runs axe-core at each; returns the serious or critical violations.
   */
  captureView(name: string): Promise<AxeViolation[]>;
  /** Signs in on the portal's form and waits for the home view. */
  signIn(login: string, password: string): Promise<void>;
  close(): Promise<void>;
}

export async function openPortalBrowser(serverUrl: string, locale: string): Promise<PortalBrowser> {
  const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await mkdir(SCREENSHOT_DIRECTORY, { recursive: true });
  const blocked: string[] = [];
  const pageErrors: string[] = [];
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: VIEWPORTS.phone, locale });
  await context.route('**', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${serverUrl}/`)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });

  async function captureView(name: string): Promise<AxeViolation[]> {
    const serious: AxeViolation[] = [];
    for (const [width, viewport] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: new URL(`portal-${name}-${width}.png`, SCREENSHOT_DIRECTORY).pathname, fullPage: true });
      // Evaluated through the DevTools protocol, so the page's CSP (no inline script) stays in force.
      await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (context: Document) => Promise<{ violations: AxeViolation[] }> } }).axe;
        return (await axe.run(document)).violations.map((violation) => ({
          id: violation.id,
          impact: violation.impact,
          nodes: violation.nodes.map((node) => ({ target: node.target })),
        }));
      });
      serious.push(...violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical'));
    }
    await page.setViewportSize(VIEWPORTS.phone);
    return serious;
  }

  async function signIn(login: string, password: string): Promise<void> {
    await page.fill('#login', login);
    await page.fill('#password', password);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.documentElement.dataset['view'] === 'home', undefined, { timeout: 60_000 });
  }

  return { browser, context, page, blocked, pageErrors, captureView, signIn, close: () => browser.close() };
}
