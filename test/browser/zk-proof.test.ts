/**
 * A resident's device proves membership in a real browser: Chromium loads the SDK bundle
 * and the circuit from the Courtyard server on 127.0.0.1 (every other request is
 * blocked and recorded), creates an identity, builds a small census on the page at the
 * smallest declared depth, fetches only that depth's circuit and proves; Node then checks
 * the proof with the strict verifier and the committed key of that depth.
 * @ci-pglite-only: the census is built on the page and the proof checked in Node; the
 * database only holds the app's installation rows, so a PostgreSQL run would repeat the
 * same browser and the same proof.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/app.ts';
import { chromiumAvailable, launchChromium, CHROMIUM_PATH } from '../support/browser.ts';
import { listen, type RunningServer } from '../../src/server/server.ts';
import {
  CLIENT_MANIFEST_PATH,
  PROVE_DEMO_CONTENT_SECURITY_POLICY,
  PROVE_DEMO_PATH,
  type ClientManifest,
} from '../../src/server/client-routes.ts';
import { loadMembershipArtifactsForDepth } from '../../src/zk/artifacts-node.ts';
import { ProofRejectedError, membershipNullifier, verifyMembershipProof } from '../../src/zk/index.ts';
import { restoreIdentity } from '../../src/client/index.ts';
import { PoseidonMerkleTree } from '../../src/zk/merkle-tree.ts';
import { WASM_POSEIDON_FROM_HASHES } from '../../src/zk/poseidon.ts';
import type * as Sdk from '../../src/client/index.ts';

/** Proving takes under a second in Node; allow a slow, cold browser plenty more. */
const BROWSER_PROOF_TEST_TIMEOUT_MS = 120_000;
const PAGE_READY_TIMEOUT_MS = 30_000;
const SCOPE = 20261124n;
const MESSAGE = 3n;

interface PageProofResult {
  backup: string;
  commitment: string;
  root: string;
  proof: unknown;
  publicSignals: string[];
  provingMs: number;
  insecure: boolean;
  depth: number;
}

/** Runs in the page: only `window.courtyard` (the served SDK) is used. */
async function proveInPage(page: Page, scope: bigint, message: bigint): Promise<PageProofResult> {
  return page.evaluate(
    async ({ scopeText, messageText }) => {
      const sdk = (window as unknown as { courtyard: typeof Sdk }).courtyard;
      const identity = await sdk.restoreIdentity(sdk.backupIdentity(await sdk.createIdentity()));
      const members = [
        await sdk.createIdentity(),
        await sdk.createIdentity(),
        identity,
        await sdk.createIdentity(),
        await sdk.createIdentity(),
      ];
      const leaves = await Promise.all(members.map((member) => sdk.membershipLeaf(member.commitment, 1n)));
      // As the census does: the smallest declared depth that holds the members.
      const depth = sdk.smallestDeclaredDepthFor(leaves.length);
      const tree = await sdk.PoseidonMerkleTree.build(leaves, depth);
      const path = await tree.proof(2);
      // The shape the GraphQL `censusMerkleProof` field returns.
      const censusProof = {
        root: String(path.root),
        leaf: String(path.leaf),
        leafIndex: path.index,
        siblings: path.siblings.map(String),
        pathIndices: path.pathIndices,
        depth,
      };
      const artifacts = await sdk.fetchProvingArtifacts({ depth: sdk.censusProofDepth(censusProof) });
      const started = performance.now();
      const { proof, publicSignals } = await sdk.proveCensusMembership(artifacts, {
        identity,
        censusProof,
        attribute: 1n,
        scope: BigInt(scopeText),
        message: BigInt(messageText),
      });
      return {
        backup: sdk.backupIdentity(identity),
        commitment: String(identity.commitment),
        root: String(await tree.root()),
        proof,
        publicSignals,
        provingMs: performance.now() - started,
        insecure: artifacts.insecure,
        depth: artifacts.depth,
      };
    },
    { scopeText: String(scope), messageText: String(message) },
  );
}

