/**
 * The verification keys each community accepts proofs against: one active key per depth of
 * each circuit — the membership circuit (src/zk/membership-depths.ts) and the
 * encrypted-weight ballot circuit (src/zk/encrypted-ballot.ts, issue 15) — because a census
 * proves at the depth of its tree and each instance has its own keys. Activating a key
 * appends `zk.key.activated` (instance, depth, key hash, insecure flag) to the community's
 * ledger, so anyone can check which key every proof was verified with, and replaces only
 * the previous key of the same circuit and depth; membership proofs verify only against the
 * active membership key of their root's depth (membership-proof.ts), and an encrypted-weight
 * proposal pins, at its opening, the active encrypted-ballot key of its snapshot's depth.
 *
 * A key is either the committed development key of a circuit instance (read from
 * circuits/build/, labelled insecure) or a ceremony's output given as JSON. A key whose
 * hash equals the development key's is insecure however it is labelled.
 */
import { randomUUID } from 'node:crypto';
import type { Groth16VerificationKeyJson } from 'snarkjs';
import type { SqlEntityManager } from '../db/orm.ts';
import { InvalidInputError } from '../domain-error.ts';
import { requireAdmin, type Viewer } from '../accounts/viewer.ts';
import { appendEntry } from '../ledger/append-entry.ts';
import { declaredMembershipInstances, loadEncryptedBallotArtifactsForDepth, loadMembershipArtifacts } from '../zk/artifacts-node.ts';
import { ENCRYPTED_BALLOT_PUBLIC_SIGNAL_COUNT, encryptedBallotDepthOfInstance, encryptedBallotInstanceForDepth } from '../zk/encrypted-ballot.ts';
import { membershipDepthOfInstance, MEMBERSHIP_DEPTHS } from '../zk/membership-depths.ts';
import { membershipKeyRing, type MembershipKeyRing, type MembershipVerificationKey } from '../zk/membership-key.ts';
import { MEMBERSHIP_PUBLIC_SIGNAL_COUNT } from '../zk/membership-signals.ts';
import { requireVerificationKey } from '../zk/proof-format.ts';
import { verificationKeyHash, type LabelledVerificationKey } from '../zk/verification-key.ts';
import { CommunityVerificationKeySchema, type CommunityVerificationKey } from './census.entity.ts';

/** Instance names as circuits/circuits.json spells them. */
const INSTANCE_PATTERN = /^[a-z][a-z0-9-]{0,63}$/u;
/** Largest verification key accepted as JSON; a 5-signal Groth16 key is about 4 KiB. */
export const MAX_VERIFICATION_KEY_JSON_BYTES = 16 * 1024;

export const INSECURE_KEY_WARNING =
  'INSECURE: this verification key comes from the one-command development setup, whose toxic waste anyone may know; ' +
  'proofs against it can be forged. Run a trusted-setup ceremony before any real vote.';

/** The circuits a community activates keys of; `circuit` is the column and the instance prefix. */
export type KeyCircuit = 'membership' | 'encrypted-ballot';

/** The circuit, depth and public-signal count of an instance name, or undefined for an undeclared one. */
function instanceCircuit(instance: string): { circuit: KeyCircuit; depth: number; signals: number } | undefined {
  const membership = membershipDepthOfInstance(instance);
  if (membership !== undefined) return { circuit: 'membership', depth: membership, signals: MEMBERSHIP_PUBLIC_SIGNAL_COUNT };
  const encrypted = encryptedBallotDepthOfInstance(instance);
  if (encrypted !== undefined) return { circuit: 'encrypted-ballot', depth: encrypted, signals: ENCRYPTED_BALLOT_PUBLIC_SIGNAL_COUNT };
  return undefined;
}

/** Every instance a community may activate a key of, in both circuits, smallest depth first. */
function activatableInstances(): string[] {
  return [...MEMBERSHIP_DEPTHS.map((depth) => `membership-${depth}`), ...MEMBERSHIP_DEPTHS.map((depth) => encryptedBallotInstanceForDepth(depth))];
}

/** The committed (development) key of an instance; undefined when it has no committed set-up. */
async function committedKey(instance: string): Promise<{ key: LabelledVerificationKey; insecure: boolean } | undefined> {
  try {
    const encrypted = encryptedBallotDepthOfInstance(instance);
    const artifacts = encrypted === undefined ? await loadMembershipArtifacts(instance) : await loadEncryptedBallotArtifactsForDepth(encrypted);
    return { key: artifacts.verificationKey, insecure: artifacts.insecure };
  } catch {
    return undefined;
  }
}

