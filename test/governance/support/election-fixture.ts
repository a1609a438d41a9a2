/**
 * Runs the election-key generation among n simulated trustees, every message passing
 * through JSON as it would through the ledger.
 */
import {
  dealShares, electionKeyRecord, finishKeyGeneration, qualifiedDealers, receiveShares, startKeyGeneration,
  type DkgComplaint, type DkgRound1Message, type DkgRound2Message, type ElectionKeyParameters, type ElectionKeyRecord,
  type TrusteeDealing, type TrusteeKeyShare,
} from '../../../src/governance/encrypted-weights/election-key.ts';

export function throughJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export interface GeneratedElection {
  parameters: ElectionKeyParameters;
  dealings: TrusteeDealing[];
  round1: DkgRound1Message[];
  round2: DkgRound2Message[];
  complaints: DkgComplaint[];
  qualified: number[];
  record: ElectionKeyRecord;
  keyShares: TrusteeKeyShare[];
}

/** `tamperRound2` may alter the round-2 messages (a dishonest dealer) before they are received. */
export function generateElection(
  parameters: ElectionKeyParameters, tamperRound2: (messages: DkgRound2Message[]) => DkgRound2Message[] = (messages) => messages,
): GeneratedElection {
  const started = Array.from({ length: parameters.trusteeCount }, (_, index) => startKeyGeneration(parameters, index + 1));
  const dealings = started.map(({ dealing }) => dealing);
  const round1 = throughJson(started.map(({ message }) => message));
  const round2 = throughJson(tamperRound2(dealings.flatMap((dealing) => dealShares(dealing, round1))));
  const received = dealings.map((dealing) => receiveShares(dealing, round1, round2));
  const complaints = throughJson(received.flatMap(({ complaints: filed }) => filed));
  const qualified = qualifiedDealers(parameters, round1, round2, complaints);
  const record = throughJson(electionKeyRecord(parameters, round1, qualified));
  const keyShares = dealings.map((dealing, index) => finishKeyGeneration(dealing, received[index]!.shares, record));
  return { parameters, dealings, round1, round2, complaints, qualified, record, keyShares };
}
