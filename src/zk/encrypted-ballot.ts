/**
 * The encrypted-weight ballot (issue 15), circuits/encrypted-ballot.circom: membership of
 * Poseidon2(Poseidon1(secret), area) in the census with the area private, and the
 * exponential ElGamal encryption of the area under the election key,
 *
 *   C1 = r · Base8,   C2 = area · Base8 + r · PK     (Baby Jubjub, 0 ≤ area < 2^40, 1 ≤ r < l)
 *
 * as src/governance/encrypted-weights/elgamal.ts computes it. Browser-safe: input
 * building, proving and strict verification; the instance exists at every membership
 * depth (`encryptedBallotInstanceForDepth`), and a proof verifies only with its depth's key.
 *
 * Public signals, in snarkjs order: [nullifier, c1x, c1y, c2x, c2y, root, scope, message, pkx, pky].
 */
import * as snarkjs from 'snarkjs';
import type { Groth16ProofJson } from 'snarkjs';
import { getCurve, loadProofPoints } from './curve.ts';
import { ProofRejectedError, ZkInputError } from './errors.ts';
import { requireFieldElement } from './field.ts';
import { isMembershipDepth, MEMBERSHIP_DEPTHS } from './membership-depths.ts';
import { prepareCurveForProving } from './multiexp-by-thread.ts';
import { isMembershipVerificationKey, requireKeyDepth } from './membership-key.ts';
import type { MembershipVerificationKey } from './membership-key.ts';
import { parseProof, parsePublicSignals, requireVerificationKey } from './proof-format.ts';
import type { ProvingArtifacts } from './prover.ts';
import { checkRoot } from './verifier.ts';
import type { MembershipExpectations } from './verifier.ts';
import { calculateWitness } from './witness-calculator.ts';
import { buildMembershipInput } from './witness.ts';
import type { MembershipWitnessRequest } from './witness.ts';

export const ENCRYPTED_BALLOT_PUBLIC_SIGNALS = [
  'nullifier',
  'c1x',
  'c1y',
  'c2x',
  'c2y',
  'root',
  'scope',
  'message',
  'electionKeyX',
  'electionKeyY',
] as const;
export const ENCRYPTED_BALLOT_PUBLIC_SIGNAL_COUNT = ENCRYPTED_BALLOT_PUBLIC_SIGNALS.length;

/** The circuit range-checks the area to 40 bits (MAX_ENCRYPTED_WEIGHT in elgamal.ts). */
export const MAX_ENCRYPTED_BALLOT_AREA = 2n ** 40n - 1n;
/** l, the order of Baby Jubjub's prime subgroup (Base8's order); the randomness is in [1, l). */
export const BABY_JUBJUB_SUBGROUP_ORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041n;

const INSTANCE_PREFIX = 'encrypted-ballot-';

/** The instance name in circuits/circuits.json, e.g. `encrypted-ballot-10`: one per membership depth. */
export function encryptedBallotInstanceForDepth(depth: number): string {
  if (!isMembershipDepth(depth)) {
    throw new ZkInputError(
      'DEPTH_NOT_DECLARED',
      `Invalid depth: ${depth} is not a declared membership depth (${MEMBERSHIP_DEPTHS.join(', ')})`,
    );
  }
  return `${INSTANCE_PREFIX}${depth}`;
}

/** A Baby Jubjub point as field elements (affine twisted Edwards coordinates, as circomlib takes them). */
/** The depth of a declared encrypted-ballot instance name (`encrypted-ballot-14`), or undefined for any other name. */
export function encryptedBallotDepthOfInstance(instance: string): number | undefined {
  if (!instance.startsWith(INSTANCE_PREFIX)) return undefined;
  const digits = instance.slice(INSTANCE_PREFIX.length);
  if (!/^[1-9]\d{0,2}$/u.test(digits)) return undefined;
  const depth = Number(digits);
  return isMembershipDepth(depth) ? depth : undefined;
}

export interface AffinePoint {
  x: bigint;
  y: bigint;
}

export interface EncryptedBallotRequest extends Omit<MembershipWitnessRequest, 'attribute'> {
  /** The leaf's attribute: the owner's area, 0 to 2^40 − 1. */
  area: bigint;
  /** The proposal's election public key, validated (subgroup, not the identity) by whoever recorded it. */
  electionKey: AffinePoint;
  /** The ElGamal randomness r in [1, l): the ballot's secret, never sent. */
  randomness: bigint;
}

export interface EncryptedBallotPublicSignals {
  nullifier: bigint;
  c1: AffinePoint;
  c2: AffinePoint;
  root: bigint;
  scope: bigint;
  message: bigint;
  electionKey: AffinePoint;
}

export interface EncryptedBallotProof {
  proof: Groth16ProofJson;
  /** ENCRYPTED_BALLOT_PUBLIC_SIGNALS, as decimal strings. */
  publicSignals: string[];
}

