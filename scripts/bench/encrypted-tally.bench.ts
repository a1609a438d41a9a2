/**
 * Encrypted-weight tally figures (issue 15): 1,000 anonymous ballots, each an exponential
 * ElGamal encryption of an owner's area under a 3-of-5 election key, spread over
 * yes/no/abstain. Measured per run:
 *   - validating the 1,000 ciphertexts from JSON (on the curve, in the subgroup) and
 *     summing them per option;
 *   - threshold decryption of the 3 sums: 3 trustees' partial decryptions with proofs,
 *     verification of every proof, Lagrange combination and the bounded discrete log
 *     (the table for the census total weight is built once, and timed apart);
 *   - the running sums as the server keeps them per ballot (castEncryptedBallot): the
 *     option's stored sum read back from JSON without the subgroup check (the server wrote
 *     it; the ballot's ciphertext comes out of a verified proof), one addition, JSON out.
 * The ballots are encrypted beforehand (that is the voters' work, in the circuit).
 *
 *   npm run bench -- --only encrypted-tally [--quick]
 */
import { loadavg } from 'node:os';
import { pointFromJson, randomScalar } from '../../src/governance/encrypted-weights/baby-jubjub.ts';
import { DiscreteLogTable } from '../../src/governance/encrypted-weights/discrete-log.ts';
import {
  ZERO_CIPHERTEXT, addCiphertexts, ciphertextFromJson, ciphertextToJson, encryptWeight, trustedCiphertextFromJson, type Ciphertext, type CiphertextJson,
} from '../../src/governance/encrypted-weights/elgamal.ts';
import {
  dealShares, electionKeyRecord, finishKeyGeneration, qualifiedDealers, receiveShares, startKeyGeneration, type ElectionKeyParameters,
} from '../../src/governance/encrypted-weights/election-key.ts';
import { decryptTally, partiallyDecrypt } from '../../src/governance/encrypted-weights/partial-decryption.ts';
import { median, timeEach, type BenchFigure, type BenchOptions, type BenchSuite } from './bench-suite.ts';

const BALLOTS = 1_000;
const OPTIONS = 3;
const parameters: ElectionKeyParameters = { electionId: 'bench-proposal', threshold: 3, trusteeCount: 5 };

function generateKey() {
  const started = Array.from({ length: parameters.trusteeCount }, (_, index) => startKeyGeneration(parameters, index + 1));
  const round1 = started.map(({ message }) => message);
  const round2 = started.flatMap(({ dealing }) => dealShares(dealing, round1));
  const received = started.map(({ dealing }) => receiveShares(dealing, round1, round2));
  const record = electionKeyRecord(parameters, round1, qualifiedDealers(parameters, round1, round2, received.flatMap(({ complaints }) => complaints)));
  const keyShares = started.map(({ dealing }, index) => finishKeyGeneration(dealing, received[index]!.shares, record));
  return { record, keyShares };
}

function sumPerOption(ballots: Array<{ option: number; ciphertext: CiphertextJson }>): Ciphertext[] {
  const sums: Ciphertext[] = Array.from({ length: OPTIONS }, () => ZERO_CIPHERTEXT);
  ballots.forEach(({ option, ciphertext }, index) => {
    sums[option] = addCiphertexts(sums[option]!, ciphertextFromJson(`ballot ${index}`, ciphertext));
  });
  return sums;
}

