/**
 * Browser stand-ins for the few Node built-ins that the server's domain modules import at
 * their top, used only by the regulator page's bundle (compliance-check.ts). The offline
 * verifier (src/regulators/compliance-bundles.ts) is the same code as
 * `npm run compliance:verify`; its modules sit next to server code that imports
 * `node:crypto`, `node:async_hooks`, `node:fs/promises` and `node:url`, which verification
 * never calls except SHA-256 hashing. So hashing and random ids are the Web Platform's
 * (through @noble/hashes, as the rest of the client), the async context runs its callback
 * directly (one page, no concurrent transactions), and file reads fail loudly. The bundler
 * (bundle-node.ts) resolves those imports here only for modules outside src/client/, so
 * the resident SDK itself stays free of Node.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

class BrowserHash {
  readonly #chunks: Uint8Array[] = [];
  update(data: string | Uint8Array): this {
    this.#chunks.push(typeof data === 'string' ? utf8ToBytes(data) : data);
    return this;
  }
  digest(encoding?: 'hex'): string | Uint8Array {
    const hash = sha256.create();
    for (const chunk of this.#chunks) hash.update(chunk);
    const digest = hash.digest();
    return encoding === 'hex' ? bytesToHex(digest) : digest;
  }
}

export function createHash(algorithm: string): BrowserHash {
  if (algorithm !== 'sha256') throw new Error(`Failed to hash: ${algorithm} is not available in the browser`);
  return new BrowserHash();
}

export function randomUUID(): string {
  return globalThis.crypto.randomUUID();
}

export class AsyncLocalStorage<T> {
  #store: T | undefined;
  getStore(): T | undefined {
    return this.#store;
  }
  run<R>(store: T, callback: () => R): R {
    const previous = this.#store;
    this.#store = store;
    try {
      return callback();
    } finally {
      this.#store = previous;
    }
  }
}

export function fileURLToPath(url: string | URL): string {
  return new URL(url).pathname;
}

export function readFile(): Promise<never> {
  return Promise.reject(new Error('Failed to read a file: there is no file system in the browser'));
}