/** The circuit input; checks first what the circuit would reject (area, randomness, path). */
export async function buildEncryptedBallotInput(
  request: EncryptedBallotRequest & { depth: number },
): Promise<Record<string, string | string[]>> {
  const { area, randomness, electionKey } = request;
  if (typeof area !== 'bigint' || area < 0n || area > MAX_ENCRYPTED_BALLOT_AREA) {
    throw new ZkInputError('INVALID_INPUT', `Invalid area: must be 0 to ${MAX_ENCRYPTED_BALLOT_AREA}`);
  }
  if (typeof randomness !== 'bigint' || randomness < 1n || randomness >= BABY_JUBJUB_SUBGROUP_ORDER) {
    throw new ZkInputError('INVALID_INPUT', 'Invalid randomness: must be 1 to l − 1');
  }
  const keyX = requireFieldElement('electionKey.x', electionKey.x);
  const keyY = requireFieldElement('electionKey.y', electionKey.y);
  // circomlib's EscalarMulAny would silently take any point with x = 0 as the identity.
  if (keyX === 0n) throw new ZkInputError('INVALID_INPUT', 'Invalid electionKey: x = 0 is not an election key');
  const { attribute, ...membership } = await buildMembershipInput({ ...request, attribute: area });
  return {
    ...membership,
    area: attribute,
    randomness: randomness.toString(),
    electionKey: [keyX.toString(), keyY.toString()],
  };
}

/** Proves an encrypted-weight ballot at the depth of its artifacts (the loaders set it). */
export async function proveEncryptedBallot(
  artifacts: ProvingArtifacts & { depth: number },
  request: EncryptedBallotRequest,
): Promise<EncryptedBallotProof> {
  if (request.depth !== undefined && request.depth !== artifacts.depth) {
    throw new ZkInputError(
      'DEPTH_MISMATCH',
      `Invalid depth: the request asks for ${request.depth}, the artifacts are for depth ${artifacts.depth}`,
    );
  }
  const input = await buildEncryptedBallotInput({ ...request, depth: artifacts.depth });
  await prepareCurveForProving(); // as proveMembership: ./multiexp-by-thread.ts
  const { proof, publicSignals } =
    typeof artifacts.wasm === 'string'
      ? await snarkjs.groth16.fullProve(input, artifacts.wasm, artifacts.zkey)
      : await snarkjs.groth16.prove(artifacts.zkey, await calculateWitness(artifacts.wasm, input));
  return { proof, publicSignals };
}

export function encryptedBallotSignalsFromArray(values: readonly bigint[]): EncryptedBallotPublicSignals {
  if (values.length !== ENCRYPTED_BALLOT_PUBLIC_SIGNAL_COUNT) {
    throw new RangeError(
      `Invalid public signals: expected ${ENCRYPTED_BALLOT_PUBLIC_SIGNAL_COUNT}, got ${values.length}`,
    );
  }
  const [nullifier, c1x, c1y, c2x, c2y, root, scope, message, keyX, keyY] = values as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return {
    nullifier,
    c1: { x: c1x, y: c1y },
    c2: { x: c2x, y: c2y },
    root,
    scope,
    message,
    electionKey: { x: keyX, y: keyY },
  };
}

export interface EncryptedBallotExpectations extends Omit<MembershipExpectations, 'attribute'> {
  /** The proposal's election key: the proof must encrypt under exactly this key. */
  electionKey: AffinePoint;
}

/**
 * Strict verification, in the membership verifier's order: key shape → signal count, form
 * and range → proof shape → root (and its depth against the key's), scope, message, election
 * key (ELECTION_KEY_MISMATCH) → proof points → nullifier unused → pairing. Returns the
 * public signals, the ciphertext among them; the ciphertext is in Baby Jubjub's subgroup by
 * construction (multiples of Base8 and of the checked key).
 */
export async function verifyEncryptedBallotProof(
  key: MembershipVerificationKey,
  proof: unknown,
  publicSignals: unknown,
  expectations: EncryptedBallotExpectations,
): Promise<EncryptedBallotPublicSignals> {
  if (!isMembershipVerificationKey(key))
    throw new ProofRejectedError('VERIFICATION_KEY_INVALID', 'the key names no instance and depth');
  const keyDepth = requireKeyDepth(key);
  if (key.instance !== `${INSTANCE_PREFIX}${keyDepth}`) {
    throw new ProofRejectedError(
      'VERIFICATION_KEY_INVALID',
      `the key is for ${key.instance}, not an encrypted-ballot instance of depth ${keyDepth}`,
    );
  }
  requireVerificationKey(key.verificationKey, ENCRYPTED_BALLOT_PUBLIC_SIGNAL_COUNT);
  const values = parsePublicSignals(publicSignals, ENCRYPTED_BALLOT_PUBLIC_SIGNAL_COUNT);
  const parsedProof = parseProof(proof);
  const signals = encryptedBallotSignalsFromArray(values);
  checkRoot(signals.root, expectations.roots, keyDepth);
  if (signals.scope !== expectations.scope)
    throw new ProofRejectedError('SCOPE_MISMATCH', 'the proof is for another scope');
  if (expectations.message !== undefined && signals.message !== expectations.message) {
    throw new ProofRejectedError('MESSAGE_MISMATCH', 'the proof is bound to another message');
  }
  if (signals.electionKey.x !== expectations.electionKey.x || signals.electionKey.y !== expectations.electionKey.y) {
    throw new ProofRejectedError('ELECTION_KEY_MISMATCH', 'the ballot is encrypted under another election key');
  }
  loadProofPoints(await getCurve(), parsedProof);
  if (expectations.isNullifierUsed && (await expectations.isNullifierUsed(signals.nullifier, signals.scope))) {
    throw new ProofRejectedError('NULLIFIER_USED', 'nullifier already used');
  }
  if (!(await snarkjs.groth16.verify(key.verificationKey, publicSignals as string[], proof as Groth16ProofJson))) {
    throw new ProofRejectedError('INVALID_PROOF', 'the proof does not verify against the verification key');
  }
  return signals;
}
