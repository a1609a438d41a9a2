/**
 * The census as residents and managers use it: one-time invites, joining with an
 * identity commitment made on the resident's device, removal, and keeping an owner's
 * weight equal to the floor area they own.
 *
 * An invite code is 32 random bytes shown once; only its sha256 is stored, so a database
 * leak does not let anyone join. An owner invite can be redeemed only by that owner's
 * account, a household invite only by a member of that household.
 *
 * The code names its community in front of the secret (`<community>.<secret>`), so that a
 * redemption finds the invite by `(community_id, code_hash)` — the key of a table sharded
 * by community (docs/operations.md, "Sharding with Citus") — and the hash covers both
 * parts: a code whose community part was changed is an unknown code.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../db/orm.ts';
import { InvalidInputError, NotFoundError } from '../domain-error.ts';
import { requireCommunityRole, requireViewer, type Viewer } from '../accounts/viewer.ts';
import { SNARK_SCALAR_FIELD } from '../zk/field.ts';
import { CensusError } from './census-errors.ts';
import { CensusInviteSchema, type CensusInvite, type CensusKind } from './census.entity.ts';
import { addCensusMember, lockCensusTree, removeCensusMember, updateCensusMemberWeight, type CensusChange } from './census-tree-service.ts';
import { ownerWeight } from './owner-weights.ts';
import { isHouseholdMember, isHouseholdOfCommunity } from '../privacy/ownership.ts';

/** The actor of every `census.join` entry: who joined is not on the ledger. */
export const CENSUS_JOIN_ACTOR = 'anonymous';

