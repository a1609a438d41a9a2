import { buildPoseidon } from 'circomlibjs';
import { SNARK_SCALAR_FIELD } from '../../src/zk/field.ts';
import {
  createIdentity, exportIdentitySecret, generateIdentitySecret, identityCommitment, importIdentitySecret, membershipLeaf, membershipNullifier,
} from '../../src/zk/identity.ts';

let hash: (inputs: bigint[]) => bigint;
beforeAll(async () => {
  const poseidon = await buildPoseidon();
  hash = (inputs) => poseidon.F.toObject(poseidon(inputs));
});

describe('identity', () => {
  it('draws secrets in [1, r) that do not repeat', () => {
    const secrets = Array.from({ length: 200 }, generateIdentitySecret);
    for (const secret of secrets) expect(secret > 0n && secret < SNARK_SCALAR_FIELD).toBe(true);
    expect(new Set(secrets).size).toBe(200);
    // Reduced from 512 random bits: the top bits of r are used too.
    expect(secrets.some((secret) => secret > SNARK_SCALAR_FIELD / 2n)).toBe(true);
  });

  it('commits, builds the leaf and the nullifier exactly as the circuit header says', async () => {
    const identity = await createIdentity();
    expect(identity.commitment).toBe(hash([identity.secret]));
    expect(await identityCommitment(identity.secret)).toBe(identity.commitment);
    expect(await membershipLeaf(identity.commitment, 250n)).toBe(hash([identity.commitment, 250n]));
    expect(await membershipNullifier(77n, identity.secret)).toBe(hash([77n, identity.secret]));
  });

  it('gives one nullifier per scope, different across scopes', async () => {
    const { secret } = await createIdentity();
    expect(await membershipNullifier(1n, secret)).toBe(await membershipNullifier(1n, secret));
    expect(await membershipNullifier(1n, secret)).not.toBe(await membershipNullifier(2n, secret));
  });

  it('round-trips a secret through its backup text', () => {
    const secret = generateIdentitySecret();
    const backup = exportIdentitySecret(secret);
    expect(backup).toMatch(/^courtyard-identity-v1:[0-9a-f]{64}$/);
    expect(importIdentitySecret(`  ${backup}\n`)).toBe(secret);
  });

  it('refuses secrets outside [1, r) and malformed backups', async () => {
    await expect(identityCommitment(0n)).rejects.toThrow(/Invalid identity secret/);
    await expect(identityCommitment(SNARK_SCALAR_FIELD)).rejects.toThrow(/Invalid identity secret/);
    expect(() => importIdentitySecret('courtyard-identity-v1:xyz')).toThrow(/Invalid identity backup/);
    expect(() => importIdentitySecret(`courtyard-identity-v1:${'f'.repeat(64)}`)).toThrow(/Invalid identity secret/);
    await expect(membershipLeaf(1n, -1n)).rejects.toThrow(/Invalid attribute/);
  });
});
