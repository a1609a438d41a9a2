/**
 * The resident SDK in Node: identity backup, census proofs as the API returns them, the
 * checks on artifacts fetched from the server, and one proof at the census's depth with
 * the artifacts the server's own route serves.
 */
import { createHash } from 'node:crypto';
import {
  ArtifactFetchError,
  PoseidonMerkleTree,
  ZkInputError,
  backupIdentity,
  censusProofDepth,
  createIdentity,
  fetchProvingArtifacts,
  membershipInputFromCensus,
  membershipLeaf,
  parseCensusMerkleProof,
  proveCensusMembership,
  restoreIdentity,
  smallestDeclaredDepthFor,
} from '../../src/client/index.ts';
import type { CensusMerkleProofJson } from '../../src/client/index.ts';
import { zkArtifactsRoute } from '../../src/server/zk-routes.ts';
import { loadMembershipArtifactsForDepth } from '../../src/zk/artifacts-node.ts';
import { terminateCurve, verifyMembershipProof } from '../../src/zk/index.ts';

const ORIGIN = 'http://courtyard.test';

async function censusWithMember(
  memberIndex: number,
): Promise<{ identity: Awaited<ReturnType<typeof createIdentity>>; proof: CensusMerkleProofJson }> {
  const identity = await createIdentity();
  const leaves = [11n, 12n, 13n, 14n];
  leaves.splice(memberIndex, 0, await membershipLeaf(identity.commitment, 1n));
  const path = await (await PoseidonMerkleTree.build(leaves, 4)).proof(memberIndex);
  return {
    identity,
    proof: {
      root: String(path.root),
      leaf: String(path.leaf),
      leafIndex: path.index,
      siblings: path.siblings.map(String),
      pathIndices: path.pathIndices,
    },
  };
}

describe('identity backup', () => {
  it('restores the same secret and commitment from the backup text', async () => {
    const identity = await createIdentity();
    const backup = backupIdentity(identity);
    expect(backup).toMatch(/^courtyard-identity-v1:[0-9a-f]{64}$/u);
    expect(await restoreIdentity(`  ${backup}\n`)).toEqual(identity);
  });

  it('refuses a backup that is truncated, in upper case, or without its prefix', async () => {
    const backup = backupIdentity(await createIdentity());
    for (const broken of [backup.slice(0, -1), backup.toUpperCase(), backup.slice('courtyard-identity-v1:'.length)]) {
      await expect(restoreIdentity(broken)).rejects.toThrow(RangeError);
    }
  });
});

describe('census proofs from the API', () => {
  it('become the circuit input, lifted to depth 20', async () => {
    const { identity, proof } = await censusWithMember(3);
    const input = await membershipInputFromCensus({
      identity,
      censusProof: proof,
      attribute: 1n,
      scope: 5n,
      message: 6n,
    });
    expect(input.pathElements).toHaveLength(20);
    expect(input.pathIndices.slice(0, 4)).toEqual(['1', '1', '0', '0']);
    expect(input.secret).toBe(String(identity.secret));
  });

  it('are refused before proving when they belong to another identity or another attribute', async () => {
    const { proof } = await censusWithMember(1);
    const stranger = await createIdentity();
    await expect(
      membershipInputFromCensus({ identity: stranger, censusProof: proof, attribute: 1n, scope: 5n, message: 6n }),
    ).rejects.toThrow(ZkInputError);
    const { identity, proof: own } = await censusWithMember(1);
    await expect(
      membershipInputFromCensus({ identity, censusProof: own, attribute: 2n, scope: 5n, message: 6n }),
    ).rejects.toThrow(/leaf/u);
  });

  it('name the bad field: path bits that disagree with the index, an index out of range, a non-canonical number', async () => {
    const { proof } = await censusWithMember(2);
    expect(() => parseCensusMerkleProof({ ...proof, pathIndices: [1, 0, 0, 0] })).toThrow(/pathIndices\[0\]/u);
    expect(() => parseCensusMerkleProof({ ...proof, leafIndex: 16 })).toThrow(/leafIndex/u);
    expect(() => parseCensusMerkleProof({ ...proof, siblings: ['01', ...proof.siblings.slice(1)] })).toThrow(
      /siblings\[0\]/u,
    );
    expect(() => parseCensusMerkleProof({ ...proof, siblings: [], pathIndices: [], leafIndex: 0 })).toThrow(
      /siblings/u,
    );
    expect(() =>
      parseCensusMerkleProof({ ...proof, siblings: Array(33).fill('0'), pathIndices: Array(33).fill(0), leafIndex: 0 }),
    ).toThrow(/32 levels/u);
  });

  it('name their depth, which must be their number of siblings', async () => {
    const { proof } = await censusWithMember(2);
    expect(censusProofDepth({ ...proof, depth: 4 })).toBe(4);
    expect(parseCensusMerkleProof({ ...proof, depth: 4 }).siblings).toHaveLength(4);
    expect(() => parseCensusMerkleProof({ ...proof, depth: 10 })).toThrow(/depth 10/u);
    expect(() => censusProofDepth({ ...proof, depth: 10 })).toThrow(ZkInputError);
  });
});