/** How long an invite is valid unless the manager says otherwise, and at most. */
export const DEFAULT_INVITE_VALIDITY_HOURS = 7 * 24;
export const MAX_INVITE_VALIDITY_HOURS = 30 * 24;
const INVITE_CODE_BYTES = 32;
/** The community's uuid as base64url (16 bytes), a dot, and base64url of the 32 secret bytes. */
const INVITE_CODE_PATTERN = /^([A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{43}$/u;
/**
 * A code issued before codes named their community (migration 20261219000100): the secret
 * alone, found by its hash alone. Such invites expire at most MAX_INVITE_VALIDITY_HOURS after
 * they were issued; remove this form once they have, and before `census_invites` is
 * distributed by community.
 */
const COMMUNITY_LESS_INVITE_CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/u;

function inviteCode(communityId: string, secret: Uint8Array): string {
  return `${Buffer.from(communityId.replaceAll('-', ''), 'hex').toString('base64url')}.${Buffer.from(secret).toString('base64url')}`;
}

/** The community a code names, or undefined for a code that is not of the current form. */
function communityOfCode(code: string): string | undefined {
  const match = INVITE_CODE_PATTERN.exec(code);
  if (!match) return undefined;
  const hex = Buffer.from(match[1]!, 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
/** A decimal field element: at most 78 digits, no sign, no leading zero. */
const COMMITMENT_PATTERN = /^[1-9][0-9]{0,77}$/u;

function hashInviteCode(code: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(code, 'utf8').digest());
}

/** Parses an identity commitment: a canonical decimal in [1, r). */
export function parseIdentityCommitment(text: string): bigint {
  if (!COMMITMENT_PATTERN.test(text)) {
    throw new CensusError('INVALID_COMMITMENT', 'Invalid identityCommitment: expected a decimal field element without leading zeros, not 0');
  }
  const value = BigInt(text);
  if (value >= SNARK_SCALAR_FIELD) throw new CensusError('INVALID_COMMITMENT', 'Invalid identityCommitment: not below the BN254 scalar field modulus r');
  return value;
}

export interface IssuedInvite {
  /** Shown once; the server keeps only its hash. */
  code: string;
  invite: CensusInvite;
}

export async function createCensusInvite(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { communityId: string; kind: CensusKind; accountId?: string | null; householdId?: string | null; validForHours?: number | null },
  now = new Date(),
): Promise<IssuedInvite> {
  const manager = requireCommunityRole(viewer, input.communityId, ['manager']);
  const validForHours = input.validForHours ?? DEFAULT_INVITE_VALIDITY_HOURS;
  if (!Number.isInteger(validForHours) || validForHours < 1 || validForHours > MAX_INVITE_VALIDITY_HOURS) {
    throw new InvalidInputError('validForHours', `must be 1 to ${MAX_INVITE_VALIDITY_HOURS}`);
  }
  let accountId: string | null = null;
  let householdId: string | null = null;
  if (input.kind === 'owners') {
    if (!input.accountId || input.householdId) throw new InvalidInputError('accountId', 'an owners invite names an owner account and no household');
    if ((await ownerWeight(em, input.communityId, input.accountId)) === 0) {
      throw new CensusError('NOT_AN_OWNER', 'Failed to invite: the account owns no unit in this community');
    }
    accountId = input.accountId;
  } else {
    if (!input.householdId || input.accountId) throw new InvalidInputError('householdId', 'a households invite names a household and no account');
    if (!(await isHouseholdOfCommunity(em, input.householdId, input.communityId))) throw new NotFoundError('Household');
    householdId = input.householdId;
  }
  const code = inviteCode(input.communityId, randomBytes(INVITE_CODE_BYTES));
  const invite = em.create(CensusInviteSchema, {
    id: randomUUID(),
    communityId: input.communityId,
    kind: input.kind,
    codeHash: hashInviteCode(code),
    accountId,
    householdId,
    createdByAccountId: manager.accountId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + validForHours * 3_600_000),
    redeemedAt: null,
    redeemedLeafIndex: null,
  });
  await em.flush();
  return { code, invite };
}

/**
 * Locks the invite row for its code, so two redemptions of one code serialise: found by
 * its community and hash (one shard), or by its hash alone for a code of the older form.
 */
async function lockInvite(em: SqlEntityManager, code: string): Promise<CensusInvite> {
  const unknown = () => new CensusError('INVITE_UNKNOWN', 'Failed to join census: unknown invite code');
  const communityId = communityOfCode(code);
  if (communityId === undefined && !COMMUNITY_LESS_INVITE_CODE_PATTERN.test(code)) throw unknown();
  const codeHash = Buffer.from(hashInviteCode(code));
  const rows: Array<{ id: string }> = communityId
    ? await em.execute('select id from census_invites where community_id = ? and code_hash = ? for update', [communityId, codeHash])
    : await em.execute('select id from census_invites where code_hash = ? for update', [codeHash]);
  if (rows.length === 0) throw unknown();
  return em.findOneOrFail(CensusInviteSchema, { id: rows[0]!.id }, { refresh: true });
}

/**
 * Redeems an invite: the caller's device made the identity secret and sends only its
 * commitment. Checks run before any write; a refused join writes nothing.
 */
export async function joinCensus(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { inviteCode: string; identityCommitment: string },
  now = new Date(),
): Promise<CensusChange> {
  const caller = requireViewer(viewer);
  const commitment = parseIdentityCommitment(input.identityCommitment);
  const invite = await lockInvite(em, input.inviteCode);
  if (invite.kind === 'owners' ? invite.accountId !== caller.accountId : !(await isHouseholdMember(em, invite.householdId!, caller.accountId))) {
    throw new CensusError('INVITE_NOT_FOR_CALLER', 'Failed to join census: this invite is for another member');
  }
  if (invite.redeemedAt) throw new CensusError('INVITE_USED', 'Failed to join census: the invite was already used');
  if (invite.expiresAt.getTime() <= now.getTime()) throw new CensusError('INVITE_EXPIRED', 'Failed to join census: the invite has expired');
  const kind = invite.kind as CensusKind;
  await lockCensusTree(em, invite.communityId, kind);
  const weight = kind === 'owners' ? await ownerWeight(em, invite.communityId, caller.accountId) : 1;
  if (weight === 0) throw new CensusError('NOT_AN_OWNER', 'Failed to join census: the account no longer owns a unit in this community');
  const change = await addCensusMember(em, {
    communityId: invite.communityId,
    kind,
    identityCommitment: commitment,
    weight,
    accountId: invite.accountId ?? null,
    householdId: invite.householdId ?? null,
    // Not the caller: the entry would link the leaf to the account for every reader of
    // the ledger, the link census_leaves shows to managers only (docs/census.md).
    actor: CENSUS_JOIN_ACTOR,
  });
  await em.execute('update census_invites set redeemed_at = ?, redeemed_leaf_index = ? where id = ?', [now, change.leafIndex, invite.id]);
  return change;
}

/** Managers: remove a member; the leaf is emptied and its index never reused. */
export async function removeMember(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { communityId: string; kind: CensusKind; leafIndex: number },
): Promise<CensusChange> {
  const manager = requireCommunityRole(viewer, input.communityId, ['manager']);
  return removeCensusMember(em, { ...input, actor: manager.accountId });
}

/**
 * Brings an owner's leaf weight in line with the units they own now (call after an
 * owner gains or loses a unit). Does nothing for an owner not in the census, or
 * whose weight did not change; an owner left with no unit keeps the leaf until a
 * manager removes it, since a zero weight is not a valid leaf.
 */
export async function refreshOwnerWeight(
  em: SqlEntityManager,
  input: { communityId: string; accountId: string; actor: string },
): Promise<CensusChange | null> {
  const activeLeaf = async () => {
    const rows: Array<{ leaf_index: number; weight: unknown }> = await em.execute(
      `select leaf_index, weight from census_leaves where community_id = ? and kind = 'owners' and account_id = ? and status = 'active'`,
      [input.communityId, input.accountId],
    );
    return rows[0];
  };
  // Most owners gaining a unit are not in the census: skip the lock for them.
  if (!(await activeLeaf())) return null;
  await lockCensusTree(em, input.communityId, 'owners');
  const leaf = await activeLeaf();
  if (!leaf) return null;
  const weight = await ownerWeight(em, input.communityId, input.accountId);
  if (weight === 0 || weight === Number(leaf.weight)) return null;
  return updateCensusMemberWeight(em, {
    communityId: input.communityId, kind: 'owners', leafIndex: Number(leaf.leaf_index), weight, actor: input.actor,
  });
}
