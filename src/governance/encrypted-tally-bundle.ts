/**
 * The encrypted-weight part of an election bundle (issue 15): everything needed to
 * recompute an encrypted tally offline — every ballot's proof with its ciphertext (in its
 * public signals), the per-option homomorphic sums, the trustees' partial decryptions with
 * their Chaum–Pedersen proofs, the election key record, the decrypted totals and the verdict.
 *
 * `verifyEncryptedTallySection` checks, and names the place of each problem:
 *   ballots[i]             the proof verifies strictly (pinned root at its depth, scope,
 *                          choice, election key), so its ciphertext encrypts its leaf's area;
 *   sums[j]                replaying the ballots in order (a re-vote replaces) gives the sum;
 *   partialDecryptions     k valid partial decryptions of exactly these sums;
 *   totals / result        the decrypted totals and head counts, and the verdict of the rule.
 * Not yet produced by exportElectionBundle (the encrypted mode is not wired to proposals).
 */
import type { Groth16ProofJson } from 'snarkjs';
import { DomainError } from '../domain-error.ts';
import { ProofRejectedError } from '../zk/errors.ts';
import type { MembershipVerificationKey } from '../zk/membership-key.ts';
import { decideEncryptedTally, EncryptedBallotBox, verifyEncryptedBallot } from './encrypted-tally.ts';
import type { EncryptedBallotContext, EncryptedTallyResult } from './encrypted-tally.ts';
import { ciphertextFromJson, ciphertextToJson } from './encrypted-weights/elgamal.ts';
import type { CiphertextJson } from './encrypted-weights/elgamal.ts';
import type { ElectionKeyRecord } from './encrypted-weights/election-key.ts';
import type { PartialDecryptionMessage } from './encrypted-weights/partial-decryption.ts';
import { ruleFromJson, ruleToJson } from './rule-json.ts';
import type { RuleJson } from './rule-json.ts';
import type { BallotForm, CensusCounts, TallyRule } from './tally-rules.ts';

export const ENCRYPTED_TALLY_FORMAT = 'courtyard-encrypted-tally/v1';

export interface EncryptedTallySection {
  format: typeof ENCRYPTED_TALLY_FORMAT;
  rule: RuleJson;
  form: BallotForm;
  electionKey: ElectionKeyRecord;
  verificationKey: MembershipVerificationKey;
  root: { root: string; depth: number };
  scope: string;
  census: { heads: string; weight: string };
  /** Every ballot in the order it was cast. */
  ballots: Array<{ choice: string; proof: unknown; publicSignals: string[] }>;
  /** Per option, in the form's order. */
  sums: CiphertextJson[];
  partialDecryptions: PartialDecryptionMessage[];
  totals: Record<string, { heads: string; weight: string }>;
  passed: boolean;
}

export interface EncryptedTallyProblem {
  place: string;
  code: string;
  detail: string;
}

/** The section for a decided tally (what the result entry and the bundle carry). */
export function encryptedTallySection(
  context: EncryptedBallotContext & { verificationKey: MembershipVerificationKey; census: CensusCounts },
  ballots: EncryptedTallySection['ballots'],
  result: EncryptedTallyResult,
): EncryptedTallySection {
  return {
    format: ENCRYPTED_TALLY_FORMAT,
    rule: ruleToJson(result.verdict.rule),
    form: context.form,
    electionKey: context.electionKey,
    verificationKey: context.verificationKey,
    root: { root: context.root.root.toString(), depth: context.root.depth },
    scope: context.scope.toString(),
    census: { heads: context.census.heads.toString(), weight: context.census.weight.toString() },
    ballots,
    sums: result.sums.map(ciphertextToJson),
    partialDecryptions: [...result.partialDecryptions],
    totals: Object.fromEntries(
      [...result.totals].map(([option, total]) => [
        option,
        { heads: total.heads.toString(), weight: total.weight.toString() },
      ]),
    ),
    passed: result.verdict.passed,
  };
}

function codeOf(error: unknown): string {
  return error instanceof ProofRejectedError || error instanceof DomainError
    ? String((error as { code: unknown }).code)
    : 'INVALID';
}

/** Recomputes the encrypted tally from the section alone; an empty problem list means it holds. */
export async function verifyEncryptedTallySection(section: EncryptedTallySection): Promise<EncryptedTallyProblem[]> {
  if (section.format !== ENCRYPTED_TALLY_FORMAT)
    return [{ place: 'format', code: 'FORMAT_UNKNOWN', detail: `unknown format ${String(section.format)}` }];
  const problems: EncryptedTallyProblem[] = [];
  let rule: TallyRule;
  try {
    rule = ruleFromJson(section.rule);
  } catch (error) {
    return [{ place: 'rule', code: codeOf(error), detail: (error as Error).message }];
  }
  const { form } = section;
  const context: EncryptedBallotContext = {
    form,
    scope: BigInt(section.scope),
    root: { root: BigInt(section.root.root), depth: section.root.depth },
    electionKey: section.electionKey,
  };
  const box = new EncryptedBallotBox(form);
  for (const [index, ballot] of section.ballots.entries()) {
    try {
      box.admit(
        await verifyEncryptedBallot(
          section.verificationKey,
          { ...ballot, proof: ballot.proof as Groth16ProofJson },
          context,
        ),
      );
    } catch (error) {
      problems.push({ place: `ballots[${index}]`, code: codeOf(error), detail: (error as Error).message });
    }
  }
  const sums = box.sums();
  if (section.sums.length !== sums.length) {
    problems.push({
      place: 'sums',
      code: 'SUM_MISMATCH',
      detail: `${section.sums.length} sums recorded, the form has ${sums.length} options`,
    });
  }
  sums.forEach((sum, index) => {
    const recorded = section.sums[index];
    let matches: boolean;
    try {
      const parsed = recorded && ciphertextFromJson(`sums[${index}]`, recorded);
      matches = parsed !== undefined && parsed.c1.equals(sum.c1) && parsed.c2.equals(sum.c2);
    } catch {
      matches = false; // a malformed or off-curve sum is a mismatch too
    }
    if (!matches)
      problems.push({
        place: `sums[${index}]`,
        code: 'SUM_MISMATCH',
        detail: 'the recorded sum is not the sum of the current ballots',
      });
  });
  const census: CensusCounts = { heads: BigInt(section.census.heads), weight: BigInt(section.census.weight) };
  try {
    const result = decideEncryptedTally(rule, form, census, box, section.electionKey, section.partialDecryptions);
    for (const [option, total] of result.totals) {
      const recorded = section.totals[option];
      if (recorded?.heads !== total.heads.toString() || recorded.weight !== total.weight.toString()) {
        problems.push({
          place: `totals.${option}`,
          code: 'TOTAL_MISMATCH',
          detail: `recomputed ${total.heads} heads and ${total.weight} area`,
        });
      }
    }
    if (result.verdict.passed !== section.passed) {
      problems.push({
        place: 'result',
        code: 'VERDICT_MISMATCH',
        detail: `the recomputed verdict is ${result.verdict.passed ? 'passed' : 'not passed'}`,
      });
    }
  } catch (error) {
    problems.push({ place: 'partialDecryptions', code: codeOf(error), detail: (error as Error).message });
  }
  return problems;
}
