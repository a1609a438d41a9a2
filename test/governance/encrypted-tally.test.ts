/**
 * The encrypted-weight tally against the public-weight tally of the same ballots: 30
 * owners, areas varied, some equal, some owners with several units; a 3-of-5 election
 * key; per-option ciphertext sums decrypted by trustees and fed to the same Art. 278 rule.
 */
import { BASE8, IDENTITY, multiply, multiplyPublic, pointFromJson, pointToJson, randomScalar } from '../../src/governance/encrypted-weights/baby-jubjub.ts';
import { DiscreteLogTable } from '../../src/governance/encrypted-weights/discrete-log.ts';
import {
  ZERO_CIPHERTEXT, addCiphertexts, encryptWeight, subtractCiphertexts, sumCiphertexts, weightPoint, type Ciphertext,
} from '../../src/governance/encrypted-weights/elgamal.ts';
import { EncryptedWeightError } from '../../src/governance/encrypted-weights/encrypted-weight-errors.ts';
import {
  combinePartialDecryptions, decryptTally, lagrangeCoefficientAtZero, partiallyDecrypt, verifyPartialDecryption, type PartialDecryptionMessage,
} from '../../src/governance/encrypted-weights/partial-decryption.ts';
import { replayBallots, type BallotBoxSetup, type BallotEvent } from '../../src/governance/ballot-rules.ts';
import { ABSTAIN, ART_278_SPECIAL, NO, YES, YES_NO_ABSTAIN, decideTally, type VoteTotal } from '../../src/governance/tally-rules.ts';
import { generateElection, throughJson } from './support/election-fixture.ts';

const OPTIONS = [YES, NO, ABSTAIN];

/**
 * 30 owners in 0.01 m². Owners 0–14 will vote yes, 15–19 no or abstain, 20–29 not at
 * all. Several share 89.50 m²; owners 4 and 10 hold two and three units.
 */
function owners(): bigint[] {
  const yes = [8_950n, 8_950n, 8_950n, 12_025n, 6_400n + 8_950n, 10_000n, 10_000n, 7_520n, 9_315n, 11_080n, 8_950n + 12_025n + 6_400n, 6_400n, 13_210n, 9_999n, 10_001n];
  const yesSum = yes.reduce((sum, area) => sum + area, 0n);
  // Make the yes area divisible by 3, so the others can hold exactly a quarter of the participating area.
  yes[14] = yes[14]! + (3n - (yesSum % 3n)) % 3n;
  const others = yes.reduce((sum, area) => sum + area, 0n) / 3n;
  const against = [others / 5n, others / 5n, others / 5n, others / 5n];
  against.push(others - against.reduce((sum, area) => sum + area, 0n));
  // Non-voters hold at most half the participating area, so participation by area is at least 2/3.
  const participating = yesSum + others;
  const absent = Array.from({ length: 10 }, (_, index) => participating / 20n - BigInt(index) * 100n);
  return [...yes, ...against, ...absent];
}

const areas = owners();
const census = { heads: 30n, weight: areas.reduce((sum, area) => sum + area, 0n) };
const setup: BallotBoxSetup = { mode: 'anonymous', form: YES_NO_ABSTAIN, census, opensAtMs: 0, closesAtMs: 1_000_000 };
const election = generateElection({ electionId: 'proposal-278-7', threshold: 3, trusteeCount: 5 });
const publicKey = pointFromJson('publicKey', election.record.publicKey);
const table = DiscreteLogTable.build(census.weight);

interface EncryptedBallot {
  event: BallotEvent;
  ciphertext: Ciphertext;
}

/** Each owner's ballot: the nullifier stands for the owner; the weight is public only to the reference tally. */
function cast(owner: number, choice: string, castAtMs: number): EncryptedBallot {
  const weight = areas[owner]!;
  return { event: { kind: 'anonymous', nullifier: BigInt(1_000 + owner), choice, weight, castAtMs }, ciphertext: encryptWeight(weight, publicKey, randomScalar()) };
}

