import { readFile } from 'node:fs/promises';
import { loadMembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import type { CircuitBuildRecord, CircuitManifest } from '../../src/zk/circuit-manifest.ts';
import { MEMBERSHIP_PUBLIC_SIGNALS } from '../../src/zk/membership-signals.ts';
import { verificationKeyHash } from '../../src/zk/verification-key.ts';
import { REPOSITORY_ROOT } from '../../src/zk/artifacts-node.ts';

describe('committed membership artifacts', () => {
  it('load with content hashes that match the build and set-up records', async () => {
    const artifacts = await loadMembershipArtifacts();
    const build = JSON.parse(await readFile(artifacts.paths.buildRecord, 'utf8')) as CircuitBuildRecord;
    expect(artifacts.instance).toBe('membership-20');
    expect(artifacts.hashes.r1cs).toBe(build.r1csSha256);
    expect(artifacts.hashes.wasm).toBe(build.wasmSha256);
    expect(artifacts.hashes.verificationKey).toBe(verificationKeyHash(artifacts.verificationKey));
    expect(artifacts.verificationKey.nPublic).toBe(MEMBERSHIP_PUBLIC_SIGNALS.length);
  });

  it('are labelled insecure: the development setup, in the key, the file names and the record', async () => {
    const artifacts = await loadMembershipArtifacts();
    expect(artifacts.insecure).toBe(true);
    expect(artifacts.verificationKey.insecure).toBe(true);
    expect(artifacts.paths.zkey).toMatch(/insecure-dev\.zkey$/);
    const setup = JSON.parse(await readFile(artifacts.paths.setupRecord, 'utf8')) as { insecure: boolean; warning: string; verificationKeyHash: string };
    expect(setup.insecure).toBe(true);
    expect(setup.warning).toMatch(/INSECURE/);
    expect(setup.verificationKeyHash).toBe(artifacts.hashes.verificationKey);
  });

  it('name the public signals in the same order in the manifest, the build record and the code', async () => {
    const manifest = JSON.parse(await readFile(`${REPOSITORY_ROOT}circuits/circuits.json`, 'utf8')) as CircuitManifest;
    const artifacts = await loadMembershipArtifacts();
    const build = JSON.parse(await readFile(artifacts.paths.buildRecord, 'utf8')) as CircuitBuildRecord;
    expect(manifest['membership-20']!.publicSignals).toEqual([...MEMBERSHIP_PUBLIC_SIGNALS]);
    expect(build.publicSignals).toEqual([...MEMBERSHIP_PUBLIC_SIGNALS]);
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
