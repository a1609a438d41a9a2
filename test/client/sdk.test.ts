/**
 * The resident SDK's boundaries in Node (no proving): identity backup, census proofs as
 * the API returns them, and the checks on artifacts fetched from the server.
 */
import { createHash } from 'node:crypto';
import {
  ArtifactFetchError,
  PoseidonMerkleTree,
  ZkInputError,
  backupIdentity,
  createIdentity,
  fetchProvingArtifacts,
  membershipInputFromCensus,
  membershipLeaf,
  parseCensusMerkleProof,
  restoreIdentity,
} from '../../src/client/index.ts';
import type { CensusMerkleProofJson } from '../../src/client/index.ts';

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
});

describe('fetchProvingArtifacts', () => {
  const wasm = new Uint8Array([0, 97, 115, 109]);
  const zkey = new Uint8Array([1, 2, 3]);
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

  function serverWith(files: {
    wasm: { url: string; sha256: string; bytes: number };
    zkey: { url: string; sha256: string; bytes: number };
  }): typeof fetch {
    return (async (input: URL | RequestInfo) => {
      const url = String(input);
      if (url === `${ORIGIN}/zk/artifacts.json`) {
        return Response.json({
          instances: { 'membership-20': { insecure: true, warning: 'INSECURE', verificationKeyHash: 'ab', files } },
        });
      }
      if (url === `${ORIGIN}/a/w.wasm`) return new Response(wasm);
      if (url === `${ORIGIN}/a/k.zkey`) return new Response(zkey);
      return new Response(null, { status: 404 });
    }) as typeof fetch;
  }
  const good = {
    wasm: { url: '/a/w.wasm', sha256: sha256(wasm), bytes: wasm.byteLength },
    zkey: { url: '/a/k.zkey', sha256: sha256(zkey), bytes: zkey.byteLength },
  };

  it('returns the bytes and the insecure label when every hash matches', async () => {
    const fetched = await fetchProvingArtifacts({ origin: ORIGIN, fetch: serverWith(good) });
    expect(fetched).toMatchObject({ wasm, zkey, instance: 'membership-20', insecure: true, verificationKeyHash: 'ab' });
  });

  it('refuses a file whose sha256 or size differs, one on another origin, one over the limit, and an unknown instance', async () => {
    const cases = [
      { ...good, zkey: { ...good.zkey, sha256: sha256(wasm) } },
      { ...good, zkey: { ...good.zkey, bytes: 4 } },
      { ...good, wasm: { ...good.wasm, url: 'https://cdn.example/w.wasm' } },
      { ...good, wasm: { ...good.wasm, bytes: 65 * 1024 * 1024 } },
    ];
    for (const files of cases) {
      await expect(fetchProvingArtifacts({ origin: ORIGIN, fetch: serverWith(files) })).rejects.toThrow(
        ArtifactFetchError,
      );
    }
    await expect(
      fetchProvingArtifacts({ origin: ORIGIN, fetch: serverWith(good), instance: 'membership-8' }),
    ).rejects.toThrow(/no instance "membership-8"/u);
  });
});
