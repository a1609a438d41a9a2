import { BASE8, modL, multiply, pointFromJson, pointToJson, randomScalar } from '../../src/governance/encrypted-weights/baby-jubjub.ts';
import {
  MAX_TRUSTEES, dealShares, electionKeyRecord, evaluatePolynomial, judgeComplaint, parseRound1, qualifiedDealers, receiveShares,
  startKeyGeneration, type DkgComplaint, type DkgRound2Message, type ElectionKeyParameters,
} from '../../src/governance/encrypted-weights/election-key.ts';
import { EncryptedWeightError } from '../../src/governance/encrypted-weights/encrypted-weight-errors.ts';
import { proofToJson, proveEqualDiscreteLogs } from '../../src/governance/encrypted-weights/equal-discrete-log-proof.ts';
import { lagrangeCoefficientAtZero } from '../../src/governance/encrypted-weights/partial-decryption.ts';
import { sealShare } from '../../src/governance/encrypted-weights/share-transport.ts';
import { generateElection, throughJson } from './support/election-fixture.ts';

const parameters: ElectionKeyParameters = { electionId: 'proposal-7', threshold: 3, trusteeCount: 5 };

function expectCode(run: () => unknown, code: string): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EncryptedWeightError);
  expect((caught as EncryptedWeightError).code).toBe(code);
}

/** The secret the shares of `trustees` interpolate to. */
function interpolate(shares: Map<number, bigint>, trustees: number[]): bigint {
  return modL(trustees.reduce((sum, trustee) => sum + lagrangeCoefficientAtZero(trustee, trustees) * shares.get(trustee)!, 0n));
}

describe('election key generation (3 of 5)', () => {
  const election = generateElection(parameters);
  // Only a test can add up the dealers' secrets: no trustee ever holds them all.
  const wholeSecret = modL(election.dealings.reduce((sum, dealing) => sum + dealing.coefficients[0]!, 0n));
  const shares = new Map(election.keyShares.map((share) => [share.trustee, share.secretShare]));

  it('publishes a public key whose secret no single message contains, and one public share per trustee', () => {
    expect(election.complaints).toEqual([]);
    expect(election.qualified).toEqual([1, 2, 3, 4, 5]);
    expect(pointFromJson('publicKey', election.record.publicKey).equals(multiply(BASE8, wholeSecret))).toBe(true);
    election.keyShares.forEach((share, index) => {
      expect(pointFromJson('key', election.record.verificationKeys[index]).equals(multiply(BASE8, share.secretShare))).toBe(true);
    });
    expect(Object.keys(election.record).sort()).toEqual(['electionId', 'publicKey', 'qualifiedDealers', 'threshold', 'trusteeCount', 'type', 'verificationKeys']);
  });

  it('lets any 3 shares, and no 2, interpolate the key', () => {
    expect(interpolate(shares, [1, 2, 3])).toBe(wholeSecret);
    expect(interpolate(shares, [2, 4, 5])).toBe(wholeSecret);
    expect(interpolate(shares, [1, 3, 5])).toBe(wholeSecret);
    expect(interpolate(shares, [1, 2])).not.toBe(wholeSecret);
    expect(interpolate(shares, [4, 5])).not.toBe(wholeSecret);
    for (const share of shares.values()) expect(share).not.toBe(wholeSecret);
  });

  it('refuses a round-1 message whose proof of knowledge does not match its commitment', () => {
    const round1 = throughJson(election.round1);
    round1[1]!.commitments[0] = pointToJson(multiply(BASE8, randomScalar()));
    expectCode(() => parseRound1(parameters, round1), 'DKG_PROOF_INVALID');
    const swapped = throughJson(election.round1);
    swapped[1]!.proofOfKnowledge = swapped[2]!.proofOfKnowledge;
    expectCode(() => parseRound1(parameters, swapped), 'DKG_PROOF_INVALID');
  });

  it('refuses incomplete, repeated, foreign and malformed round-1 messages', () => {
    expectCode(() => parseRound1(parameters, election.round1.slice(0, 4)), 'DKG_MESSAGE_INVALID');
    expectCode(() => parseRound1(parameters, [...election.round1, election.round1[0]!]), 'DKG_MESSAGE_INVALID');
    expectCode(() => parseRound1({ ...parameters, electionId: 'proposal-8' }, election.round1), 'DKG_MESSAGE_INVALID');
    const short = throughJson(election.round1);
    short[0]!.commitments.pop();
    expectCode(() => parseRound1(parameters, short), 'DKG_MESSAGE_INVALID');
    const outOfRange = throughJson(election.round1);
    outOfRange[0]!.dealer = 6;
    expectCode(() => parseRound1(parameters, outOfRange), 'DKG_MESSAGE_INVALID');
    const offCurve = throughJson(election.round1);
    offCurve[0]!.transportKey = { x: '1', y: '2' };
    expectCode(() => parseRound1(parameters, offCurve), 'POINT_NOT_ON_CURVE');
  });
});