if (!chromiumAvailable()) {
  // Real-browser tests need Debian's chromium (see the README); say so rather than pass silently.
  test.skip(`Membership proof in a real browser: no Chromium at ${CHROMIUM_PATH}`, () => undefined);
} else {
  describe('membership proof made in a real browser', () => {
    let testApp: TestApp;
    let server: RunningServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const requested: string[] = [];
    const blocked: string[] = [];
    /** Uncaught exceptions and console errors (a CSP violation is reported as one). */
    const pageErrors: string[] = [];

    beforeAll(async () => {
      testApp = await createTestApp();
      server = await listen(testApp.app, '127.0.0.1', 0);
      browser = await launchChromium();
      context = await browser.newContext();
      // Anything not for our server is refused and recorded: the device must need no CDN.
      await context.route('**', (route) => {
        const url = route.request().url();
        if (url.startsWith(`${server.url}/`)) return route.continue();
        blocked.push(url);
        return route.abort('blockedbyclient');
      });
      context.on('request', (request) => requested.push(request.url()));
      page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      await page.goto(`${server.url}${PROVE_DEMO_PATH}`);
      await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true', undefined, {
        timeout: PAGE_READY_TIMEOUT_MS,
      });
    }, BROWSER_PROOF_TEST_TIMEOUT_MS);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await testApp?.dispose();
    });

    it(
      'creates an identity, proves in the page, and the strict verifier accepts the proof; tampered signals fail',
      async () => {
        const result = await proveInPage(page, SCOPE, MESSAGE);
        console.info(`In-browser proof (depth ${result.depth}): ${Math.round(result.provingMs)} ms`);
        expect(pageErrors).toEqual([]);
        expect(result.insecure).toBe(true);
        expect(result.depth).toBe(10);

        const { membershipKey: verificationKey } = await loadMembershipArtifactsForDepth(10);
        const root = BigInt(result.root);
        const verified = await verifyMembershipProof(verificationKey, result.proof, result.publicSignals, {
          roots: [{ root, depth: 10 }],
          scope: SCOPE,
          message: MESSAGE,
        });
        // Recomputed in Node from the backup text the page made: the same identity, the same nullifier.
        const identity = await restoreIdentity(result.backup);
        expect(String(identity.commitment)).toBe(result.commitment);
        expect(verified).toEqual({
          nullifier: await membershipNullifier(SCOPE, identity.secret),
          root,
          attribute: 1n,
          scope: SCOPE,
          message: MESSAGE,
        });
        // The key of another depth refuses it: the root is known at depth 10.
        const { membershipKey: depth20Key } = await loadMembershipArtifactsForDepth(20);
        await expect(
          verifyMembershipProof(depth20Key, result.proof, result.publicSignals, {
            roots: [{ root, depth: 10 }],
            scope: SCOPE,
          }),
        ).rejects.toMatchObject({ code: 'DEPTH_MISMATCH' });

        const withMessage = [...result.publicSignals];
        withMessage[4] = String(MESSAGE + 1n);
        await expect(
          verifyMembershipProof(verificationKey, result.proof, withMessage, {
            roots: [root],
            scope: SCOPE,
            message: MESSAGE + 1n,
          }),
        ).rejects.toMatchObject({ code: 'INVALID_PROOF' });
        const withNullifier = [...result.publicSignals];
        withNullifier[0] = String(BigInt(withNullifier[0]!) + 1n);
        await expect(
          verifyMembershipProof(verificationKey, result.proof, withNullifier, { roots: [root], scope: SCOPE }),
        ).rejects.toBeInstanceOf(ProofRejectedError);
        await expect(
          verifyMembershipProof(verificationKey, result.proof, result.publicSignals, {
            roots: [root],
            scope: SCOPE + 1n,
          }),
        ).rejects.toMatchObject({ code: 'SCOPE_MISMATCH' });
      },
      BROWSER_PROOF_TEST_TIMEOUT_MS,
    );

    it(
      "proves from the demo page's buttons",
      async () => {
        await page.click('#create');
        await page.waitForFunction(() => document.getElementById('backup')?.textContent !== '');
        expect(await page.textContent('#backup')).toMatch(/^courtyard-identity-v1:[0-9a-f]{64}$/u);
        await page.fill('#scope', '7');
        await page.fill('#message', '8');
        await page.click('#prove');
        await page.waitForFunction(
          () => document.getElementById('status')?.textContent?.startsWith('Proved'),
          undefined,
          { timeout: BROWSER_PROOF_TEST_TIMEOUT_MS },
        );
        const { publicSignals } = JSON.parse((await page.textContent('#proof'))!) as { publicSignals: string[] };
        expect(publicSignals.slice(2)).toEqual(['1', '7', '8']);
        expect(pageErrors).toEqual([]);
      },
      BROWSER_PROOF_TEST_TIMEOUT_MS,
    );

    it(
      'rebuilds small and large trees on the page with the roots Node computes, with either Poseidon',
      async () => {
        // Below WASM_POSEIDON_FROM_HASHES the page hashes with poseidon-lite, from it with
        // circomlibjs's WebAssembly build (src/zk/poseidon.ts); Node always uses the latter.
        const sizes = [
          { leaves: 5, depth: 10 },
          { leaves: WASM_POSEIDON_FROM_HASHES - 100, depth: 12 },
          { leaves: WASM_POSEIDON_FROM_HASHES, depth: 12 },
        ];
        const leafValue = (index: number) => BigInt(index) * 7919n + 3n;
        const pageRoots = await page.evaluate(async (trees) => {
          const sdk = (window as unknown as { courtyard: typeof Sdk }).courtyard;
          const roots: string[] = [];
          for (const { leaves, depth } of trees) {
            const values = Array.from({ length: leaves }, (_, index) => BigInt(index) * 7919n + 3n);
            roots.push(String(await (await sdk.PoseidonMerkleTree.build(values, depth)).root()));
          }
          return roots;
        }, sizes);
        const nodeRoots: string[] = [];
        for (const { leaves, depth } of sizes) {
          const values = Array.from({ length: leaves }, (_, index) => leafValue(index));
          nodeRoots.push(String(await (await PoseidonMerkleTree.build(values, depth)).root()));
        }
        expect(pageRoots).toEqual(nodeRoots);
        expect(new Set(nodeRoots).size).toBe(sizes.length);
        expect(pageErrors).toEqual([]);
      },
      BROWSER_PROOF_TEST_TIMEOUT_MS,
    );

    it(
      "warms up the portal's proving worker: a warm-up message fetches its depth's circuit before any proof",
      async () => {
        const before = requested.length;
        const artifactsRequested = () =>
          requested
            .slice(before)
            .filter((url) => url.includes('/zk/artifacts/'))
            .map((url) => url.slice(url.lastIndexOf('/') + 1))
            .sort();
        await page.evaluate(async (manifestPath) => {
          const manifest = (await (await fetch(manifestPath)).json()) as { entries: Record<string, string> };
          const worker = new Worker(manifest.entries['portal-prover']!, { type: 'module' });
          worker.postMessage({ kind: 'warm-up', depth: 10 });
          Object.assign(window, { warmedWorker: worker });
        }, CLIENT_MANIFEST_PATH);
        // Routing is on for this context, so Chromium's cache is off and the worker's fetches are seen.
        const deadline = Date.now() + BROWSER_PROOF_TEST_TIMEOUT_MS / 2;
        while (artifactsRequested().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(artifactsRequested()).toEqual(['membership-10.insecure-dev.zkey', 'membership-10.wasm']);
        await page.evaluate(() => (window as unknown as { warmedWorker: Worker }).warmedWorker.terminate());
        expect(pageErrors).toEqual([]);
      },
      BROWSER_PROOF_TEST_TIMEOUT_MS,
    );

    it('serves the page with a same-origin policy and the bundle under immutable, content-hashed URLs', async () => {
      const demo = await fetch(`${server.url}${PROVE_DEMO_PATH}`);
      expect(demo.headers.get('content-security-policy')).toBe(PROVE_DEMO_CONTENT_SECURITY_POLICY);
      expect(await demo.text()).not.toMatch(/(src|href)="(https?:)?\/\//u);
      const manifest = (await (await fetch(`${server.url}${CLIENT_MANIFEST_PATH}`)).json()) as ClientManifest;
      expect(manifest.entries['courtyard-client']).toMatch(/^\/client\/assets\/courtyard-client-[A-Z0-9]{8}\.js$/u);
      for (const file of manifest.files) {
        const response = await fetch(`${server.url}${file.url}`);
        expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        expect(response.headers.get('content-encoding')).toBe('gzip');
        expect(response.headers.get('etag')).toBe(`W/"${file.sha256}"`);
        expect((await response.arrayBuffer()).byteLength).toBe(file.bytes);
        const identity = await fetch(`${server.url}${file.url}`, { headers: { 'accept-encoding': 'identity' } });
        expect(identity.headers.get('etag')).toBe(`"${file.sha256}"`);
        expect(identity.headers.get('content-length')).toBe(String(file.bytes));
        for (const etag of [`"${file.sha256}"`, `W/"${file.sha256}"`]) {
          const revalidated = await fetch(`${server.url}${file.url}`, { headers: { 'if-none-match': etag } });
          expect(revalidated.status).toBe(304);
        }
      }
      expect((await fetch(`${server.url}/client/assets/missing-AAAAAAAA.js`)).status).toBe(404);
      expect((await fetch(`${server.url}${PROVE_DEMO_PATH}`, { method: 'POST', body: '' })).status).toBe(405);
    });

    it('loaded the SDK, the circuit and the proving key from the server only, and only those of depth 10', () => {
      expect(blocked).toEqual([]);
      const offOrigin = requested.filter(
        (url) => !url.startsWith(`${server.url}/`) && !url.startsWith('blob:') && !url.startsWith('data:'),
      );
      expect(offOrigin).toEqual([]);
      const artifactFiles = new Set(
        requested.filter((url) => url.includes('/zk/artifacts/')).map((url) => url.slice(url.lastIndexOf('/') + 1)),
      );
      expect([...artifactFiles].sort()).toEqual(['membership-10.insecure-dev.zkey', 'membership-10.wasm']);
      expect(requested.some((url) => url.includes('/client/assets/'))).toBe(true);
    });
  });
}
