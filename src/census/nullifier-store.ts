/**
 * The nullifiers used in each community, shared by everything that accepts an anonymous
 * action once per member and scope: ballots, ratings, suggestions, fee proofs. A
 * nullifier is `Poseidon(scope, secret)`, so the same member in the same scope always
 * presents the same one, and the store refuses it the second time.
 *
 * How a caller uses it, in the transaction of the action:
 *
 *   1. verify the proof, passing `nullifierCheck(em, communityId)` as `isNullifierUsed`
 *      (a cheap refusal before the pairing, not a guarantee);
 *   2. `useNullifier` — the guarantee: one INSERT … ON CONFLICT DO NOTHING on the
 *      (community, scope, nullifier) primary key. Of two transactions presenting the
 *      same nullifier, the second waits for the first and gets `false` if it committed
 *      (`true` if it rolled back);
 *   3. on `false`, refuse the action (NULLIFIER_USED) — the transaction then writes
 *      nothing; on `true`, write the action and its ledger entry.
 *
 * The store itself appends no ledger entry: the action that used the nullifier does,
 * carrying the nullifier in its payload.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { InvalidInputError } from '../domain-error.ts';
import { SNARK_SCALAR_FIELD } from '../zk/field.ts';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;

export interface NullifierUse {
  communityId: string;
  scope: bigint;
  nullifier: bigint;
}

function fieldElementText(value: bigint, parameter: string): string {
  if (value < 0n || value >= SNARK_SCALAR_FIELD) throw new InvalidInputError(parameter, 'is not a field element below the BN254 scalar field modulus r');
  return value.toString();
}

function requireCommunityId(communityId: string): string {
  if (!UUID_PATTERN.test(communityId)) throw new InvalidInputError('communityId', 'is not a valid id');
  return communityId;
}

/**
 * Marks the nullifier used in (community, scope), in the caller's transaction. True when
 * it was fresh; false when it was already used (the store is unchanged).
 */
export async function useNullifier(em: SqlEntityManager, use: NullifierUse, now: Date = new Date()): Promise<boolean> {
  const rows: unknown[] = await em.execute(
    `insert into census_nullifiers (community_id, scope, nullifier, used_at) values (?, ?, ?, ?)
     on conflict (community_id, scope, nullifier) do nothing returning 1`,
    [requireCommunityId(use.communityId), fieldElementText(use.scope, 'scope'), fieldElementText(use.nullifier, 'nullifier'), now],
  );
  return rows.length === 1;
}

/** Whether the nullifier was used in (community, scope) by a committed (or this) transaction. */
export async function isNullifierUsed(em: SqlEntityManager, use: NullifierUse): Promise<boolean> {
  const rows: unknown[] = await em.execute('select 1 from census_nullifiers where community_id = ? and scope = ? and nullifier = ?', [
    requireCommunityId(use.communityId),
    fieldElementText(use.scope, 'scope'),
    fieldElementText(use.nullifier, 'nullifier'),
  ]);
  return rows.length > 0;
}

/** The `isNullifierUsed` option of verifyCommunityMembershipProof, for one community. */
export function nullifierCheck(em: SqlEntityManager, communityId: string): (nullifier: bigint, scope: bigint) => Promise<boolean> {
  return (nullifier, scope) => isNullifierUsed(em, { communityId, scope, nullifier });
}
