/**
 * Encrypted-weight ballots end to end without the database (issue 15): a 2-of-3 election
 * key from the dealer-less generation, a census of 30 owners at depth 10, ballots admitted
 * through the strict verifier of the encrypted-ballot circuit, per-option homomorphic sums
 * (a re-vote replaces), threshold decryption, and the same verdict as the public-weight
 * tally of the same ballots at the 2/3 and 3/4 boundaries.
 *
 * Two ballots are real proofs (one owner's ballot and its re-vote), made once for the file;
 * the other 28 are encryptWeight ciphertexts, which the circuit's witness tests show are
 * exactly what the circuit outputs (test/zk/encrypted-ballot-circuit.test.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decideEncryptedTally,
  EncryptedBallotBox,
  verifyEncryptedBallot,
} from '../../src/governance/encrypted-tally.ts';
import type { EncryptedBallot, EncryptedBallotContext } from '../../src/governance/encrypted-tally.ts';
import { encryptedTallySection, verifyEncryptedTallySection } from '../../src/governance/encrypted-tally-bundle.ts';
import type { EncryptedTallySection } from '../../src/governance/encrypted-tally-bundle.ts';
import { pointFromJson, randomScalar } from '../../src/governance/encrypted-weights/baby-jubjub.ts';
import { DiscreteLogTable } from '../../src/governance/encrypted-weights/discrete-log.ts';
import { decryptToPoint, encryptWeight, weightPoint } from '../../src/governance/encrypted-weights/elgamal.ts';
import { partiallyDecrypt } from '../../src/governance/encrypted-weights/partial-decryption.ts';
import type { PartialDecryptionMessage } from '../../src/governance/encrypted-weights/partial-decryption.ts';
import { choiceMessage, proposalScope } from '../../src/governance/proposal-scope.ts';
import {
  ABSTAIN,
  ART_278_ORDINARY,
  ART_278_SPECIAL,
  NO,
  YES,
  YES_NO_ABSTAIN,
  decideTally,
} from '../../src/governance/tally-rules.ts';
import type { VoteTotal } from '../../src/governance/tally-rules.ts';
import { loadEncryptedBallotArtifactsForDepth } from '../../src/zk/artifacts-node.ts';
import type { MembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { terminateCurve } from '../../src/zk/curve.ts';
import { proveEncryptedBallot } from '../../src/zk/encrypted-ballot.ts';
import type { EncryptedBallotProof } from '../../src/zk/encrypted-ballot.ts';
import { createIdentity, membershipLeaf, membershipNullifier } from '../../src/zk/identity.ts';
import type { Identity } from '../../src/zk/identity.ts';
import { PoseidonMerkleTree } from '../../src/zk/merkle-tree.ts';
import { generateElection, throughJson } from './support/election-fixture.ts';

const DEPTH = 10;
/**
 * 30 owners in 0.01 m²: 0–14 vote yes (150,000), 15–19 no or abstain (50,000), 20–29 not
 * at all (100,000). So exactly 2/3 of heads and area take part, and yes holds exactly 3/4
 * of the participating heads and area. Several share 100.00 m²; owners 12, 17 hold two units.
 */
const AREAS: bigint[] = [
  ...Array<bigint>(10).fill(10_000n),
  9_000n,
  11_000n,
  6_500n + 3_500n,
  7_000n,
  13_000n,
  8_000n,
  8_000n,
  10_000n + 6_000n,
  9_000n,
  9_000n,
  12_000n,
  8_000n,
  10_000n,
  10_000n,
  9_500n,
  10_500n,
  11_000n,
  9_000n,
  10_000n,
  10_000n,
];
const census = { heads: 30n, weight: AREAS.reduce((sum, area) => sum + area, 0n) };
const OPTIONS = [YES, NO, ABSTAIN];
const election = generateElection({ electionId: 'proposal-encrypted-1', threshold: 2, trusteeCount: 3 });
const publicKey = pointFromJson('publicKey', election.record.publicKey);
const table = DiscreteLogTable.build(census.weight);