/**
 * The server's encrypted tally: per option the sum of current ballots' ciphertexts, a
 * re-vote taking its earlier ciphertext out of its earlier option. Heads stay public.
 */
function encryptedTally(ballots: EncryptedBallot[]) {
  const current = new Map<string, EncryptedBallot>();
  const sums = new Map<string, Ciphertext>(OPTIONS.map((option) => [option, ZERO_CIPHERTEXT]));
  for (const ballot of ballots) {
    const key = String(ballot.event.kind === 'anonymous' ? ballot.event.nullifier : '');
    const earlier = current.get(key);
    if (earlier) sums.set(earlier.event.choice, subtractCiphertexts(sums.get(earlier.event.choice)!, earlier.ciphertext));
    sums.set(ballot.event.choice, addCiphertexts(sums.get(ballot.event.choice)!, ballot.ciphertext));
    current.set(key, ballot);
  }
  const heads = new Map(OPTIONS.map((option) => [option, BigInt([...current.values()].filter((ballot) => ballot.event.choice === option).length)]));
  return { ciphertexts: OPTIONS.map((option) => sums.get(option)!), heads };
}

function decryptedTotals(ballots: EncryptedBallot[], trustees: number[]): Map<string, VoteTotal> {
  const { ciphertexts, heads } = encryptedTally(ballots);
  const partials = trustees.map((trustee) => throughJson(partiallyDecrypt(election.keyShares[trustee - 1]!, ciphertexts)));
  const weights = decryptTally(election.record, ciphertexts, partials, table);
  return new Map(OPTIONS.map((option, index) => [option, { heads: heads.get(option)!, weight: weights[index]! }]));
}

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

const atTheBoundary = [
  ...Array.from({ length: 15 }, (_, owner) => cast(owner, YES, 10 + owner)),
  ...[15, 16, 17].map((owner) => cast(owner, NO, 100 + owner)),
  ...[18, 19].map((owner) => cast(owner, ABSTAIN, 200 + owner)),
];

describe('encrypted-weight tally (30 owners, 3-of-5 trustees)', () => {
  it('decrypts per-option sums to exactly the public-weight sums, and reaches the same verdict at the 2/3 and 3/4 boundaries', () => {
    const publicBox = replayBallots(setup, atTheBoundary.map(({ event }) => event));
    const decrypted = decryptedTotals(atTheBoundary, [1, 3, 5]);
    expect(decrypted).toEqual(publicBox.totals);
    const publicVerdict = decideTally(ART_278_SPECIAL, YES_NO_ABSTAIN, census, publicBox.totals);
    // Exactly 2/3 of the heads take part and yes has exactly 3/4 of heads and area: it passes.
    expect(publicVerdict.participation.heads).toMatchObject({ value: 20n, of: 30n, met: true });
    expect(publicVerdict.options[0]!.approval!.area!.explanation).toMatch(/ = .*: at least 3\/4 .*, met$/);
    expect(publicVerdict.options[0]!.approval!.heads).toMatchObject({ value: 15n, of: 20n, met: true });
    expect(publicVerdict.passed).toBe(true);
    expect(decideTally(ART_278_SPECIAL, YES_NO_ABSTAIN, census, decrypted)).toEqual(publicVerdict);
  });

  it('follows a re-vote: the replaced ciphertext leaves its option, and one owner fewer for yes fails 3/4 in both tallies', () => {
    const ballots = [...atTheBoundary, cast(9, NO, 500)];
    const publicBox = replayBallots(setup, ballots.map(({ event }) => event));
    const decrypted = decryptedTotals(ballots, [2, 4, 5]);
    expect(decrypted).toEqual(publicBox.totals);
    const verdict = decideTally(ART_278_SPECIAL, YES_NO_ABSTAIN, census, decrypted);
    expect(verdict.passed).toBe(false);
    expect(verdict).toEqual(decideTally(ART_278_SPECIAL, YES_NO_ABSTAIN, census, publicBox.totals));
  });

  it('decrypts the same sums with any 3 of the 5 trustees', () => {
    const { ciphertexts } = encryptedTally(atTheBoundary);
    const partials = election.keyShares.map((share) => partiallyDecrypt(share, ciphertexts));
    const expected = decryptTally(election.record, ciphertexts, partials.slice(0, 3), table);
    const subsets = [[1, 2, 3], [1, 2, 4], [1, 2, 5], [1, 3, 4], [1, 3, 5], [1, 4, 5], [2, 3, 4], [2, 3, 5], [2, 4, 5], [3, 4, 5]];
    for (const subset of subsets) expect(decryptTally(election.record, ciphertexts, subset.map((trustee) => partials[trustee - 1]!), table)).toEqual(expected);
    // All five given: the first three by trustee number are used, with the same result.
    expect(decryptTally(election.record, ciphertexts, [...partials].reverse(), table)).toEqual(expected);
  });

  it('decrypts an option nobody chose to zero', () => {
    const ballots = [cast(0, YES, 1)];
    const totals = decryptedTotals(ballots, [1, 2, 3]);
    expect(totals.get(NO)).toEqual({ heads: 0n, weight: 0n });
    expect(totals.get(YES)).toEqual({ heads: 1n, weight: areas[0] });
  });
});

