/**
 * Identities: a secret created on the resident's device, and the commitment the server
 * stores in a census leaf. The server never sees the secret.
 *
 *   identityCommitment = Poseidon1(secret)
 *   leaf               = Poseidon2(identityCommitment, attribute)
 *   nullifier          = Poseidon2(scope, secret)
 *
 * exactly as circuits/membership.circom computes them.
 */
import { SNARK_SCALAR_FIELD, bytesToFieldElement, requireFieldElement } from './field.ts';
import { getPoseidon } from './poseidon.ts';

/**
 * Bytes of randomness drawn per secret: 64 bytes reduced modulo r leave a bias below
 * 2^-250, so the secret is uniform in the field for every practical purpose.
 */
const SECRET_RANDOM_BYTES = 64;
const SECRET_BACKUP_PREFIX = 'courtyard-identity-v1:';

export interface Identity {
  secret: bigint;
  commitment: bigint;
}

/** A fresh identity secret, uniform in [1, r), from the platform's CSPRNG (Node and browsers). */
export function generateIdentitySecret(): bigint {
  for (;;) {
    const bytes = new Uint8Array(SECRET_RANDOM_BYTES);
    globalThis.crypto.getRandomValues(bytes);
    const secret = bytesToFieldElement(bytes);
    if (secret !== 0n) return secret;
  }
}

export async function identityCommitment(secret: bigint): Promise<bigint> {
  const checked = requireSecret(secret);
  return (await getPoseidon()).hash1(checked);
}

export async function createIdentity(secret: bigint = generateIdentitySecret()): Promise<Identity> {
  return { secret: requireSecret(secret), commitment: await identityCommitment(secret) };
}

/** The census leaf for an identity commitment and its attribute (weight, or period id). */
export async function membershipLeaf(commitment: bigint, attribute: bigint): Promise<bigint> {
  const poseidon = await getPoseidon();
  return poseidon.hash2(requireFieldElement('commitment', commitment), requireFieldElement('attribute', attribute));
}

export async function membershipNullifier(scope: bigint, secret: bigint): Promise<bigint> {
  const poseidon = await getPoseidon();
  return poseidon.hash2(requireFieldElement('scope', scope), requireSecret(secret));
}

/** A text form of the secret for the resident's own backup (never sent to the server). */
export function exportIdentitySecret(secret: bigint): string {
  return `${SECRET_BACKUP_PREFIX}${requireSecret(secret).toString(16).padStart(64, '0')}`;
}

export function importIdentitySecret(backup: string): bigint {
  const hex = backup.trim();
  if (!hex.startsWith(SECRET_BACKUP_PREFIX) || !/^[0-9a-f]{64}$/.test(hex.slice(SECRET_BACKUP_PREFIX.length))) {
    throw new RangeError(`Invalid identity backup: expected "${SECRET_BACKUP_PREFIX}" and 64 hex digits`);
  }
  return requireSecret(BigInt(`0x${hex.slice(SECRET_BACKUP_PREFIX.length)}`));
}

function requireSecret(secret: bigint): bigint {
  if (typeof secret !== 'bigint' || secret <= 0n || secret >= SNARK_SCALAR_FIELD) {
    throw new RangeError('Invalid identity secret: expected a field element in [1, r)');
  }
  return secret;
}
