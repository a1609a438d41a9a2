/**
 * Builds the browser bundle of the resident SDK with esbuild, in memory (Node only).
 * The server builds it on first request (src/server/client-routes.ts) and
 * `npm run client:build` writes the same files to disk, so a fresh clone needs no
 * build step and the served bundle can never be older than the sources.
 *
 * Output: ES modules with content-hashed names, shared code split into chunks, so
 * every URL is immutable. Entry points: `courtyard-client` (the SDK), `prove-demo`
 * (the script of prove-demo.html), and the resident portal's script, proving worker and
 * style sheet (`portal`, `portal-prover`, `portal-style`; src/client/portal/).
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { circomlibjsPoseidonModule } from '../zk/poseidon.ts';

export const CLIENT_ENTRY_POINTS = {
  'courtyard-client': 'src/client/index.ts',
  'prove-demo': 'src/client/prove-demo.ts',
  portal: 'src/client/portal/portal.ts',
  'portal-prover': 'src/client/portal/prover-worker.ts',
  'portal-style': 'src/client/portal/portal.css',
} as const;
export type ClientEntryPoint = keyof typeof CLIENT_ENTRY_POINTS;

/** BigInt literals and top-level await need ES2022; every current browser has it. */
const BROWSER_TARGETS = ['es2022', 'chrome111', 'firefox111', 'safari16'];
/** A bundle larger than this means a Node library slipped in whole; fail the build rather than ship it. */
export const MAX_CLIENT_BUNDLE_BYTES = 4 * 1024 * 1024;

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface ClientBundleFile {
  /** The file name, e.g. `prove-demo-4KQ3Z2JD.js`; every name carries a content hash. */
  name: string;
  sha256: string;
  bytes: Uint8Array;
}

export interface ClientBundle {
  files: ClientBundleFile[];
  /** Entry point to its file name. */
  entries: Record<ClientEntryPoint, string>;
  totalBytes: number;
}

/**
 * `import { buildPoseidon } from 'circomlibjs'` would pull in all of circomlibjs's
 * index (EdDSA, MiMC, Pedersen, the EVM contract generators with ethers, Node's assert,
 * buffer and streams). The bundle needs only the Poseidon WebAssembly builder, so the
 * bare import is resolved to the module that defines it, with no polyfills and no fork.
 */
const circomlibjsPoseidonOnly: esbuild.Plugin = {
  name: 'circomlibjs-poseidon-only',
  setup(build) {
    const poseidonModule = fileURLToPath(circomlibjsPoseidonModule());
    build.onResolve({ filter: /^circomlibjs$/ }, () => ({ path: poseidonModule }));
  },
};

/**
 * The regulator page bundles the server's offline verifier (portal/compliance-check.ts),
 * whose modules import a few Node built-ins they never call there; those imports, and
 * only from outside src/client/, resolve to the browser stand-ins in
 * portal/node-builtins-browser.ts. Any Node import from the SDK itself still fails the build.
 */
const NODE_BUILTINS_BROWSER = fileURLToPath(new URL('portal/node-builtins-browser.ts', import.meta.url));
const CLIENT_SOURCES = fileURLToPath(new URL('.', import.meta.url));
const verifierNodeBuiltins: esbuild.Plugin = {
  name: 'verifier-node-builtins',
  setup(build) {
    build.onResolve({ filter: /^node:(crypto|async_hooks|fs\/promises|url)$/ }, (args) =>
      args.importer.startsWith(CLIENT_SOURCES) ? undefined : { path: NODE_BUILTINS_BROWSER },
    );
  },
};

export async function buildClientBundle(): Promise<ClientBundle> {
  const result = await esbuild.build({
    absWorkingDir: repositoryRoot,
    entryPoints: CLIENT_ENTRY_POINTS,
    bundle: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: BROWSER_TARGETS,
    minify: true,
    legalComments: 'none',
    write: false,
    outdir: 'client-bundle',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    metafile: true,
    logLevel: 'silent',
    plugins: [circomlibjsPoseidonOnly, verifierNodeBuiltins],
  });
  const files = result.outputFiles.map((file) => ({
    name: file.path.slice(file.path.lastIndexOf('/') + 1),
    sha256: createHash('sha256').update(file.contents).digest('hex'),
    bytes: file.contents,
  }));
  const entries = {} as Record<ClientEntryPoint, string>;
  for (const [outputPath, output] of Object.entries(result.metafile.outputs)) {
    const entry = Object.entries(CLIENT_ENTRY_POINTS).find(([, source]) => source === output.entryPoint);
    if (entry) entries[entry[0] as ClientEntryPoint] = outputPath.slice(outputPath.lastIndexOf('/') + 1);
  }
  const totalBytes = files.reduce((sum, file) => sum + file.bytes.byteLength, 0);
  if (totalBytes > MAX_CLIENT_BUNDLE_BYTES)
    throw new Error(
      `Failed to build the client bundle: ${totalBytes} bytes is over the ${MAX_CLIENT_BUNDLE_BYTES}-byte limit`,
    );
  return { files, entries, totalBytes };
}