let artifacts: MembershipArtifacts;
let identities: Identity[];
let context: EncryptedBallotContext;
let firstProof: EncryptedBallotProof;
let revoteProof: EncryptedBallotProof;

beforeAll(async () => {
  artifacts = await loadEncryptedBallotArtifactsForDepth(DEPTH);
  identities = await Promise.all(AREAS.map(() => createIdentity()));
  const leaves = await Promise.all(
    identities.map((identity, index) => membershipLeaf(identity.commitment, AREAS[index]!)),
  );
  const tree = await PoseidonMerkleTree.build(leaves, DEPTH);
  context = {
    form: YES_NO_ABSTAIN,
    scope: proposalScope('proposal-encrypted-1'),
    root: { root: await tree.root(), depth: DEPTH },
    electionKey: election.record,
  };
  const electionKey = publicKey.toAffine();
  const request = {
    secret: identities[0]!.secret,
    merkleProof: await tree.proof(0),
    area: AREAS[0]!,
    scope: context.scope,
    electionKey,
  };
  // Owner 0 votes no, then changes to yes: two real proofs, one nullifier.
  firstProof = await proveEncryptedBallot(artifacts, {
    ...request,
    message: choiceMessage(YES_NO_ABSTAIN, NO),
    randomness: randomScalar(),
  });
  revoteProof = await proveEncryptedBallot(artifacts, {
    ...request,
    message: choiceMessage(YES_NO_ABSTAIN, YES),
    randomness: randomScalar(),
  });
}, 120_000);

afterAll(() => terminateCurve());

/** An owner's ballot as the box receives it after verification (the ciphertext the circuit would output). */
async function encrypted(owner: number, choice: string): Promise<EncryptedBallot> {
  return {
    nullifier: await membershipNullifier(context.scope, identities[owner]!.secret),
    choice,
    ciphertext: encryptWeight(AREAS[owner]!, publicKey, randomScalar()),
  };
}

/** The public-weight totals of the same choices, as the reference. */
function publicTotals(choices: ReadonlyMap<number, string>): Map<string, VoteTotal> {
  const totals = new Map<string, VoteTotal>(OPTIONS.map((option) => [option, { heads: 0n, weight: 0n }]));
  for (const [owner, choice] of choices) {
    const total = totals.get(choice)!;
    totals.set(choice, { heads: total.heads + 1n, weight: total.weight + AREAS[owner]! });
  }
  return totals;
}

function decrypt(box: EncryptedBallotBox, trustees: number[]): PartialDecryptionMessage[] {
  return trustees.map((trustee) => throughJson(partiallyDecrypt(election.keyShares[trustee - 1]!, box.sums())));
}

async function boundaryBox(): Promise<{ box: EncryptedBallotBox; choices: Map<number, string> }> {
  const box = new EncryptedBallotBox(YES_NO_ABSTAIN);
  const choices = new Map<number, string>();
  // Owner 0's two real proofs, verified strictly: the re-vote replaces the first ballot.
  expect(
    box.admit(await verifyEncryptedBallot(artifacts.membershipKey, { choice: NO, ...firstProof }, context)),
  ).toBeUndefined();
  const revote = await verifyEncryptedBallot(artifacts.membershipKey, { choice: YES, ...revoteProof }, context);
  expect(box.admit(revote)?.choice).toBe(NO);
  choices.set(0, YES);
  for (let owner = 1; owner < 20; owner++) {
    const choice = owner < 15 ? YES : owner < 18 ? NO : ABSTAIN;
    box.admit(await encrypted(owner, choice));
    choices.set(owner, choice);
  }
  return { box, choices };
}

