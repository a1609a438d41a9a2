/**
 * The script of /client/prove-demo.html: a page a person (or a browser test) can use to
 * create an identity and prove membership of a small census built on the page, with the
 * circuit served by this server. It exposes the SDK as `window.courtyard` for the console.
 */
import * as courtyard from './index.ts';

declare global {
  interface Window {
    courtyard: typeof courtyard;
  }
}

/** Other members of the demo census besides the visitor: random identities, weight 1. */
const DEMO_OTHER_MEMBERS = 4;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`prove-demo.html has no #${id}`);
  return found as T;
}

function show(id: string, text: string): void {
  element(id).textContent = text;
}

async function proveOnPage(identity: courtyard.Identity): Promise<void> {
  const scope = BigInt(element<HTMLInputElement>('scope').value);
  const message = BigInt(element<HTMLInputElement>('message').value);
  show('status', 'Building the census and fetching the circuit…');
  const leaves = [await courtyard.membershipLeaf(identity.commitment, 1n)];
  for (let member = 0; member < DEMO_OTHER_MEMBERS; member += 1) {
    leaves.push(await courtyard.membershipLeaf((await courtyard.createIdentity()).commitment, 1n));
  }
  // As a census does: the smallest declared depth that holds the members, and only that
  // depth's circuit is fetched.
  const depth = courtyard.smallestDeclaredDepthFor(leaves.length);
  const tree = await courtyard.PoseidonMerkleTree.build(leaves, depth);
  const artifacts = await courtyard.fetchProvingArtifacts({ depth });
  show('status', artifacts.warning ?? 'Proving…');
  const started = performance.now();
  const proof = await courtyard.proveCensusMembership(artifacts, {
    identity,
    censusProof: await tree.proof(0),
    attribute: 1n,
    scope,
    message,
  });
  show(
    'status',
    `Proved at depth ${depth} in ${Math.round(performance.now() - started)} ms${artifacts.insecure ? ' (INSECURE development keys)' : ''}.`,
  );
  show('proof', JSON.stringify(proof, null, 2));
}

function start(): void {
  window.courtyard = courtyard;
  let identity: courtyard.Identity | undefined;
  element('create').addEventListener('click', () => {
    void courtyard.createIdentity().then((created) => {
      identity = created;
      show('backup', courtyard.backupIdentity(created));
      element<HTMLButtonElement>('prove').disabled = false;
    });
  });
  element('prove').addEventListener('click', () => {
    if (!identity) return;
    proveOnPage(identity).catch((error: unknown) => show('status', `Failed: ${(error as Error).message}`));
  });
  document.documentElement.dataset['ready'] = 'true';
}

start();