describe('what one trustee, or k − 1, cannot do', () => {
  const ballot = cast(10, YES, 1); // the owner of three units
  const weight = areas[10]!;

  it('a single trustee\'s partial decryption of a ballot does not give its weight', () => {
    for (const share of election.keyShares) {
      const [partial] = partiallyDecrypt(share, [ballot.ciphertext]).partials;
      const guess = ballot.ciphertext.c2.subtract(pointFromJson('share', partial!.share, true));
      expect(guess.equals(weightPoint(weight))).toBe(false);
      expectCode(() => table.solve(guess), 'DISCRETE_LOG_OUT_OF_RANGE');
      // Nor does the trustee's own share used as if it were the whole key.
      expect(ballot.ciphertext.c2.subtract(multiply(ballot.ciphertext.c1, share.secretShare)).equals(weightPoint(weight))).toBe(false);
    }
  });

  it('k − 1 partial decryptions are refused, and interpolating them by hand gives a wrong point', () => {
    const partials = [1, 2].map((trustee) => partiallyDecrypt(election.keyShares[trustee - 1]!, [ballot.ciphertext]));
    expectCode(() => combinePartialDecryptions(election.record, [ballot.ciphertext], partials), 'NOT_ENOUGH_PARTIALS');
    const byHand = partials.reduce((sum, message) => sum.add(multiplyPublic(pointFromJson('share', message.partials[0]!.share), lagrangeCoefficientAtZero(message.trustee, [1, 2]))), IDENTITY);
    expect(ballot.ciphertext.c2.subtract(byHand).equals(weightPoint(weight))).toBe(false);
    const three = [...partials, partiallyDecrypt(election.keyShares[2]!, [ballot.ciphertext])];
    expect(decryptTally(election.record, [ballot.ciphertext], three, table)).toEqual([weight]);
  });
});

