/**
 * The tally of encrypted-weight ballots (issue 15), as pure functions the governance module
 * can drive: admit a ballot whose proof verified (its ciphertext encrypts its leaf's area
 * under the proposal's election key), keep per option the homomorphic sum of the current
 * ballots' ciphertexts and their head count (a re-vote with the same nullifier replaces the
 * earlier ballot, ciphertext and head), and at the close decrypt each option's sum from k
 * trustees' partial decryptions and decide with the same decideTally as public weights.
 *
 * Wired to proposals, the ledger and GraphQL by encrypted-proposals.ts.
 */
import { babyjubjub } from '@noble/curves/misc.js';
import type { Groth16ProofJson } from 'snarkjs';
import { ProofRejectedError } from '../zk/errors.ts';
import { verifyEncryptedBallotProof } from '../zk/encrypted-ballot.ts';
import type { AffinePoint } from '../zk/encrypted-ballot.ts';
import type { KnownRoot, MembershipVerificationKey } from '../zk/membership-key.ts';
import type { CurvePoint } from './encrypted-weights/baby-jubjub.ts';
import { DiscreteLogTable } from './encrypted-weights/discrete-log.ts';
import { ZERO_CIPHERTEXT, addCiphertexts, subtractCiphertexts } from './encrypted-weights/elgamal.ts';
import type { Ciphertext } from './encrypted-weights/elgamal.ts';
import { parseElectionKeyRecord } from './encrypted-weights/election-key.ts';
import type { ElectionKeyRecord } from './encrypted-weights/election-key.ts';
import { decryptTally } from './encrypted-weights/partial-decryption.ts';
import type { PartialDecryptionMessage } from './encrypted-weights/partial-decryption.ts';
import { choiceMessage } from './proposal-scope.ts';
import { ballotOptions, decideTally } from './tally-rules.ts';
import type { BallotForm, CensusCounts, OptionTotals, TallyRule, TallyVerdict, VoteTotal } from './tally-rules.ts';

/** A ballot whose proof verified: its head (nullifier), its choice in the clear, its weight encrypted. */
export interface EncryptedBallot {
  nullifier: bigint;
  choice: string;
  ciphertext: Ciphertext;
}

export interface EncryptedBallotContext {
  form: BallotForm;
  /** The proposal's scope and pinned census root (with its depth). */
  scope: bigint;
  root: KnownRoot;
  electionKey: ElectionKeyRecord;
  isNullifierUsed?: (nullifier: bigint, scope: bigint) => boolean | Promise<boolean>;
}

/** The election key's public key as the circuit takes it, after the record's validation (subgroup, not the identity). */
export function electionKeyPoint(record: ElectionKeyRecord): AffinePoint {
  return parseElectionKeyRecord(record).publicKey.toAffine();
}

function circuitPoint(point: AffinePoint): CurvePoint {
  // A ciphertext out of a verified proof is r·Base8 and m·Base8 + r·PK with PK checked: in the subgroup by construction.
  return babyjubjub.Point.fromAffine(point);
}

/**
 * Verifies an encrypted-weight ballot strictly (verifyEncryptedBallotProof: pinned root at
 * its depth, the proposal's scope, the choice as message, the proposal's election key) and
 * returns it ready for the box. Throws ProofRejectedError with its code; a ciphertext of
 * another weight than the leaf's fails the pairing (INVALID_PROOF).
 */
export async function verifyEncryptedBallot(
  key: MembershipVerificationKey,
  ballot: { choice: string; proof: unknown; publicSignals: unknown },
  context: EncryptedBallotContext,
): Promise<EncryptedBallot> {
  if (key.depth !== context.root.depth) {
    throw new ProofRejectedError(
      'DEPTH_MISMATCH',
      `the pinned census has depth ${context.root.depth}, the key is for depth ${key.depth}`,
    );
  }
  const signals = await verifyEncryptedBallotProof(key, ballot.proof as Groth16ProofJson, ballot.publicSignals, {
    roots: [context.root],
    scope: context.scope,
    message: choiceMessage(context.form, ballot.choice),
    electionKey: electionKeyPoint(context.electionKey),
    ...(context.isNullifierUsed ? { isNullifierUsed: context.isNullifierUsed } : {}),
  });
  return {
    nullifier: signals.nullifier,
    choice: ballot.choice,
    ciphertext: { c1: circuitPoint(signals.c1), c2: circuitPoint(signals.c2) },
  };
}