function parseKeyJson(text: string, signals: number): LabelledVerificationKey {
  if (Buffer.byteLength(text, 'utf8') > MAX_VERIFICATION_KEY_JSON_BYTES) {
    throw new InvalidInputError('verificationKey', `is over ${MAX_VERIFICATION_KEY_JSON_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
    requireVerificationKey(parsed, signals);
  } catch {
    throw new InvalidInputError('verificationKey', `is not a Groth16 BN254 key with ${signals} public signals`);
  }
  return parsed as LabelledVerificationKey;
}

export async function activateVerificationKey(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { communityId: string; instance: string; verificationKeyJson?: string | null },
): Promise<CommunityVerificationKey> {
  const admin = requireAdmin(viewer);
  if (!INSTANCE_PATTERN.test(input.instance)) throw new InvalidInputError('instance', 'is not a circuit instance name');
  const declared = instanceCircuit(input.instance);
  if (declared === undefined) {
    throw new InvalidInputError('instance', `is not a declared membership or encrypted-ballot instance (${activatableInstances().join(', ')})`);
  }
  const { circuit, depth } = declared;
  const committed = await committedKey(input.instance);
  let key: LabelledVerificationKey;
  let insecure: boolean;
  if (input.verificationKeyJson) {
    key = parseKeyJson(input.verificationKeyJson, declared.signals);
    const otherDepth = await committedInstanceWithKey(verificationKeyHash(key), input.instance);
    if (otherDepth) throw new InvalidInputError('verificationKey', `is the committed key of ${otherDepth}, another circuit or depth`);
    insecure = key.insecure === true || (committed?.insecure === true && verificationKeyHash(committed.key) === verificationKeyHash(key));
  } else {
    if (!committed) throw new InvalidInputError('instance', 'has no committed artifacts; pass the ceremony verificationKey');
    ({ key, insecure } = committed);
  }
  const keyHash = verificationKeyHash(key);
  // Ledger ordering rule (docs/ledger.md): take the state lock first, then append, so two
  // activations of one community are sequenced in the order they took effect. The entry's
  // seq is assigned at integration and found through ledgerEntryId.
  await em.execute('select id from communities where id = ? for no key update', [input.communityId]);
  const appended = await appendEntry(em, {
    communityId: input.communityId,
    type: 'zk.key.activated',
    actor: admin.accountId,
    payload: { instance: input.instance, depth, hash: keyHash, insecure },
  });
  // The entry's own time, so the key row finds its entry (see ledgerSeqOfRecord).
  const now = appended.time;
  await em.execute('update zk_verification_keys set deactivated_at = ? where community_id = ? and circuit = ? and depth = ? and deactivated_at is null', [
    now, input.communityId, circuit, depth,
  ]);
  const row = em.create(CommunityVerificationKeySchema, {
    id: randomUUID(),
    communityId: input.communityId,
    instance: input.instance,
    circuit,
    depth,
    keyHash,
    verificationKey: key as unknown as Record<string, unknown>,
    insecure,
    activatedAt: now,
    activatedByAccountId: admin.accountId,
    ledgerSeq: null,
    ledgerEntryId: appended.entryId,
    deactivatedAt: null,
  });
  await em.flush();
  return row;
}

/**
 * The committed instance, other than `instance`, whose development key has this hash: a key
 * of another depth's or another circuit's instance activated under the wrong instance would
 * refuse every proof.
 */
async function committedInstanceWithKey(hash: string, instance: string): Promise<string | undefined> {
  const declared = [...(await declaredMembershipInstances()).map((each) => each.instance), ...MEMBERSHIP_DEPTHS.map((depth) => encryptedBallotInstanceForDepth(depth))];
  for (const other of declared) {
    if (other === instance) continue;
    const committed = await committedKey(other);
    if (committed && verificationKeyHash(committed.key) === hash) return other;
  }
  return undefined;
}

/**
 * The community's active membership key of `depth`; without a depth, the active membership
 * key activated last (the one key of a community that activated a single depth).
 */
export async function findActiveVerificationKey(em: SqlEntityManager, communityId: string, depth?: number): Promise<CommunityVerificationKey | null> {
  if (depth !== undefined) return em.findOne(CommunityVerificationKeySchema, { communityId, circuit: 'membership', depth, deactivatedAt: null });
  const [latest] = await em.find(CommunityVerificationKeySchema, { communityId, circuit: 'membership', deactivatedAt: null }, { orderBy: { activatedAt: 'desc', depth: 'desc' }, limit: 1 });
  return latest ?? null;
}

/** Every active membership key of the community, one per depth, smallest depth first. */
export function findActiveVerificationKeys(em: SqlEntityManager, communityId: string): Promise<CommunityVerificationKey[]> {
  return em.find(CommunityVerificationKeySchema, { communityId, circuit: 'membership', deactivatedAt: null }, { orderBy: { depth: 'asc' } });
}

/** The community's active encrypted-ballot key of `depth` (issue 15), or null. */
export function findActiveEncryptedBallotKey(em: SqlEntityManager, communityId: string, depth: number): Promise<CommunityVerificationKey | null> {
  return em.findOne(CommunityVerificationKeySchema, { communityId, circuit: 'encrypted-ballot', depth, deactivatedAt: null });
}

/** Every active encrypted-ballot key of the community, one per depth, smallest depth first. */
export function findActiveEncryptedBallotKeys(em: SqlEntityManager, communityId: string): Promise<CommunityVerificationKey[]> {
  return em.find(CommunityVerificationKeySchema, { communityId, circuit: 'encrypted-ballot', deactivatedAt: null }, { orderBy: { depth: 'asc' } });
}

/** An active key row as the strict verifier takes it: with its instance and depth. */
export function membershipKeyOf(row: CommunityVerificationKey): MembershipVerificationKey {
  return { instance: row.instance, depth: row.depth, verificationKey: verificationKeyOf(row) };
}

/** The community's active keys as a key ring by depth, with each depth's row (for its hash). */
export async function activeKeyRing(
  em: SqlEntityManager,
  communityId: string,
): Promise<{ ring: MembershipKeyRing; rows: ReadonlyMap<number, CommunityVerificationKey> }> {
  const rows = await findActiveVerificationKeys(em, communityId);
  return { ring: membershipKeyRing(rows.map(membershipKeyOf)), rows: new Map(rows.map((row) => [row.depth, row])) };
}

export function verificationKeyOf(row: CommunityVerificationKey): Groth16VerificationKeyJson {
  return row.verificationKey as unknown as Groth16VerificationKeyJson;
}