describe('fetchProvingArtifacts', () => {
  const files = (depth: number) => ({
    wasm: new Uint8Array([0, 97, 115, 109, depth]),
    zkey: new Uint8Array([1, 2, 3, depth]),
  });
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  type Entry = { url: string; sha256: string; bytes: number };

  /** A server with one instance per depth; every URL asked for is recorded. */
  function serverWith(
    overrides: Partial<Record<'wasm' | 'zkey', Partial<Entry>>> = {},
    depths: readonly number[] = [10, 14, 20],
  ): { fetch: typeof fetch; requested: string[] } {
    const requested: string[] = [];
    const instances = Object.fromEntries(
      depths.map((depth) => {
        const { wasm, zkey } = files(depth);
        const entry = (kind: 'wasm' | 'zkey', bytes: Uint8Array): Entry => ({
          url: `/a/${depth}.${kind}`,
          sha256: sha256(bytes),
          bytes: bytes.byteLength,
          ...(depth === 20 ? overrides[kind] : {}),
        });
        const manifestEntry = { depth, insecure: true, warning: 'INSECURE', verificationKeyHash: `key-${depth}` };
        return [
          `membership-${depth}`,
          { ...manifestEntry, files: { wasm: entry('wasm', wasm), zkey: entry('zkey', zkey) } },
        ];
      }),
    );
    const fetcher = (async (input: URL | RequestInfo) => {
      const url = String(input);
      requested.push(url);
      if (url === `${ORIGIN}/zk/artifacts.json`) return Response.json({ instances });
      const match = /^http:\/\/courtyard\.test\/a\/(\d+)\.(wasm|zkey)$/u.exec(url);
      if (match) return new Response(files(Number(match[1]))[match[2] as 'wasm' | 'zkey']);
      return new Response(null, { status: 404 });
    }) as typeof fetch;
    return { fetch: fetcher, requested };
  }

  it('returns the bytes, the depth and the insecure label of membership-20 by default', async () => {
    const fetched = await fetchProvingArtifacts({ origin: ORIGIN, fetch: serverWith().fetch });
    expect(fetched).toMatchObject({ ...files(20), instance: 'membership-20', depth: 20, insecure: true });
    expect(fetched.verificationKeyHash).toBe('key-20');
  });

  it('fetches the instance of the depth it is asked for, and no other file', async () => {
    const server = serverWith();
    const fetched = await fetchProvingArtifacts({ origin: ORIGIN, fetch: server.fetch, depth: 14 });
    expect(fetched).toMatchObject({ ...files(14), instance: 'membership-14', depth: 14 });
    expect(server.requested).toEqual([`${ORIGIN}/zk/artifacts.json`, `${ORIGIN}/a/14.wasm`, `${ORIGIN}/a/14.zkey`]);
  });

  it('refuses a depth the server does not serve, and an instance that is not the one of the depth', async () => {
    const { fetch: fetcher } = serverWith();
    await expect(fetchProvingArtifacts({ origin: ORIGIN, fetch: fetcher, depth: 12 })).rejects.toThrow(
      /no instance of depth 12/u,
    );
    await expect(
      fetchProvingArtifacts({ origin: ORIGIN, fetch: fetcher, depth: 10, instance: 'membership-14' }),
    ).rejects.toThrow(/not the instance of depth 10/u);
  });

  it('refuses a file whose sha256 or size differs, one on another origin, one over the limit, and an unknown instance', async () => {
    const cases: Array<Partial<Record<'wasm' | 'zkey', Partial<Entry>>>> = [
      { zkey: { sha256: sha256(files(20).wasm) } },
      { zkey: { bytes: 5 } },
      { wasm: { url: 'https://cdn.example/w.wasm' } },
      { wasm: { bytes: 65 * 1024 * 1024 } },
    ];
    for (const overrides of cases) {
      await expect(fetchProvingArtifacts({ origin: ORIGIN, fetch: serverWith(overrides).fetch })).rejects.toThrow(
        ArtifactFetchError,
      );
    }
    await expect(
      fetchProvingArtifacts({ origin: ORIGIN, fetch: serverWith().fetch, instance: 'membership-8' }),
    ).rejects.toThrow(/no instance "membership-8"/u);
  });
});

describe('proving at the census depth with the artifacts the server serves', () => {
  const route = zkArtifactsRoute();
  const requested: string[] = [];
  /** The server's real artifacts route, called in process: no port, no database. */
  const serverFetch = (async (input: URL | RequestInfo) => {
    const url = new URL(String(input));
    requested.push(url.pathname);
    return (await route(new Request(url), url)) ?? new Response(null, { status: 404 });
  }) as typeof fetch;

  afterAll(terminateCurve);

  it('proves a census of five at depth 10 with only the depth-10 files, and the depth-10 key verifies it', async () => {
    const identity = await createIdentity();
    const leaves = [11n, 12n, await membershipLeaf(identity.commitment, 1n), 14n, 15n];
    const depth = smallestDeclaredDepthFor(leaves.length);
    const tree = await PoseidonMerkleTree.build(leaves, depth);
    const censusProof = await tree.proof(2);
    expect(censusProofDepth(censusProof)).toBe(10);
    const artifacts = await fetchProvingArtifacts({ origin: ORIGIN, fetch: serverFetch, depth });
    const request = { identity, censusProof, attribute: 1n, scope: 5n, message: 6n };
    const { proof, publicSignals } = await proveCensusMembership(artifacts, request);
    expect(requested.filter((path) => path.startsWith('/zk/artifacts/')).map((path) => path.split('/').pop())).toEqual([
      'membership-10.wasm',
      'membership-10.insecure-dev.zkey',
    ]);
    const { membershipKey } = await loadMembershipArtifactsForDepth(10);
    await expect(
      verifyMembershipProof(membershipKey, proof, publicSignals, {
        roots: [{ root: await tree.root(), depth }],
        scope: 5n,
      }),
    ).resolves.toMatchObject({ message: 6n });

    // Artifacts of another depth are refused before any proving.
    const deeper = await fetchProvingArtifacts({ origin: ORIGIN, fetch: serverFetch, depth: 14 });
    await expect(proveCensusMembership(deeper, request)).rejects.toMatchObject({ code: 'DEPTH_MISMATCH' });
  });
});
