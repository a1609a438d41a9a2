/**
 * Anonymous voting end to end over HTTP with real proofs of the committed membership
 * circuit: 30 owners vote without logging in; one nullifier sent by 20 concurrent clients
 * counts once (the last ballot counts, a re-vote replaces); a proof for another proposal,
 * a root other than the pinned one, a weight that does not match the leaf, a choice
 * changed after proving, a signal plus the field modulus and random bytes are each refused
 * with a typed code, writing nothing; after the close nothing is accepted, and every
 * receipt's ballot is in the checkpoint the result cites.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { verifyComplianceBundle } from '../../src/regulators/compliance-bundles.ts';
import { verifyElectionBundle, type ElectionBundle } from '../../src/governance/election-bundle.ts';
import { censusMerkleProof } from '../../src/census/census-tree-service.ts';
import { fromHex } from '../../src/ledger/merkle-hash.ts';
import { verifyInclusion } from '../../src/ledger/proof-verifier.ts';
import { loadMembershipArtifacts, type MembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { SNARK_SCALAR_FIELD } from '../../src/zk/field.ts';
import { membershipNullifier } from '../../src/zk/identity.ts';
import { proveMembership, type MembershipProof } from '../../src/zk/prover.ts';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { activateMembershipKey } from '../support/proof-community.ts';
import {
  ANONYMOUS, CLOSE, CREATE, expectReplayEqualsLive, OPEN, PROPOSAL, countRows, createBareCommunity, createCommittee, localId, passClose, seedOwners, window, type SeededOwner,
} from './support/governance-fixture.ts';

const OWNERS = 30;
const CHECK_RECEIPT = `query ($id: ID!, $nullifier: String, $ballotId: ID) { checkBallotReceipt(proposalId: $id, nullifier: $nullifier, ballotId: $ballotId) {
  __typename ... on QueryCheckBallotReceiptSuccess { data { included counted ledgerSeq leafHash checkpointTreeSize checkpointRootHash inclusionProof } }
  ... on Error { code message } } }`;

let testApp: TestApp;
let communityId: string;
let committee: { id: string; token: string };
let owners: SeededOwner[];
let proposalA: { id: string; scope: bigint; messages: Record<string, bigint> };
let proposalB: { id: string; scope: bigint };
let ballots: MembershipProof[];
let revote: MembershipProof;
let forB: MembershipProof;
let latecomer: MembershipProof;

async function openAnonymous(title: string) {
  const created = await mutate(testApp, 'createProposal', CREATE, {
    communityId, title, body: 'Choose.', matter: 4, census: 'OWNERS', mode: 'ANONYMOUS', ...window(),
  }, committee.token);
  const opened = await mutate(testApp, 'openProposal', OPEN, { id: created.id }, committee.token);
  return { id: opened.id as string, scope: BigInt(opened.scope), messages: Object.fromEntries(opened.options.map((o: any) => [o.id, BigInt(o.message)])) };
}

async function prove(artifacts: MembershipArtifacts, owner: SeededOwner, scope: bigint, message: bigint): Promise<MembershipProof> {
  const em = testApp.database.orm.em.fork() as unknown as SqlEntityManager;
  return proveMembership(artifacts, {
    secret: owner.identity.secret,
    merkleProof: await censusMerkleProof(em, localId(communityId), 'owners', owner.leafIndex),
    attribute: BigInt(owner.weight),
    scope,
    message,
  });
}

const cast = (proof: unknown, choice: string, id = proposalA.id) =>
  testApp.graphql(ANONYMOUS, { id, choice, proof: typeof proof === 'string' ? proof : JSON.stringify(proof) }, null);

beforeAll(async () => {
  testApp = await createTestApp();
  communityId = await createBareCommunity(testApp, 'anonymous-ballots');
  committee = await createCommittee(testApp, 'anonymous-committee', [communityId]);
  await activateMembershipKey(testApp, communityId);
  owners = await seedOwners(testApp, communityId, Array.from({ length: OWNERS }, (_, index) => 5000 + index * 10));
  proposalA = await openAnonymous('A');
  proposalB = await openAnonymous('B');
  const artifacts = await loadMembershipArtifacts('membership-10');
  ballots = [];
  for (const [index, owner] of owners.entries()) ballots.push(await prove(artifacts, owner, proposalA.scope, proposalA.messages[index < 20 ? 'yes' : 'no']!));
  revote = await prove(artifacts, owners[0]!, proposalA.scope, proposalA.messages['no']!);
  forB = await prove(artifacts, owners[1]!, proposalB.scope, proposalA.messages['yes']!);
  // A member who joins after the opening proves against the new root, which is not pinned.
  const [late] = await seedOwners(testApp, communityId, [7000]);
  latecomer = await prove(artifacts, late!, proposalA.scope, proposalA.messages['yes']!);
}, 300_000);
afterAll(() => testApp.dispose());

async function tally(): Promise<Array<{ option: string; heads: string; weight: string }>> {
  return (await testApp.graphql(PROPOSAL, { id: proposalA.id }, committee.token)).data.proposal.data.liveTally;
}

describe('anonymous ballots over HTTP', () => {
  it('accepts the ballots of 30 owners, without login, 8 at a time', async () => {
    for (let start = 0; start < OWNERS; start += 8) {
      const results = await Promise.all(ballots.slice(start, start + 8).map((proof, offset) => cast(proof, start + offset < 20 ? 'yes' : 'no')));
      for (const result of results) expect(result.data.castAnonymousBallot).toMatchObject({ __typename: 'MutationCastAnonymousBallotSuccess', data: { replaced: false } });
    }
    const weights = owners.map((owner) => owner.weight);
    const sum = (values: number[]) => String(values.reduce((a, b) => a + b, 0));
    expect(await tally()).toEqual([
      { option: 'yes', heads: '20', weight: sum(weights.slice(0, 20)) },
      { option: 'no', heads: '10', weight: sum(weights.slice(20)) },
      { option: 'abstain', heads: '0', weight: '0' },
    ]);
  });

  it('counts one nullifier sent by 20 concurrent clients once, the re-vote replacing the earlier ballot', async () => {
    const before = await countRows(testApp, 'governance_ballots');
    const results = await Promise.all(Array.from({ length: 20 }, () => cast(revote, 'no')));
    for (const result of results) expect(result.data.castAnonymousBallot).toMatchObject({ data: { replaced: true, choice: 'no' } });
    expect(await countRows(testApp, 'governance_ballots')).toBe(before + 20);
    const [nullifiers] = await testApp.database.orm.em.getConnection().execute(
      'select count(*)::int as count from census_nullifiers where scope = ?', [proposalA.scope.toString()]);
    expect(nullifiers!.count).toBe(OWNERS);
    const [yes, no] = await tally();
    expect([yes!.heads, no!.heads]).toEqual(['19', '11']);
  });

  it.each([
    ['a proof for another proposal', () => cast(forB, 'yes'), 'SCOPE_MISMATCH'],
    ['a root other than the pinned one', () => cast(latecomer, 'yes'), 'ROOT_NOT_PINNED'],
    ['a weight that does not match the leaf', () => cast(tamper(ballots[2]!, 2, (value) => value + 1n), 'yes'), 'INVALID_PROOF'],
    ['a choice changed after proving', () => cast(ballots[3]!, 'no'), 'MESSAGE_MISMATCH'],
    ['a public signal plus the field modulus', () => cast(tamper(ballots[4]!, 0, (value) => value + SNARK_SCALAR_FIELD), 'yes'), 'PUBLIC_SIGNAL_OUT_OF_FIELD'],
    ['random printable bytes', () => cast(Buffer.from(crypto.getRandomValues(new Uint8Array(300))).toString('base64'), 'yes'), 'PROOF_MALFORMED'],
    // Control characters are refused for every String argument before any domain check.
    ['random binary bytes', () => cast('\u0000\u0007' + Buffer.from(crypto.getRandomValues(new Uint8Array(300))).toString('latin1'), 'yes'), 'INVALID_INPUT'],
    ['a choice the proposal does not offer', () => cast(ballots[5]!, 'maybe'), 'UNKNOWN_CHOICE'],
  ])('refuses %s with a typed code, writing nothing', async (_name, send, code) => {
    // Accepted ballots are answered at their commit and sequenced just after: let that finish, so it does not move rows meanwhile.
    await testApp.app.services.transactions.settled();
    const counts = () => Promise.all(['governance_ballots', 'governance_current_ballots', 'census_nullifiers', 'ledger_pending', 'ledger_entries'].map((table) => countRows(testApp, table)));
    const before = await counts();
    const result = await send();
    expect(result.data.castAnonymousBallot).toMatchObject({ code });
    expect(await counts()).toEqual(before);
  });

  it('answers a ballot at its commit; the receipt\'s ledgerSeq, resolved when read, names the ballot\'s entry', async () => {
    const cast = await testApp.graphql(`mutation ($id: ID!, $choice: String!, $proof: String!) { castAnonymousBallot(proposalId: $id, choice: $choice, proof: $proof) {
      __typename ... on MutationCastAnonymousBallotSuccess { data { ballotId nullifier ledgerEntryId ledgerSeq } } ... on Error { code message } } }`,
    { id: proposalB.id, choice: 'yes', proof: JSON.stringify(forB) }, null);
    const receipt = cast.data.castAnonymousBallot.data;
    expect(receipt).toMatchObject({ nullifier: forB.publicSignals[0] });
    const entry = await testApp.graphql(`query ($c: ID!, $seq: BigInt!) { ledgerEntry(communityId: $c, seq: $seq) { seq type payload } }`,
      { c: communityId, seq: receipt.ledgerSeq }, committee.token);
    const data = entry.data.ledgerEntry;
    expect(data).toMatchObject({ seq: receipt.ledgerSeq, type: 'governance.ballot' });
    expect(JSON.parse(data.payload)).toMatchObject({ proposal: localId(proposalB.id), ballot: receipt.ballotId, nullifier: receipt.nullifier });
  });

  it('accepts nothing after the close, and lets anyone check a receipt against the checkpoint the result cites', async () => {
    await passClose(testApp, proposalA.id);
    expect((await cast(ballots[6]!, 'yes')).data.castAnonymousBallot.code).toBe('PROPOSAL_CLOSED');
    const closed = await mutate(testApp, 'closeProposal', CLOSE, { id: proposalA.id }, committee.token);
    expect(closed.result).toMatchObject({ participatingHeads: '30', passed: true, ballotsCast: OWNERS + 20 });
    const nullifier = (await membershipNullifier(proposalA.scope, owners[7]!.identity.secret)).toString();
    const check = await testApp.graphql(CHECK_RECEIPT, { id: proposalA.id, nullifier }, null);
    const receipt = check.data.checkBallotReceipt.data;
    expect(receipt).toMatchObject({ included: true, counted: true, checkpointTreeSize: closed.result.checkpointTreeSize, checkpointRootHash: closed.result.checkpointRootHash });
    expect(verifyInclusion(Number(receipt.ledgerSeq), receipt.checkpointTreeSize, fromHex(receipt.leafHash), receipt.inclusionProof.map(fromHex), fromHex(receipt.checkpointRootHash))).toBe(true);
    // The re-voting owner's first ballot is on the record but no longer counts.
    const [first] = await testApp.database.orm.em.getConnection().execute(
      'select id from governance_ballots where proposal_id = ? and nullifier = ? order by ledger_entry_id limit 1',
      [localId(proposalA.id), (await membershipNullifier(proposalA.scope, owners[0]!.identity.secret)).toString()]);
    const replaced = (await testApp.graphql(CHECK_RECEIPT, { id: proposalA.id, ballotId: first!.id }, null)).data.checkBallotReceipt.data;
    expect(replaced).toMatchObject({ included: true, counted: false });
  });
});

describe('the record', () => {
  it('replays from the ledger alone to the live state, re-votes included', async () => {
    expect(await expectReplayEqualsLive(testApp, communityId)).toBe(2);
  });
});

describe('the election bundle', () => {
  let bundle: ElectionBundle;
  let directory: string;

  beforeAll(async () => {
    const exported = await testApp.graphql(`query ($id: ID!) { electionBundle(proposalId: $id) {
      __typename ... on QueryElectionBundleSuccess { data } ... on Error { code message } } }`, { id: proposalA.id }, committee.token);
    bundle = JSON.parse(exported.data.electionBundle.data);
    directory = await mkdtemp(join(tmpdir(), 'election-bundle-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('verifies offline with the bundle-verify command, and each proof with stock snarkjs groth16 verify', async () => {
    expect(bundle.ballots).toHaveLength(OWNERS + 20);
    const file = join(directory, 'election.json');
    await writeFile(file, JSON.stringify(bundle));
    const verified = await run(process.execPath, ['scripts/governance/verify-bundle.ts', file]);
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.stdout).toContain(`OK: ${OWNERS + 20} ballots match the log, ${OWNERS + 20} proofs verify`);
    // The regulators' one command for every compliance bundle takes it too.
    const compliance = await run(process.execPath, ['scripts/compliance/verify.ts', file]);
    expect(compliance).toMatchObject({ code: 0 });
    expect(compliance.stdout).toMatch(/^OK courtyard-election-bundle\/v1: /m);
    // The documented stock command, on one ballot.
    await writeFile(join(directory, 'verification_key.json'), JSON.stringify(bundle.verificationKey));
    await writeFile(join(directory, 'public.json'), JSON.stringify(bundle.ballots[9]!.proof!.publicSignals));
    await writeFile(join(directory, 'proof.json'), JSON.stringify(bundle.ballots[9]!.proof!.proof));
    const stock = await run('node_modules/.bin/snarkjs', ['groth16', 'verify', join(directory, 'verification_key.json'), join(directory, 'public.json'), join(directory, 'proof.json')]);
    expect(stock.stdout).toContain('OK!');
  });

  it.each([
    ['one ballot', (copy: ElectionBundle) => void (copy.ballots[4]!.choice = 'no'), 'ballots[4]'],
    ['one ballot\'s proof', (copy: ElectionBundle) => void ((copy.ballots[5]!.proof!.proof as { pi_a: string[] }).pi_a = (copy.ballots[6]!.proof!.proof as { pi_a: string[] }).pi_a), 'ballots[5]'],
    ['one ledger entry', (copy: ElectionBundle) => void (copy.ledger.entries.find((entry) => entry.type === 'governance.ballot')!.payload['choice'] = 'abstain'), 'ledger'],
    ['one signature', (copy: ElectionBundle) => void (copy.ledger.checkpoint = alterSignature(copy.ledger.checkpoint)), 'ledger'],
    ['one census leaf', (copy: ElectionBundle) => void (copy.census.leaves[3]!.weight = String(Number(copy.census.leaves[3]!.weight) + 1)), 'census'],
  ])('fails after %s is altered, naming the place', async (_name, alter, place) => {
    const copy = structuredClone(bundle);
    alter(copy);
    const result = await verifyElectionBundle(copy);
    expect(result.valid).toBe(false);
    expect(result.problems.map((problem) => problem.place)).toContain(place);
    const compliance = await verifyComplianceBundle(copy);
    expect(compliance.valid).toBe(false);
    expect(compliance.problems.map((problem) => problem.place)).toContain(place);
  });
});

/** Flips one base64 character inside the log's signature (past the 4-byte key hash). */
function alterSignature(note: string): string {
  return note.replace(/^(— \S+ )(\S{20})(\S)/mu, (_match, head: string, kept: string, flipped: string) => `${head}${kept}${flipped === 'A' ? 'B' : 'A'}`);
}

function run(command: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 120_000 }, (error, stdout) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }));
  });
}

function tamper(proof: MembershipProof, index: number, change: (value: bigint) => bigint): MembershipProof {
  const publicSignals = [...proof.publicSignals];
  publicSignals[index] = change(BigInt(publicSignals[index]!)).toString();
  return { ...proof, publicSignals };
}
