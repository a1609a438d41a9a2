/**
 * Challenge-bound fee proofs. A verifier (the parking office, an activity's organiser,
 * the committee) asks for a challenge: which period, what for, until when. The resident's
 * device proves membership of the period's paid set (paid-sets.ts) with
 *
 *   scope     = SHA-256("courtyard/fees/proof-challenge/v1/" ‖ challenge id ‖ "/" ‖ nonce) mod r
 *   message   = SHA-256("courtyard/fees/proof-purpose/v1/" ‖ community ‖ "/" ‖ period ‖ "/" ‖ purpose) mod r
 *   attribute = the period number (paid-set-period.ts)
 *
 * against the paid set's root at the time of the challenge or any later root, and the
 * verifier submits it. The scope is fresh per challenge, so a proof answers one challenge
 * only and its nullifier links to nothing else; a challenge is used once (the first
 * accepted proof uses it) and expires. Nothing about the household is stored — not the
 * nullifier, not the leaf: only that and when the challenge was used. A refusal writes
 * nothing, so the verifier may retry with a good proof until the expiry.
 *
 * Challenges are not on the ledger: they are the verifier's transient state, not the
 * community's, and a log entry per gate check would publish when households show proofs.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../db/orm.ts';
import { InvalidInputError, NotFoundError, ForbiddenError } from '../domain-error.ts';
import { canReadCommunity, requireViewer, type Viewer } from '../accounts/viewer.ts';
import { requireText } from '../text-input.ts';
import { CensusError, MembershipProofRejectedError } from '../census/census-errors.ts';
import { verifyCommunityMembershipProof } from '../census/membership-proof.ts';
import { parsePeriodId } from '../fees/billing-periods.ts';
import { ProofRejectedError } from '../zk/errors.ts';
import { SNARK_SCALAR_FIELD } from '../zk/field.ts';
import { MEMBERSHIP_PUBLIC_SIGNAL_COUNT } from '../zk/membership-signals.ts';
import { parseProofJson } from '../zk/proof-format.ts';
import { FeeProofRejectedError } from './fee-proof-errors.ts';
import { paidSetTree, periodNumber } from './paid-set-period.ts';

export const CHALLENGE_SCOPE_DOMAIN = 'courtyard/fees/proof-challenge/v1/';
export const CHALLENGE_MESSAGE_DOMAIN = 'courtyard/fees/proof-purpose/v1/';
export const DEFAULT_CHALLENGE_SECONDS = 300;
export const MIN_CHALLENGE_SECONDS = 10;
/** A challenge lives at most a day: it answers "paid now", not "paid whenever". */
export const MAX_CHALLENGE_SECONDS = 86_400;
export const MAX_PURPOSE_LENGTH = 200;