describe('encrypted-weight ballots with real proofs (30 owners, 2-of-3 trustees)', () => {
  it('decrypts the per-option sums to the public-weight totals and reaches the same verdict at exactly 2/3 and 3/4', async () => {
    const { box, choices } = await boundaryBox();
    expect(box.size).toBe(20);
    const reference = publicTotals(choices);
    const result = decideEncryptedTally(
      ART_278_SPECIAL,
      YES_NO_ABSTAIN,
      census,
      box,
      election.record,
      decrypt(box, [1, 3]),
      table,
    );
    expect(result.totals).toEqual(reference);
    expect(result.verdict).toEqual(decideTally(ART_278_SPECIAL, YES_NO_ABSTAIN, census, reference));
    expect(result.verdict.participation.area).toMatchObject({ value: 200_000n, of: 300_000n, met: true });
    expect(result.verdict.options[0]!.approval!.area).toMatchObject({ value: 150_000n, of: 200_000n, met: true });
    expect(result.verdict.options[0]!.approval!.heads).toMatchObject({ value: 15n, of: 20n, met: true });
    expect(result.verdict.passed).toBe(true);

    // One yes voter changes to no: below 3/4 in both tallies, still above 1/2.
    box.admit(await encrypted(5, NO));
    choices.set(5, NO);
    const after = decideEncryptedTally(
      ART_278_SPECIAL,
      YES_NO_ABSTAIN,
      census,
      box,
      election.record,
      decrypt(box, [2, 3]),
      table,
    );
    expect(after.totals).toEqual(publicTotals(choices));
    expect(after.verdict.passed).toBe(false);
    expect(after.verdict).toEqual(decideTally(ART_278_SPECIAL, YES_NO_ABSTAIN, census, publicTotals(choices)));
    const ordinary = decideEncryptedTally(
      ART_278_ORDINARY,
      YES_NO_ABSTAIN,
      census,
      box,
      election.record,
      decrypt(box, [1, 2]),
      table,
    );
    expect(ordinary.verdict).toEqual(decideTally(ART_278_ORDINARY, YES_NO_ABSTAIN, census, publicTotals(choices)));
    expect(ordinary.verdict.passed).toBe(true);
  });

  it('refuses a ballot whose ciphertext encrypts another weight than its leaf (INVALID_PROOF), or is for another choice or key', async () => {
    const signals = [...firstProof.publicSignals];
    const forged = encryptWeight(AREAS[0]! * 10n, publicKey, randomScalar());
    // Public signals 1–4 are (c1x, c1y, c2x, c2y).
    signals.splice(
      1,
      4,
      ...[forged.c1, forged.c2].flatMap((point) => [point.toAffine().x.toString(), point.toAffine().y.toString()]),
    );
    await expect(
      verifyEncryptedBallot(
        artifacts.membershipKey,
        { choice: NO, proof: firstProof.proof, publicSignals: signals },
        context,
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_PROOF',
    });
    await expect(
      verifyEncryptedBallot(artifacts.membershipKey, { choice: YES, ...firstProof }, context),
    ).rejects.toMatchObject({ code: 'MESSAGE_MISMATCH' });
    const otherElection = generateElection({ electionId: 'proposal-encrypted-2', threshold: 2, trusteeCount: 2 });
    await expect(
      verifyEncryptedBallot(
        artifacts.membershipKey,
        { choice: NO, ...firstProof },
        { ...context, electionKey: otherElection.record },
      ),
    ).rejects.toMatchObject({
      code: 'ELECTION_KEY_MISMATCH',
    });
  });

  it('refuses fewer than k trustees and a partial decryption with a wrong proof; no single share decrypts a ballot', async () => {
    const { box } = await boundaryBox();
    const decide = (partials: PartialDecryptionMessage[]) => () =>
      decideEncryptedTally(ART_278_SPECIAL, YES_NO_ABSTAIN, census, box, election.record, partials, table);
    expect(decide(decrypt(box, [2]))).toThrow(expect.objectContaining({ code: 'NOT_ENOUGH_PARTIALS' }));
    const [first, second] = decrypt(box, [1, 3]);
    const wrong = throughJson(first!);
    wrong.partials[0]!.proof.response = ((BigInt(wrong.partials[0]!.proof.response) + 1n) % 2n ** 250n).toString();
    expect(decide([wrong, second!])).toThrow(expect.objectContaining({ code: 'DECRYPTION_PROOF_INVALID' }));

    const ballot = await verifyEncryptedBallot(artifacts.membershipKey, { choice: YES, ...revoteProof }, context);
    for (const share of election.keyShares) {
      expect(decryptToPoint(ballot.ciphertext, share.secretShare).equals(weightPoint(AREAS[0]!))).toBe(false);
    }
  });
});

