/**
 * The encrypted identity backup (scrypt N=2^17, r=8, p=1 → XChaCha20-Poly1305): a round
 * trip, the wrong passphrase, an altered header or byte, parameters out of bounds, and the
 * plain v1 text still read and migrated. Each open costs one real scrypt (about a second).
 */
import {
  IDENTITY_SCRYPT_LOG_N,
  backupIdentity,
  createIdentity,
  decryptIdentity,
  encryptIdentity,
  openIdentityBackup,
  type Identity,
} from '../../src/client/index.ts';

const PASSPHRASE = '正确 horse battery';
let identity: Identity;
let sealed: string;

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'OPENED',
    (error: { code?: string }) => error.code,
  );

beforeAll(async () => {
  identity = await createIdentity();
  sealed = await encryptIdentity(identity, PASSPHRASE);
}, 30_000);

describe('encrypted identity backup', () => {
  it('states its KDF and parameters in the text and restores the same identity', async () => {
    expect(sealed).toMatch(
      new RegExp(
        `^courtyard-identity-v2:scrypt:${IDENTITY_SCRYPT_LOG_N}:8:1:[0-9a-f]{32}:[0-9a-f]{48}:[0-9a-f]{96}$`,
        'u',
      ),
    );
    expect(sealed).not.toContain(identity.secret.toString(16));
    const restored = await decryptIdentity(sealed, PASSPHRASE);
    expect(restored).toEqual(identity);
    // Two backups of one identity share nothing but the header: fresh salt and nonce.
    expect((await encryptIdentity(identity, PASSPHRASE)).slice(-96)).not.toBe(sealed.slice(-96));
  }, 30_000);

  it('refuses a wrong passphrase, an altered byte or header, out-of-bounds costs and short passphrases', async () => {
    expect(await codeOf(decryptIdentity(sealed, 'wrong horse battery'))).toBe('WRONG_PASSPHRASE');
    const lastByte = sealed.slice(-2) === '00' ? '01' : '00';
    expect(await codeOf(decryptIdentity(`${sealed.slice(0, -2)}${lastByte}`, PASSPHRASE))).toBe('WRONG_PASSPHRASE');
    // A lowered cost in the header is authenticated data: the tag fails (and 2^15 is the floor).
    expect(await codeOf(decryptIdentity(sealed.replace(':scrypt:17:', ':scrypt:16:'), PASSPHRASE))).toBe(
      'WRONG_PASSPHRASE',
    );
    expect(await codeOf(decryptIdentity(sealed.replace(':scrypt:17:', ':scrypt:10:'), PASSPHRASE))).toBe(
      'BACKUP_MALFORMED',
    );
    expect(await codeOf(decryptIdentity(sealed.replace(':scrypt:17:', ':scrypt:30:'), PASSPHRASE))).toBe(
      'BACKUP_MALFORMED',
    );
    expect(await codeOf(decryptIdentity('courtyard-identity-v2:nonsense', PASSPHRASE))).toBe('BACKUP_MALFORMED');
    expect(await codeOf(encryptIdentity(identity, 'short'))).toBe('PASSPHRASE_TOO_SHORT');
  }, 60_000);

  it('still reads the plain v1 text, which encryption migrates', async () => {
    const plain = backupIdentity(identity);
    expect(plain).toMatch(/^courtyard-identity-v1:[0-9a-f]{64}$/u);
    expect(await openIdentityBackup(plain, '')).toEqual(identity);
    const migrated = await encryptIdentity(await openIdentityBackup(plain, ''), PASSPHRASE);
    expect(await openIdentityBackup(migrated, PASSPHRASE)).toEqual(identity);
  }, 30_000);
});
