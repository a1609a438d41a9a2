import { readFile } from 'node:fs/promises';
import {
  REPOSITORY_ROOT, declaredMembershipInstances, loadMembershipArtifacts, loadMembershipArtifactsForDepth, loadMembershipKeyRing, readCircuitManifest,
} from '../../src/zk/artifacts-node.ts';
import type { CircuitBuildRecord } from '../../src/zk/circuit-manifest.ts';
import { ZkInputError } from '../../src/zk/errors.ts';
import {
  MAX_MEMBERSHIP_DEPTH, MEMBERSHIP_DEPTHS, membershipDepthOfInstance, membershipInstanceForDepth, membershipInstanceNames, nextDeclaredDepth,
  smallestDeclaredDepthFor,
} from '../../src/zk/membership-depths.ts';
import { MEMBERSHIP_PUBLIC_SIGNALS } from '../../src/zk/membership-signals.ts';
import { verificationKeyHash } from '../../src/zk/verification-key.ts';

/** Recorded when each instance was first built; a change here means existing keys and proofs no longer fit. */
const RECORDED_R1CS_SHA256: Record<number, string> = {
  10: 'a1f3ee84b57171218c5e43a2537a487b36c9eede025a3e1132d1fda7ad69d345',
  14: 'd03c2bc2785ead3ff9691abcee4258bcce5b1d340178b2569e8a0c6035f74eb2',
  20: '2284a288c5b2803151f068913e61feb1a65d0ff510b4343e1d538f32f0d816e9',
};

interface SetupRecord {
  insecure: boolean;
  warning: string;
  verificationKeyHash: string;
  ptauSha256: string;
  r1csSha256: string;
}

describe('declared depths', () => {
  it('are the membership instances of circuits/circuits.json, one construction at each depth', async () => {
    const manifest = await readCircuitManifest();
    const declared = await declaredMembershipInstances();
    expect(declared).toEqual(MEMBERSHIP_DEPTHS.map((depth) => ({ instance: membershipInstanceForDepth(depth), depth })));
    expect(membershipInstanceNames()).toEqual(declared.map(({ instance }) => instance));
    for (const { instance, depth } of declared) {
      expect(manifest[instance]).toEqual({ ...manifest['membership-20']!, params: [depth], powersOfTau: manifest[instance]!.powersOfTau });
    }
  });

  it('choose the smallest depth that holds a census, at each boundary', () => {
    const cases: Array<[number, number]> = [[0, 10], [1, 10], [1_000, 10], [1_024, 10], [1_025, 14], [16_384, 14], [16_385, 20], [2 ** 20, 20]];
    for (const [leafCount, depth] of cases) expect([leafCount, smallestDeclaredDepthFor(leafCount)]).toEqual([leafCount, depth]);
  });

  it('refuse a census larger than the deepest tree, and a count that is not a count', () => {
    expect(() => smallestDeclaredDepthFor(2 ** MAX_MEMBERSHIP_DEPTH + 1)).toThrow(expect.objectContaining({ code: 'TREE_FULL' }));
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => smallestDeclaredDepthFor(bad)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });

  it('name their instances, and refuse a depth that is not declared', () => {
    expect(membershipInstanceForDepth(14)).toBe('membership-14');
    expect(membershipDepthOfInstance('membership-14')).toBe(14);
    for (const name of ['membership-12', 'membership-014', 'membership-', 'multiplier-14', 'membership-14x']) expect(membershipDepthOfInstance(name)).toBeUndefined();
    for (const depth of [12, 0, 21, 10.5]) {
      expect(() => membershipInstanceForDepth(depth)).toThrow(ZkInputError);
      expect(() => membershipInstanceForDepth(depth)).toThrow(expect.objectContaining({ code: 'DEPTH_NOT_DECLARED' }));
    }
  });

  it('grow one declared depth at a time, and the deepest has no next', () => {
    expect(nextDeclaredDepth(10)).toBe(14);
    expect(nextDeclaredDepth(14)).toBe(20);
    expect(nextDeclaredDepth(20)).toBeUndefined();
  });
});