async function run(options: BenchOptions): Promise<BenchFigure[]> {
  const runs = options.quick ? 3 : 7;
  const loadAverageAtStart = loadavg()[0]!;
  const keyStart = performance.now();
  const { record, keyShares } = generateKey();
  const keyGenerationMs = performance.now() - keyStart;
  const publicKey = pointFromJson('publicKey', record.publicKey);
  // Areas from 40.00 to 199.99 m², several owners per area.
  const weights = Array.from({ length: BALLOTS }, (_, index) => 4_000n + BigInt((index * 7_919) % 16_000));
  const ballots = weights.map((weight, index) => ({ option: index % OPTIONS, ciphertext: ciphertextToJson(encryptWeight(weight, publicKey, randomScalar())) }));
  const expected = Array.from({ length: OPTIONS }, (_, option) => weights.filter((_, index) => index % OPTIONS === option).reduce((sum, weight) => sum + weight, 0n));
  const bound = weights.reduce((sum, weight) => sum + weight, 0n);

  const tableStart = performance.now();
  const table = DiscreteLogTable.build(bound);
  const tableMs = performance.now() - tableStart;

  let sums: Ciphertext[] = [];
  const sumMs = await timeEach(runs, async () => { sums = sumPerOption(ballots); });
  // The same sums over ciphertexts already validated (as the server holds them after admission).
  const parsed = ballots.map(({ option, ciphertext }, index) => ({ option, ciphertext: ciphertextFromJson(`ballot ${index}`, ciphertext) }));
  const additionMs = await timeEach(runs, async () => {
    const totals: Ciphertext[] = Array.from({ length: OPTIONS }, () => ZERO_CIPHERTEXT);
    for (const { option, ciphertext } of parsed) totals[option] = addCiphertexts(totals[option]!, ciphertext);
  });
  const zeroJson = ciphertextToJson(ZERO_CIPHERTEXT);
  const runningMs = await timeEach(runs, async () => {
    const stored: CiphertextJson[] = Array.from({ length: OPTIONS }, () => zeroJson);
    for (const { option, ciphertext } of ballots) {
      stored[option] = ciphertextToJson(addCiphertexts(trustedCiphertextFromJson(stored[option]!), trustedCiphertextFromJson(ciphertext)));
    }
    if (stored.some((sum, option) => !trustedCiphertextFromJson(sum).c2.equals(sums[option]!.c2))) throw new Error('Failed to benchmark: a running sum is wrong');
  });
  const decryptMs = await timeEach(runs, async () => {
    const partials = [keyShares[0]!, keyShares[2]!, keyShares[4]!].map((share) => partiallyDecrypt(share, sums));
    const decrypted = decryptTally(record, sums, partials, table);
    if (decrypted.some((value, option) => value !== expected[option])) throw new Error('Failed to benchmark: a decrypted sum is wrong');
  });
  const totalMedian = median(sumMs) + median(decryptMs);
  return [
    {
      name: `encrypted tally of ${BALLOTS} ballots: validate and sum per option`, median: median(sumMs), unit: 'ms', samples: sumMs.length,
      detail: {
        ballots: BALLOTS, options: OPTIONS, perBallotMs: Number((median(sumMs) / BALLOTS).toFixed(3)),
        additionsOnlyMs: Number(median(additionMs).toFixed(1)), loadAverageAtStart: Number(loadAverageAtStart.toFixed(2)),
      },
    },
    {
      name: `encrypted tally of ${BALLOTS} ballots: running sums as the server keeps them (JSON in, add, JSON out)`, median: median(runningMs), unit: 'ms',
      samples: runningMs.length, detail: { ballots: BALLOTS, perBallotMs: Number((median(runningMs) / BALLOTS).toFixed(3)) },
    },
    {
      name: `threshold decryption, 3 of 5 trustees, ${OPTIONS} sums`, median: median(decryptMs), unit: 'ms', samples: decryptMs.length,
      detail: { discreteLogBound: bound.toString(), babySteps: table.babySteps, tableBuildMs: Math.round(tableMs), keyGenerationMs: Math.round(keyGenerationMs) },
    },
    {
      name: `encrypted tally + threshold decryption, ${BALLOTS} ballots`, median: totalMedian, unit: 'ms', samples: runs,
      detail: { sumMs: Math.round(median(sumMs)), decryptMs: Math.round(median(decryptMs)), tableBuildMsOnce: Math.round(tableMs) },
    },
  ];
}

export const suite: BenchSuite = { name: 'encrypted-tally', run };