describe('the encrypted tally section of an election bundle', () => {
  async function section(): Promise<EncryptedTallySection> {
    const ballots = [
      { choice: NO, ...firstProof },
      { choice: YES, ...revoteProof },
    ];
    const box = new EncryptedBallotBox(YES_NO_ABSTAIN);
    for (const ballot of ballots) box.admit(await verifyEncryptedBallot(artifacts.membershipKey, ballot, context));
    const result = decideEncryptedTally(
      ART_278_ORDINARY,
      YES_NO_ABSTAIN,
      census,
      box,
      election.record,
      decrypt(box, [1, 2]),
      table,
    );
    expect(result.totals.get(YES)).toEqual({ heads: 1n, weight: AREAS[0]! });
    return throughJson(
      encryptedTallySection({ ...context, verificationKey: artifacts.membershipKey, census }, ballots, result),
    );
  }

  it('recomputes from the bundle alone: ballots, sums, decryptions, totals and verdict; each tampering is named', async () => {
    const good = await section();
    expect(await verifyEncryptedTallySection(good)).toEqual([]);

    const forgedBallot = throughJson(good);
    const forged = encryptWeight(AREAS[0]! * 2n, publicKey, randomScalar());
    forgedBallot.ballots[1]!.publicSignals.splice(
      3,
      2,
      forged.c2.toAffine().x.toString(),
      forged.c2.toAffine().y.toString(),
    );
    const wrongSum = throughJson(good);
    wrongSum.sums = [good.sums[1]!, good.sums[0]!, good.sums[2]!];
    const wrongPartial = throughJson(good);
    wrongPartial.partialDecryptions[1]!.partials[0]!.proof.challenge = '1';
    const tooFew = throughJson(good);
    tooFew.partialDecryptions = tooFew.partialDecryptions.slice(0, 1);
    const wrongTotal = throughJson(good);
    wrongTotal.totals[YES]!.weight = (AREAS[0]! + 1n).toString();
    const cases: Array<[EncryptedTallySection, { place: string; code: string }]> = [
      [forgedBallot, { place: 'ballots[1]', code: 'INVALID_PROOF' }],
      [wrongSum, { place: 'sums[0]', code: 'SUM_MISMATCH' }],
      [wrongPartial, { place: 'partialDecryptions', code: 'DECRYPTION_PROOF_INVALID' }],
      [tooFew, { place: 'partialDecryptions', code: 'NOT_ENOUGH_PARTIALS' }],
      [wrongTotal, { place: `totals.${YES}`, code: 'TOTAL_MISMATCH' }],
    ];
    for (const [tampered, expected] of cases) {
      expect(await verifyEncryptedTallySection(tampered)).toContainEqual(expect.objectContaining(expected));
    }
  });

  it('is checked by the bundle-verify command: OK for the bundle, FAILED naming the place for a tampered sum', async () => {
    const good = await section();
    const tampered = throughJson(good);
    tampered.sums = [good.sums[1]!, good.sums[0]!, good.sums[2]!];
    const directory = await mkdtemp(join(tmpdir(), 'encrypted-tally-'));
    const run = (file: string) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(
          process.execPath,
          ['scripts/governance/verify-bundle.ts', file],
          { timeout: 120_000 },
          (error, stdout) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }),
        );
      });
    try {
      await writeFile(join(directory, 'good.json'), JSON.stringify(good));
      await writeFile(join(directory, 'tampered.json'), JSON.stringify(tampered));
      const [ok, failed] = await Promise.all([
        run(join(directory, 'good.json')),
        run(join(directory, 'tampered.json')),
      ]);
      expect(ok).toEqual({ code: 0, stdout: expect.stringMatching(/^OK: 2 encrypted ballots verify/) });
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/^FAILED\nsums\[0\]: SUM_MISMATCH/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }, 120_000);
});