export interface FeeProofChallenge {
  id: string;
  communityId: string;
  periodId: string;
  periodNumber: number;
  purpose: string;
  scope: bigint;
  message: bigint;
  /** The census tree the proof must be made against, `fees-paid:<period>`. */
  tree: string;
  /** The oldest root version of that tree a proof may use: the current one when the challenge was made. */
  fromRootVersion: number;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export interface FeeProofAcceptance {
  challenge: FeeProofChallenge;
  /** The paid-set root the proof was made against, its version and depth. */
  root: bigint;
  rootVersion: number;
  depth: number;
  acceptedAt: Date;
}

function hashToField(text: string): bigint {
  return BigInt(`0x${createHash('sha256').update(text, 'utf8').digest('hex')}`) % SNARK_SCALAR_FIELD;
}

export function purposeMessage(communityId: string, periodId: string, purpose: string): bigint {
  return hashToField(`${CHALLENGE_MESSAGE_DOMAIN}${communityId}/${periodId}/${purpose}`);
}

function challengeOf(row: Record<string, unknown>): FeeProofChallenge {
  const periodId = String(row['period_id']);
  const date = (value: unknown) => (value instanceof Date ? value : new Date(String(value)));
  return {
    id: String(row['id']),
    communityId: String(row['community_id']),
    periodId,
    periodNumber: periodNumber(periodId),
    purpose: String(row['purpose']),
    scope: BigInt(String(row['scope'])),
    message: BigInt(String(row['message'])),
    tree: paidSetTree(periodId),
    fromRootVersion: Number(row['from_root_version']),
    createdAt: date(row['created_at']),
    expiresAt: date(row['expires_at']),
    usedAt: row['used_at'] === null || row['used_at'] === undefined ? null : date(row['used_at']),
  };
}

/** Members of the community (any role), its regulators and admins may verify its households' payments. */
function requireVerifier(viewer: Viewer | null, communityId: string): Viewer {
  const caller = requireViewer(viewer);
  if (!canReadCommunity(caller, communityId))
    throw new ForbiddenError('Only members and regulators of the community verify its fee proofs');
  return caller;
}

export async function requestFeeProofChallenge(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { communityId: string; periodId: string; purpose: string; validForSeconds?: number | null; now: Date },
): Promise<FeeProofChallenge> {
  const caller = requireVerifier(viewer, input.communityId);
  // An admin reads every community, so an unknown id gets this far: NOT_FOUND, not a foreign-key violation.
  const [community] = await em.execute('select 1 from communities where id = ?', [input.communityId]);
  if (!community) throw new NotFoundError('Community');
  const periodId = parsePeriodId(input.periodId).periodId;
  const purpose = requireText(input.purpose, 'purpose', { maxLength: MAX_PURPOSE_LENGTH });
  if (purpose.length === 0) throw new InvalidInputError('purpose', 'must say what the proof is for');
  const seconds = input.validForSeconds ?? DEFAULT_CHALLENGE_SECONDS;
  if (!Number.isSafeInteger(seconds) || seconds < MIN_CHALLENGE_SECONDS || seconds > MAX_CHALLENGE_SECONDS) {
    throw new InvalidInputError('validForSeconds', `must be from ${MIN_CHALLENGE_SECONDS} to ${MAX_CHALLENGE_SECONDS}`);
  }
  const id = randomUUID();
  const scope = hashToField(`${CHALLENGE_SCOPE_DOMAIN}${id}/${randomBytes(32).toString('hex')}`);
  const [current]: Array<{ version: unknown }> = await em.execute(
    'select coalesce(max(version), 0) as version from census_roots where community_id = ? and kind = ?',
    [input.communityId, paidSetTree(periodId)],
  );
  const rows: Array<Record<string, unknown>> = await em.execute(
    `insert into fee_proof_challenges (id, community_id, period_id, purpose, scope, message, from_root_version, requested_by_account_id, created_at, expires_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning *`,
    [
      id,
      input.communityId,
      periodId,
      purpose,
      scope.toString(),
      purposeMessage(input.communityId, periodId, purpose).toString(),
      Number(current!.version),
      caller.accountId,
      input.now,
      new Date(input.now.getTime() + seconds * 1000),
    ],
  );
  return challengeOf(rows[0]!);
}

/** A challenge its requester may see; NOT_FOUND for anyone else (and for one that does not exist). */
export async function findFeeProofChallenge(
  em: SqlEntityManager,
  viewer: Viewer | null,
  challengeId: string,
  options: { lock?: boolean } = {},
): Promise<FeeProofChallenge> {
  const caller = requireViewer(viewer);
  const rows: Array<Record<string, unknown>> = await em.execute(
    `select * from fee_proof_challenges where id = ?${options.lock ? ' for update' : ''}`,
    [challengeId],
  );
  const row = rows[0];
  if (
    !row ||
    row['requested_by_account_id'] !== caller.accountId ||
    !canReadCommunity(caller, String(row['community_id']))
  ) {
    throw new NotFoundError('Fee-proof challenge');
  }
  return challengeOf(row);
}

/** The proof's root at a version the challenge accepts, with that version and its depth. */
async function acceptedRoot(
  em: SqlEntityManager,
  challenge: FeeProofChallenge,
  root: bigint,
): Promise<{ version: number; depth: number } | undefined> {
  const rows: Array<{ version: unknown; depth: unknown }> = await em.execute(
    'select version, depth from census_roots where community_id = ? and kind = ? and root = ? and version >= ? order by version desc limit 1',
    [challenge.communityId, challenge.tree, root.toString(), challenge.fromRootVersion],
  );
  return rows[0] ? { version: Number(rows[0].version), depth: Number(rows[0].depth) } : undefined;
}

/** Signals 1 (root) and 2 (attribute) read leniently: malformed signals are refused by the verifier, with its code. */
function rootAndAttribute(publicSignals: unknown): { root: bigint; attribute: bigint } | undefined {
  if (!Array.isArray(publicSignals) || publicSignals.length !== MEMBERSHIP_PUBLIC_SIGNAL_COUNT) return undefined;
  const [, root, attribute] = publicSignals as unknown[];
  if (
    typeof root !== 'string' ||
    typeof attribute !== 'string' ||
    !/^(0|[1-9][0-9]{0,77})$/u.test(root) ||
    !/^(0|[1-9][0-9]{0,77})$/u.test(attribute)
  )
    return undefined;
  return { root: BigInt(root), attribute: BigInt(attribute) };
}

/**
 * Checks a proof against the caller's challenge and uses the challenge when it is
 * accepted. Every refusal is a FeeProofRejectedError with its code and writes nothing.
 * Call in a transaction: the challenge row is locked, so two submissions of one
 * challenge are serialised and the second finds it used.
 */
export async function submitFeeProof(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { challengeId: string; proofJson: string; now: Date },
): Promise<FeeProofAcceptance> {
  const challenge = await findFeeProofChallenge(em, viewer, input.challengeId, { lock: true });
  const reject = (code: string, message: string): never => {
    throw new FeeProofRejectedError(code, challenge.id, message);
  };
  if (challenge.usedAt) reject('CHALLENGE_USED', 'the challenge was already answered');
  if (input.now.getTime() >= challenge.expiresAt.getTime()) reject('CHALLENGE_EXPIRED', 'the challenge has expired');
  let parsed: { proof: unknown; publicSignals: unknown };
  try {
    parsed = parseProofJson(input.proofJson);
  } catch (error) {
    if (error instanceof ProofRejectedError) return reject(error.code, error.message);
    throw error;
  }
  const signals = rootAndAttribute(parsed.publicSignals);
  if (signals && signals.attribute !== BigInt(challenge.periodNumber))
    reject('WRONG_PERIOD', `the proof is not for period ${challenge.periodId}`);
  const known = signals ? await acceptedRoot(em, challenge, signals.root) : undefined;
  if (signals && !known)
    reject('ROOT_UNKNOWN', "the proof's root is not the period's paid set at or after the challenge");
  try {
    await verifyCommunityMembershipProof(em, {
      communityId: challenge.communityId,
      kind: challenge.tree as `${string}:${string}`,
      proof: parsed.proof,
      publicSignals: parsed.publicSignals,
      expectedScope: challenge.scope,
      expectedMessage: challenge.message,
      ...(signals && known ? { pinnedRoot: { root: signals.root, depth: known.depth } } : {}),
    });
  } catch (error) {
    if (error instanceof MembershipProofRejectedError || error instanceof ProofRejectedError)
      return reject(error.code, error.message);
    if (error instanceof CensusError && error.code === 'NO_ACTIVE_VERIFICATION_KEY')
      return reject(error.code, error.message);
    throw error;
  }
  await em.execute('update fee_proof_challenges set used_at = ? where id = ?', [input.now, challenge.id]);
  return {
    challenge: { ...challenge, usedAt: input.now },
    root: signals!.root,
    rootVersion: known!.version,
    depth: known!.depth,
    acceptedAt: input.now,
  };
}
