/**
 * One offline check for every compliance bundle a regulator downloads, told apart by
 * their `format`:
 *
 *   courtyard-fee-period-bundle/v1    fee-proofs/fee-period-bundle.ts
 *   courtyard-election-bundle/v1      governance/election-bundle.ts
 *   courtyard-ledger-range-bundle/v1  ledger-range-bundle.ts (range + consistency)
 *   courtyard-ledger-bundle/v1        ledger/bundle.ts (a plain export)
 *
 * Each verifier names the place of every problem; this file only dispatches and reports.
 * No database, no server.
 */
import { BUNDLE_FORMAT, verifyBundle, type LedgerBundle } from '../ledger/bundle.ts';
import { consistencyProblem } from '../ledger/bundle-consistency.ts';
import { ELECTION_BUNDLE_FORMAT, verifyElectionBundle, type ElectionBundle } from '../governance/election-bundle.ts';
import {
  FEE_PERIOD_BUNDLE_FORMAT,
  verifyFeePeriodBundle,
  type FeePeriodBundle,
} from '../fee-proofs/fee-period-bundle.ts';
import { LEDGER_RANGE_BUNDLE_FORMAT, type LedgerRangeBundle } from './ledger-range-bundle.ts';

export interface ComplianceProblem {
  place: string;
  message: string;
}

export interface ComplianceVerification {
  format: string;
  valid: boolean;
  problems: ComplianceProblem[];
  /** What was checked, one line (for the report). */
  summary: string;
  logVerifierKey: string | null;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function verifyLedgerPart(ledger: LedgerBundle, trustedKey: string | undefined, problems: ComplianceProblem[]): string {
  try {
    const verified = verifyBundle(ledger, trustedKey);
    return `${verified.entriesVerified} entries included in the checkpoint of ${verified.treeSize}, cosigned by ${verified.cosignedBy.length}`;
  } catch (error) {
    problems.push({ place: 'ledger', message: describe(error) });
    return 'the log does not verify';
  }
}

export async function verifyComplianceBundle(bundle: unknown, trustedKey?: string): Promise<ComplianceVerification> {
  const format =
    typeof bundle === 'object' && bundle !== null ? String((bundle as { format?: unknown }).format) : 'none';
  const problems: ComplianceProblem[] = [];
  const result = (summary: string, logVerifierKey: string | null): ComplianceVerification => ({
    format,
    valid: problems.length === 0,
    problems,
    summary,
    logVerifierKey,
  });
  switch (format) {
    case FEE_PERIOD_BUNDLE_FORMAT: {
      const fees = bundle as FeePeriodBundle;
      const verified = await verifyFeePeriodBundle(fees, trustedKey);
      problems.push(...verified.problems);
      return result(
        `period ${String(fees.periodId)}: ${verified.rootsVerified} paid-set roots rebuilt from the log, totals replayed, ${verified.proofsVerified} of ${fees.proofs?.length ?? 0} proofs verify`,
        fees.ledger?.logVerifierKey ?? null,
      );
    }
    case ELECTION_BUNDLE_FORMAT: {
      const election = bundle as ElectionBundle;
      const verified = await verifyElectionBundle(election, trustedKey);
      problems.push(...verified.problems);
      return result(
        `${verified.ballotsVerified} ballots match the log, ${verified.proofsVerified} proofs verify, the result replays`,
        election.ledger?.logVerifierKey ?? null,
      );
    }
    case LEDGER_RANGE_BUNDLE_FORMAT: {
      const range = bundle as LedgerRangeBundle;
      const summary = verifyLedgerPart(range.ledger, trustedKey, problems);
      if (range.consistency) {
        try {
          const found = consistencyProblem(range.consistency, range.ledger, range.ledger.checkpoint);
          if (found) problems.push({ place: 'consistency', message: found });
        } catch (error) {
          problems.push({ place: 'consistency', message: describe(error) });
        }
      }
      return result(
        `${summary}${range.consistency ? ', consistent with the checkpoint before it' : ''}`,
        range.ledger?.logVerifierKey ?? null,
      );
    }
    case BUNDLE_FORMAT: {
      const ledger = bundle as LedgerBundle;
      return result(verifyLedgerPart(ledger, trustedKey, problems), ledger.logVerifierKey ?? null);
    }
    default:
      problems.push({ place: 'format', message: `unknown bundle format ${format}` });
      return result('nothing checked', null);
  }
}
