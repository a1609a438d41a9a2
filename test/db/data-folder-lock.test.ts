/**
 * The PGlite data folder lock (src/db/data-folder-lock.ts): one process at a time, and a
 * lock left behind by a process that is gone does not keep the folder shut.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_FOLDER_LOCK_FILE, DataFolderInUseError, lockDataFolder } from '../../src/db/data-folder-lock.ts';

describe('the data folder lock', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'courtyard-lock-'));
  });
  afterEach(() => rm(folder, { recursive: true, force: true }));

  it('refuses a second opener while held, and frees the folder on release', async () => {
    const release = await lockDataFolder(folder);
    expect(JSON.parse(await readFile(join(folder, DATA_FOLDER_LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    await expect(lockDataFolder(folder)).rejects.toThrow(DataFolderInUseError);
    await release();
    await expect(stat(join(folder, DATA_FOLDER_LOCK_FILE))).rejects.toThrow();
    await (await lockDataFolder(folder))();
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    // Process ids are below 2^22 on Linux; this one cannot be running.
    await writeFile(join(folder, DATA_FOLDER_LOCK_FILE), JSON.stringify({ pid: 4_194_303 + 1, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    const release = await lockDataFolder(folder);
    await release();
  });

  it('respects a lock taken on another host', async () => {
    await writeFile(join(folder, DATA_FOLDER_LOCK_FILE), JSON.stringify({ pid: 1, host: 'another-host.example', since: '2026-01-01T00:00:00Z' }));
    await expect(lockDataFolder(folder)).rejects.toThrow(/in use by process 1 on another-host\.example/u);
  });
});
