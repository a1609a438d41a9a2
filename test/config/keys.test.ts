import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfiguration } from '../../src/config/configuration.ts';
import { loadInstallationKeys } from '../../src/config/keys.ts';

describe('installation keys', () => {
  let dataDirectory: string;
  beforeEach(async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'courtyard-keys-'));
  });
  afterEach(() => rm(dataDirectory, { recursive: true, force: true }));

  it('are created on first run in a file only the owner can read, and reused afterwards', async () => {
    const configuration = loadConfiguration({ COURTYARD_DATA_DIR: dataDirectory });
    const first = await loadInstallationKeys(configuration);
    expect(first.created).toBe(true);
    const file = join(dataDirectory, 'keys.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await loadInstallationKeys(configuration);
    expect(second.created).toBe(false);
    expect(second.tokenPublicKey.export({ format: 'jwk' })).toEqual(first.tokenPublicKey.export({ format: 'jwk' }));
    const sealed = first.masterKey.seal(new Uint8Array([1, 2, 3]), 'test');
    expect(second.masterKey.open(sealed, 'test')).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('come from configuration when given, and then no key file is written', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const masterKey = randomBytes(32);
    const keys = await loadInstallationKeys(
      loadConfiguration({
        COURTYARD_DATA_DIR: dataDirectory,
        COURTYARD_MASTER_KEY: masterKey.toString('base64'),
        COURTYARD_TOKEN_SIGNING_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      }),
    );
    expect(keys.created).toBe(false);
    await expect(readFile(join(dataDirectory, 'keys.json'))).rejects.toThrow(/ENOENT/);
  });

  it('refuse a master key of the wrong length, without echoing it', async () => {
    const badKey = randomBytes(16).toString('base64');
    const promise = loadInstallationKeys(
      loadConfiguration({ COURTYARD_DATA_DIR: dataDirectory, COURTYARD_MASTER_KEY: badKey, COURTYARD_TOKEN_SIGNING_KEY: 'x' }),
    );
    await expect(promise).rejects.toThrow(/must be/);
    await promise.catch((error: Error) => expect(error.message).not.toContain(badKey));
  });
});