describe.each(MEMBERSHIP_DEPTHS.map((depth) => [depth]))('committed artifacts of depth %i', (depth) => {
  it('load with content hashes that match the build and set-up records, and the recorded r1cs', async () => {
    const artifacts = await loadMembershipArtifactsForDepth(depth);
    const build = JSON.parse(await readFile(artifacts.paths.buildRecord, 'utf8')) as CircuitBuildRecord;
    expect(artifacts.instance).toBe(`membership-${depth}`);
    expect(artifacts.depth).toBe(depth);
    expect(artifacts.membershipKey).toEqual({ instance: artifacts.instance, depth, verificationKey: artifacts.verificationKey });
    expect(artifacts.hashes.r1cs).toBe(RECORDED_R1CS_SHA256[depth]);
    expect(artifacts.hashes.r1cs).toBe(build.r1csSha256);
    expect(artifacts.hashes.wasm).toBe(build.wasmSha256);
    expect(artifacts.hashes.verificationKey).toBe(verificationKeyHash(artifacts.verificationKey));
    expect(artifacts.verificationKey.nPublic).toBe(MEMBERSHIP_PUBLIC_SIGNALS.length);
    expect(build.publicSignals).toEqual([...MEMBERSHIP_PUBLIC_SIGNALS]);
  });

  it('are labelled insecure: the development setup, in the key, the file names and the record', async () => {
    const artifacts = await loadMembershipArtifactsForDepth(depth);
    expect(artifacts.insecure).toBe(true);
    expect(artifacts.verificationKey.insecure).toBe(true);
    expect(artifacts.paths.zkey).toMatch(/insecure-dev\.zkey$/);
    expect(artifacts.paths.verificationKey).toMatch(/insecure-dev\.vkey\.json$/);
    const setup = JSON.parse(await readFile(artifacts.paths.setupRecord, 'utf8')) as SetupRecord;
    expect(setup.insecure).toBe(true);
    expect(setup.warning).toMatch(/INSECURE/);
    expect(setup.verificationKeyHash).toBe(artifacts.hashes.verificationKey);
    expect(setup.r1csSha256).toBe(artifacts.hashes.r1cs);
  });
});

describe('committed artifacts of all depths', () => {
  it('were set up over one phase-1 file, each with its own keys', async () => {
    const setups = await Promise.all(
      MEMBERSHIP_DEPTHS.map(async (depth) => JSON.parse(await readFile((await loadMembershipArtifactsForDepth(depth)).paths.setupRecord, 'utf8')) as SetupRecord),
    );
    expect(new Set(setups.map((setup) => setup.ptauSha256)).size).toBe(1);
    expect(new Set(setups.map((setup) => setup.verificationKeyHash)).size).toBe(MEMBERSHIP_DEPTHS.length);
    const ring = await loadMembershipKeyRing();
    expect([...ring.keys()]).toEqual([...MEMBERSHIP_DEPTHS]);
  });

  it('refuse to load an instance circuits/circuits.json does not declare', async () => {
    await expect(loadMembershipArtifacts('membership-12')).rejects.toThrow(/declares no membership instance/);
    expect(() => loadMembershipArtifactsForDepth(12)).toThrow(expect.objectContaining({ code: 'DEPTH_NOT_DECLARED' }));
  });

  it('load the depth-20 instance by default, as before depths existed', async () => {
    expect((await loadMembershipArtifacts()).instance).toBe('membership-20');
    expect(REPOSITORY_ROOT).toMatch(/\/$/);
  });
});

describe('verification key hash', () => {
  it('ignores the insecure label and derived fields, and changes with any defining field', async () => {
    const { verificationKey } = await loadMembershipArtifacts();
    const { insecure: _label, ...unlabelled } = verificationKey;
    const hash = verificationKeyHash(verificationKey);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(verificationKeyHash(unlabelled)).toBe(hash);
    expect(verificationKeyHash({ ...unlabelled, vk_alphabeta_12: [] })).toBe(hash);
    const editedIc = structuredClone(unlabelled);
    editedIc.IC[2]![0] = '1';
    expect(verificationKeyHash(editedIc)).not.toBe(hash);
    expect(() => verificationKeyHash({ ...unlabelled, IC: undefined as unknown as string[][] })).toThrow(/IC is missing/);
  });
});