/** Per option: the homomorphic sum of the current ballots' ciphertexts and their head count. */
export class EncryptedBallotBox {
  readonly options: readonly string[];
  readonly #current = new Map<bigint, EncryptedBallot>();
  readonly #sums = new Map<string, Ciphertext>();
  readonly #heads = new Map<string, bigint>();

  constructor(form: BallotForm) {
    this.options = ballotOptions(form);
    for (const option of this.options) {
      this.#sums.set(option, ZERO_CIPHERTEXT);
      this.#heads.set(option, 0n);
    }
  }

  /**
   * A box holding sums kept elsewhere (the database's running sums): what the trustees
   * decrypt and the heads behind each, in the form's option order. It admits no ballot
   * whose predecessor it would need to know.
   */
  static fromSums(form: BallotForm, sums: readonly Ciphertext[], heads: readonly bigint[]): EncryptedBallotBox {
    const box = new EncryptedBallotBox(form);
    if (sums.length !== box.options.length || heads.length !== box.options.length) {
      throw new RangeError(`Invalid sums: one per option (${box.options.length})`);
    }
    box.options.forEach((option, index) => {
      box.#sums.set(option, sums[index]!);
      box.#heads.set(option, heads[index]!);
    });
    return box;
  }

  /** Admits a verified ballot; returns the ballot it replaced (same nullifier), if any. */
  admit(ballot: EncryptedBallot): EncryptedBallot | undefined {
    if (!this.#sums.has(ballot.choice))
      throw new RangeError(`Invalid ballot: ${ballot.choice} is not an option of this form`);
    const replaced = this.#current.get(ballot.nullifier);
    if (replaced) {
      this.#sums.set(replaced.choice, subtractCiphertexts(this.#sums.get(replaced.choice)!, replaced.ciphertext));
      this.#heads.set(replaced.choice, this.#heads.get(replaced.choice)! - 1n);
    }
    this.#current.set(ballot.nullifier, ballot);
    this.#sums.set(ballot.choice, addCiphertexts(this.#sums.get(ballot.choice)!, ballot.ciphertext));
    this.#heads.set(ballot.choice, this.#heads.get(ballot.choice)! + 1n);
    return replaced;
  }

  /** The per-option sums, in the form's option order: what the trustees decrypt. */
  sums(): Ciphertext[] {
    return this.options.map((option) => this.#sums.get(option)!);
  }

  heads(option: string): bigint {
    return this.#heads.get(option) ?? 0n;
  }

  get size(): number {
    return this.#current.size;
  }
}

export interface EncryptedTallyResult {
  verdict: TallyVerdict;
  totals: OptionTotals;
  /** The decrypted ciphertexts, in the form's option order, and the partials that decrypted them. */
  sums: Ciphertext[];
  partialDecryptions: readonly PartialDecryptionMessage[];
}

/**
 * Decrypts each option's sum from the trustees' partial decryptions (each proof verified;
 * NOT_ENOUGH_PARTIALS below k, DECRYPTION_PROOF_INVALID for a wrong proof) with a discrete
 * logarithm bounded by the census total weight, and decides exactly as for public weights.
 */
export function decideEncryptedTally(
  rule: TallyRule,
  form: BallotForm,
  census: CensusCounts,
  box: EncryptedBallotBox,
  electionKey: ElectionKeyRecord,
  partialDecryptions: readonly PartialDecryptionMessage[],
  table: DiscreteLogTable = DiscreteLogTable.build(census.weight),
): EncryptedTallyResult {
  const sums = box.sums();
  const weights = decryptTally(electionKey, sums, partialDecryptions, table);
  const totals = new Map<string, VoteTotal>(
    box.options.map((option, index) => [option, { heads: box.heads(option), weight: weights[index]! }]),
  );
  return { verdict: decideTally(rule, form, census, totals), totals, sums, partialDecryptions };
}
