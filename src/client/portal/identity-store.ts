/**
 * The device's identity, kept in IndexedDB only as the encrypted backup text
 * (`courtyard-identity-v2`, scrypt + XChaCha20-Poly1305): a copy of the browser's storage
 * does not give the secret without the passphrase. One record per login and census (an
 * owner's and a household's identities are separate, so they cannot be linked); the portal's
 * ballot receipts sit beside it (they hold a nullifier, which links a device to a ballot).
 */
const DATABASE_NAME = 'courtyard-portal';
const STORE = 'records';

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('Failed to open IndexedDB'));
  });
}

async function transact<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const database = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = run(database.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
    });
  } finally {
    database.close();
  }
}

export function readRecord(key: string): Promise<string | undefined> {
  return transact('readonly', (store) => store.get(key) as IDBRequest<string | undefined>);
}

export async function writeRecord(key: string, value: string): Promise<void> {
  await transact('readwrite', (store) => store.put(value, key));
}

export const identityKey = (login: string, census: 'OWNERS' | 'HOUSEHOLDS') => `identity:${login}:${census}`;
export const receiptKey = (login: string, proposalId: string) => `receipt:${login}:${proposalId}`;
