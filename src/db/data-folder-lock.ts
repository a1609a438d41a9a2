/**
 * One process at a time in a PGlite data folder. PGlite is PostgreSQL compiled to
 * WebAssembly, running inside the process that opened the folder; it keeps no
 * postmaster lock another process would respect, so a second process (a ledger command
 * beside a running server) would open the same files and fail deep inside the engine
 * (`Aborted()`) — or worse, write beside it. So whoever opens the folder first writes
 * `courtyard.lock` in it (its process id and host), and every later opener is refused
 * with DataFolderInUseError until that process closes the database or exits.
 *
 * A lock left by a process that no longer runs (killed with SIGKILL) is taken over. A
 * lock from another host (a folder on a network share) is always respected. PostgreSQL
 * (DATABASE_URL) needs none of this: its server arbitrates.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readFile, unlink, writeFile } from 'node:fs/promises';

export const DATA_FOLDER_LOCK_FILE = 'courtyard.lock';

export class DataFolderInUseError extends Error {
  override name = 'DataFolderInUseError';
  readonly folder: string;
  readonly pid: number;

  constructor(folder: string, pid: number, host: string) {
    super(
      `the data folder ${folder} is in use by process ${pid}${host === hostname() ? '' : ` on ${host}`} (a running Courtyard server?); ` +
        'stop it first, or use PostgreSQL (DATABASE_URL), which several processes share',
    );
    this.folder = folder;
    this.pid = pid;
  }
}

interface LockContent {
  pid: number;
  host: string;
  since: string;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(path: string): Promise<LockContent | undefined> {
  try {
    const content = JSON.parse(await readFile(path, 'utf8')) as Partial<LockContent>;
    return Number.isSafeInteger(content.pid) && typeof content.host === 'string' ? (content as LockContent) : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the folder's lock; the returned function releases it. */
export async function lockDataFolder(folder: string): Promise<() => Promise<void>> {
  const path = join(folder, DATA_FOLDER_LOCK_FILE);
  const mine: LockContent = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${JSON.stringify(mine)}\n`, { flag: 'wx', mode: 0o600 });
      return async () => {
        const current = await readLock(path);
        if (current?.pid === mine.pid && current.host === mine.host) await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(path);
    if (holder && (holder.host !== mine.host || (holder.pid !== mine.pid && isRunning(holder.pid)))) {
      throw new DataFolderInUseError(folder, holder.pid, holder.host);
    }
    if (holder?.pid === mine.pid && holder.host === mine.host) throw new DataFolderInUseError(folder, holder.pid, holder.host);
    // Left by a process that is gone (or unreadable): take it over.
    await unlink(path).catch(() => undefined);
  }
  throw new Error(`Failed to lock the data folder ${folder}: another process took it meanwhile`);
}