describe('election key generation with a dishonest dealer', () => {
  it('upholds a complaint about a share that does not open, and leaves that dealer out of the key', () => {
    const election = generateElection(parameters, (messages) => messages.map((message) => (message.dealer === 2 && message.recipient === 4
      ? { ...message, sealedShare: { ...message.sealedShare, ciphertext: `${message.sealedShare.ciphertext.slice(0, -2)}00` } } : message)));
    expect(election.complaints.map(({ complainant, dealer }) => [complainant, dealer])).toEqual([[4, 2]]);
    expect(judgeComplaint(parameters, election.round1, election.round2, election.complaints[0]!)).toBe('dealer-at-fault');
    expect(election.qualified).toEqual([1, 3, 4, 5]);
    const secret = modL([0, 2, 3, 4].reduce((sum, index) => sum + election.dealings[index]!.coefficients[0]!, 0n));
    expect(pointFromJson('publicKey', election.record.publicKey).equals(multiply(BASE8, secret))).toBe(true);
    const shares = new Map(election.keyShares.map((share) => [share.trustee, share.secretShare]));
    expect(interpolate(shares, [2, 3, 4])).toBe(secret);
  });

  it('upholds a complaint about a share that opens but does not match the commitments', () => {
    const election = generateElection(parameters, (messages) => messages);
    const dealer = election.dealings[0]!;
    const recipientKey = pointFromJson('transportKey', election.round1[2]!.transportKey);
    const wrongShare = modL(evaluatePolynomial(dealer.coefficients, 3n) + 1n);
    const round2: DkgRound2Message[] = election.round2.map((message) => (message.dealer === 1 && message.recipient === 3
      ? { ...message, sealedShare: sealShare(wrongShare, multiply(recipientKey, dealer.transportSecret), parameters.electionId, 1, 3) } : message));
    const { complaints } = receiveShares(election.dealings[2]!, election.round1, round2);
    expect(complaints).toHaveLength(1);
    expect(judgeComplaint(parameters, election.round1, round2, throughJson(complaints[0]!))).toBe('dealer-at-fault');
    expect(qualifiedDealers(parameters, election.round1, round2, complaints)).toEqual([2, 3, 4, 5]);
  });

  it('rejects an unfounded complaint against an honest dealer, and ignores a complaint whose key is not proven', () => {
    const election = generateElection(parameters);
    const complainant = election.dealings[2]!;
    const dealerKey = pointFromJson('transportKey', election.round1[0]!.transportKey);
    const sharedKey = multiply(dealerKey, complainant.transportSecret);
    const proof = proveEqualDiscreteLogs('complaint-shared-key', `${parameters.electionId}/complaint/3/1`, [
      { base: BASE8, result: pointFromJson('transportKey', election.round1[2]!.transportKey) }, { base: dealerKey, result: sharedKey },
    ], complainant.transportSecret);
    const unfounded: DkgComplaint = { type: 'dkg-complaint', electionId: parameters.electionId, complainant: 3, dealer: 1, sharedKey: pointToJson(sharedKey), proof: proofToJson(proof) };
    expect(judgeComplaint(parameters, election.round1, election.round2, unfounded)).toBe('complaint-unfounded');
    const forged = { ...unfounded, sharedKey: pointToJson(multiply(BASE8, randomScalar())) };
    expectCode(() => judgeComplaint(parameters, election.round1, election.round2, forged), 'COMPLAINT_INVALID');
    expect(qualifiedDealers(parameters, election.round1, election.round2, [unfounded, forged])).toEqual([1, 2, 3, 4, 5]);
  });

  it('leaves out a dealer whose share is missing, and fails when fewer than k dealers remain', () => {
    const election = generateElection(parameters);
    const withoutOne = election.round2.filter((message) => !(message.dealer === 5 && message.recipient === 2));
    expect(qualifiedDealers(parameters, election.round1, withoutOne, [])).toEqual([1, 2, 3, 4]);
    const withoutThree = election.round2.filter((message) => !(message.recipient === 1 && message.dealer >= 3));
    expectCode(() => qualifiedDealers(parameters, election.round1, withoutThree, []), 'NOT_ENOUGH_QUALIFIED_DEALERS');
    expectCode(() => electionKeyRecord(parameters, election.round1, [1, 2]), 'NOT_ENOUGH_QUALIFIED_DEALERS');
    expectCode(() => electionKeyRecord(parameters, election.round1, [1, 1, 2]), 'NOT_ENOUGH_QUALIFIED_DEALERS');
    expectCode(() => qualifiedDealers(parameters, election.round1, [...election.round2, election.round2[0]!], []), 'DKG_MESSAGE_INVALID');
  });
});

describe('election key parameters', () => {
  it(`needs 2 ≤ k ≤ n ≤ ${MAX_TRUSTEES} and an opaque election id`, () => {
    for (const bad of [
      { ...parameters, threshold: 1 }, { ...parameters, threshold: 6 }, { ...parameters, threshold: 2.5 },
      { electionId: 'p', threshold: 2, trusteeCount: MAX_TRUSTEES + 1 }, { ...parameters, electionId: '' },
      { ...parameters, electionId: '业主大会' }, { ...parameters, electionId: 'x'.repeat(65) },
    ]) expectCode(() => startKeyGeneration(bad, 1), 'INVALID_KEY_PARAMETERS');
    expectCode(() => startKeyGeneration(parameters, 6), 'DKG_MESSAGE_INVALID');
    expect(startKeyGeneration({ electionId: 'p', threshold: MAX_TRUSTEES, trusteeCount: MAX_TRUSTEES }, MAX_TRUSTEES).message.commitments).toHaveLength(MAX_TRUSTEES);
  });

  it('does not send a dealer its own share through the ledger', () => {
    const started = [1, 2].map((trustee) => startKeyGeneration({ electionId: 'p', threshold: 2, trusteeCount: 2 }, trustee));
    const messages = dealShares(started[0]!.dealing, started.map(({ message }) => message));
    expect(messages.map(({ dealer, recipient }) => [dealer, recipient])).toEqual([[1, 2]]);
  });
});
