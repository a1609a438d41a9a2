/**
 * The portal's proving thread (a module Web Worker): the page sends the census leaves,
 * the pinned tree, scope, message and the identity's secret (it never leaves the
 * device: the worker is the same origin and the same device), and gets progress messages
 * and then the proof. The circuit's wasm and proving key are fetched once per depth and
 * kept, so only the first proof in a page pays for them.
 *
 * The first proof overlaps its three preparations (docs/client.md, "The first proof in a
 * page"): the circuit's fetch and snarkjs's curve (its WebAssembly and threads) start
 * together, the witness calculator compiles as soon as the wasm is in, and the census
 * tree is rebuilt on this thread meanwhile; proving starts when all are ready. A page
 * that may prove soon can start the first two earlier with a warm-up message.
 */
import { createIdentity } from '../../zk/identity.ts';
import { fetchProvingArtifacts, type FetchedProvingArtifacts } from '../proving-artifacts.ts';
import { censusPathFor, type PinnedCensusTree, type PublicCensusLeaf } from '../census-snapshot-path.ts';
import { proveCensusMembership } from '../prove.ts';
import { paidSetPath, type PaidSetLeafJson } from '../fee-proof.ts';
import { prepareCurveForProving } from '../../zk/multiexp-by-thread.ts';
import { prepareWitnessCalculator } from '../../zk/witness-calculator.ts';

/** A proof of membership of a census (ballots, ratings): the public leaves and the pinned tree. */
export interface CensusProveMessage {
  id: number;
  kind?: 'census';
  secret: string;
  leaves: PublicCensusLeaf[];
  pinned: PinnedCensusTree;
  scope: string;
  message: string;
}

/** A fee proof: the period's paid set (every leaf), attribute = the period number (docs/fee-proofs.md). */
export interface PaidSetProveMessage {
  id: number;
  kind: 'paid-set';
  secret: string;
  paidSet: { depth: number; root: string; periodNumber: number; leaves: PaidSetLeafJson[] };
  scope: string;
  message: string;
}

export type ProveMessage = CensusProveMessage | PaidSetProveMessage;

/**
 * Sent by a page that may prove soon (a proposal the resident can vote on): the worker
 * fetches the circuit of `depth` and starts the curve now, so the proof that follows finds
 * them ready. No reply; a failure is reported by the proof that needs what failed.
 */
export interface WarmUpMessage {
  kind: 'warm-up';
  depth: number;
}

export type WorkerRequest = ProveMessage | WarmUpMessage;

export type WorkerReply =
  | { id: number; kind: 'progress'; step: 'artifacts' | 'witness' | 'proving' }
  | {
      id: number;
      kind: 'done';
      json: string;
      nullifier: string;
      /**
       * Where the time went, each from the request's arrival in the worker: the circuit
       * fetched and its witness calculator compiled (first proof of a depth only), the curve
       * ready (first proof in the worker only) and the tree rebuilt — the three overlap —
       * then proving, from when all three were done. `workerMs` is the whole.
       */
      artifactsMs: number;
      curveMs: number;
      treeMs: number;
      provingMs: number;
      workerMs: number;
      /** The proving time in its two steps: the witness, and snarkjs's Groth16 prover. */
      witnessMs: number;
      groth16Ms: number;
    }
  | { id: number; kind: 'failed'; code: string; message: string };

const artifactsByDepth = new Map<number, Promise<FetchedProvingArtifacts>>();

/** The circuit of a depth, fetched and its witness calculator compiled, once per depth. */
function artifactsFor(depth: number): Promise<FetchedProvingArtifacts> {
  let loading = artifactsByDepth.get(depth);
  if (!loading) {
    loading = fetchProvingArtifacts({ depth }).then(async (artifacts) => {
      await prepareWitnessCalculator(artifacts.wasm);
      return artifacts;
    });
    loading.catch(() => artifactsByDepth.delete(depth));
    artifactsByDepth.set(depth, loading);
  }
  return loading;
}

const post = (reply: WorkerReply) => (globalThis as unknown as Worker).postMessage(reply);

/** Resolves to the milliseconds from `started` to when `work` settled. */
const timedFrom = <T>(started: number, work: Promise<T>): Promise<[T, number]> =>
  work.then((value) => [value, performance.now() - started]);

/** The proof's path in its tree (census or paid set) and the attribute the proof reveals. */
async function pathFor(request: ProveMessage) {
  const identity = await createIdentity(BigInt(request.secret));
  // As proveInCensus, in two steps, so the reply says where the time went.
  const { merkleProof, weight } =
    request.kind === 'paid-set'
      ? {
          merkleProof: await paidSetPath(identity, request.paidSet),
          weight: BigInt(request.paidSet.periodNumber),
        }
      : await censusPathFor(identity, request.leaves, request.pinned);
  return { identity, merkleProof, weight };
}

async function prove(request: ProveMessage): Promise<void> {
  post({ id: request.id, kind: 'progress', step: 'artifacts' });
  const started = performance.now();
  // Started together, before the tree: the fetch waits on the network and the curve's
  // threads compile their WebAssembly on their own, while this thread rebuilds the tree.
  const artifactsLoading = timedFrom(
    started,
    artifactsFor(request.kind === 'paid-set' ? request.paidSet.depth : request.pinned.depth),
  );
  const curveLoading = timedFrom(started, prepareCurveForProving());
  // A failure of either is reported by the awaits below; until then it must not go unhandled.
  artifactsLoading.catch(() => undefined);
  curveLoading.catch(() => undefined);
  post({ id: request.id, kind: 'progress', step: 'witness' });
  const { identity, merkleProof, weight } = await pathFor(request);
  const treeMs = performance.now() - started;
  const [[artifacts, artifactsMs], [, curveMs]] = await Promise.all([artifactsLoading, curveLoading]);
  post({ id: request.id, kind: 'progress', step: 'proving' });
  const provingStarted = performance.now();
  const timings = { witnessMs: 0, groth16Ms: 0 };
  const proof = await proveCensusMembership(
    artifacts,
    {
      identity,
      censusProof: merkleProof,
      attribute: weight,
      scope: BigInt(request.scope),
      message: BigInt(request.message),
    },
    timings,
  );
  const finished = performance.now();
  post({
    id: request.id,
    kind: 'done',
    json: JSON.stringify(proof),
    nullifier: proof.publicSignals[0]!,
    artifactsMs,
    curveMs,
    treeMs,
    provingMs: finished - provingStarted,
    workerMs: finished - started,
    ...timings,
  });
}

function warmUp(request: WarmUpMessage): void {
  // artifactsFor forgets a failed fetch, so the proof tries again and reports it.
  artifactsFor(request.depth).catch(() => undefined);
  prepareCurveForProving().catch(() => undefined);
}

globalThis.addEventListener('message', (event: Event) => {
  const request = (event as MessageEvent<WorkerRequest>).data;
  if (request.kind === 'warm-up') {
    warmUp(request);
    return;
  }
  prove(request).catch((error: unknown) => {
    const failure = error as { code?: unknown; message?: unknown };
    post({
      id: request.id,
      kind: 'failed',
      code: typeof failure.code === 'string' ? failure.code : 'PROVING_FAILED',
      message: String(failure.message),
    });
  });
});