describe('checking partial decryptions', () => {
  const { ciphertexts } = encryptedTally(atTheBoundary);
  const partials = election.keyShares.map((share) => throughJson(partiallyDecrypt(share, ciphertexts)));

  function tampered(trustee: number, change: (message: PartialDecryptionMessage) => void): PartialDecryptionMessage {
    const message = throughJson(partials[trustee - 1]!);
    change(message);
    return message;
  }

  it('accepts an honest partial decryption', () => {
    expect(verifyPartialDecryption(election.record, ciphertexts, partials[3]!)).toHaveLength(3);
  });

  it('refuses a partial whose point was altered, or whose proof was', () => {
    const cases: PartialDecryptionMessage[] = [
      tampered(2, (message) => { message.partials[0]!.share = pointToJson(pointFromJson('share', message.partials[0]!.share).add(BASE8)); }),
      tampered(2, (message) => { message.partials[1]!.proof.response = (BigInt(message.partials[1]!.proof.response) + 1n).toString(); }),
      tampered(2, (message) => { message.partials[2]!.proof.challenge = (BigInt(message.partials[2]!.proof.challenge) ^ 1n).toString(); }),
      tampered(2, (message) => { message.trustee = 3; }),
      tampered(2, (message) => { message.partials = [message.partials[1]!, message.partials[0]!, message.partials[2]!]; }),
    ];
    for (const message of cases) {
      expectCode(() => verifyPartialDecryption(election.record, ciphertexts, message), 'DECRYPTION_PROOF_INVALID');
      expectCode(() => combinePartialDecryptions(election.record, ciphertexts, [partials[0]!, message, partials[4]!]), 'DECRYPTION_PROOF_INVALID');
    }
  });

  it('refuses a partial made for other ciphertexts (the proof binds C1 and C2)', () => {
    const moved = [{ c1: ciphertexts[0]!.c1, c2: ciphertexts[0]!.c2.add(BASE8) }, ciphertexts[1]!, ciphertexts[2]!];
    expectCode(() => verifyPartialDecryption(election.record, moved, partials[0]!), 'DECRYPTION_PROOF_INVALID');
  });

  it('refuses partials for another election, from an unknown or repeated trustee, or of the wrong count', () => {
    expectCode(() => verifyPartialDecryption(election.record, ciphertexts, tampered(1, (message) => { message.electionId = 'proposal-9'; })), 'PARTIAL_DECRYPTION_INVALID');
    expectCode(() => verifyPartialDecryption(election.record, ciphertexts, tampered(1, (message) => { message.trustee = 6; })), 'PARTIAL_DECRYPTION_INVALID');
    expectCode(() => verifyPartialDecryption(election.record, ciphertexts, tampered(1, (message) => { message.partials.pop(); })), 'PARTIAL_DECRYPTION_INVALID');
    expectCode(() => combinePartialDecryptions(election.record, ciphertexts, [partials[0]!, partials[0]!, partials[1]!]), 'PARTIAL_DECRYPTION_INVALID');
    expectCode(() => verifyPartialDecryption(election.record, [], partials[0]!), 'PARTIAL_DECRYPTION_INVALID');
  });

  it('refuses a partial point off the curve or outside the subgroup', () => {
    expectCode(() => verifyPartialDecryption(election.record, ciphertexts, tampered(1, (message) => { message.partials[0]!.share = { x: '1', y: '2' }; })), 'POINT_NOT_ON_CURVE');
    const orderTwo = { x: '0', y: (21888242871839275222246405745257275088548364400416034343698204186575808495617n - 1n).toString() };
    expectCode(() => verifyPartialDecryption(election.record, ciphertexts, tampered(1, (message) => { message.partials[0]!.share = orderTwo; })), 'POINT_NOT_IN_SUBGROUP');
  });

  it('sums three hundred ciphertexts to the encryption of the summed weights', () => {
    const weights = Array.from({ length: 300 }, (_, index) => areas[index % 30]!);
    const sum = sumCiphertexts(weights.map((weight) => encryptWeight(weight, publicKey, randomScalar())));
    const big = DiscreteLogTable.build(weights.reduce((total, weight) => total + weight, 0n));
    const threeTrustees = [1, 4, 5].map((trustee) => partiallyDecrypt(election.keyShares[trustee - 1]!, [sum]));
    expect(decryptTally(election.record, [sum], threeTrustees, big)).toEqual([weights.reduce((total, weight) => total + weight, 0n)]);
  });
});
