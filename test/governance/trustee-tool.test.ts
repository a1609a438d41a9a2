/**
 * The trustee tool (`npm run trustee`, scripts/governance/trustee.ts) end to end against a
 * real server on loopback, and the encrypted-ballot key activated on the ledger (issue 15):
 * an ENCRYPTED proposal does not open until the community activated an encrypted-ballot key
 * of the snapshot's depth (NO_KEY_FOR_DEPTH; a key of another depth does not do); it pins
 * the key activated. Three trustees (k = 2) each run round1, round2, finish and two of them
 * decrypt, as separate processes holding their state in a passphrase-sealed file; two
 * owners cast real encrypted ballots; the result is the sum of their areas, and the ledger
 * replays to the live state, the pinned key included (a pinned key the ledger did not have
 * active is a difference).
 * @ci-pglite-only: its cost is eleven tool processes (each a Node start and a scrypt) and two
 * real proofs; the SQL it reaches — key activation (census-api.test.ts runs it on both
 * engines), the opening, the trustee messages and the encrypted ballots — is the same on
 * both, and it passes on PostgreSQL run by hand (63 s on 2026-11-30).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTrusteeState, trusteeFinish, type TrusteeState } from '../../src/client/trustee.ts';
import { CourtyardClient } from '../../src/client/typed-api/courtyard-client.ts';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { pointFromJson, randomScalar } from '../../src/governance/encrypted-weights/baby-jubjub.ts';
import type { ElectionKeyRecord } from '../../src/governance/encrypted-weights/election-key.ts';
import { compareGovernanceReplay } from '../../src/governance/governance-replay-check.ts';
import { choiceMessage } from '../../src/governance/proposal-scope.ts';
import { NO, YES, YES_NO_ABSTAIN } from '../../src/governance/tally-rules.ts';
import { listen, type RunningServer } from '../../src/server/server.ts';
import { loadEncryptedBallotArtifactsForDepth, loadMembershipArtifactsForDepth } from '../../src/zk/artifacts-node.ts';
import { terminateCurve } from '../../src/zk/curve.ts';
import { proveEncryptedBallot } from '../../src/zk/encrypted-ballot.ts';
import { membershipLeaf } from '../../src/zk/identity.ts';
import { PoseidonMerkleTree } from '../../src/zk/merkle-tree.ts';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { ACTIVATE_KEY, CLOSE, OPEN, activateEncryptedBallotKey, expectReplayEqualsLive, localId, passClose, window } from './support/governance-fixture.ts';
import { CREATE_ENCRYPTED, createEncryptedWorld, type EncryptedWorld } from './support/encrypted-world.ts';

const AREAS = [10_000, 8_500, 12_000, 9_000];
const PASSPHRASE = 'correct horse battery staple';
const ELECTION = `query ($id: ID!) { proposal(id: $id) { ... on QueryProposalSuccess { data { status snapshot { root depth } scope
  result { totals { option heads weight } }
  election { electionKey ballotKeyHash ballotKeyInsecure partialDecryptions } } } } }`;
const BALLOT = `mutation ($id: ID!, $choice: String!, $proof: String!) { castEncryptedBallot(proposalId: $id, choice: $choice, proof: $proof) {
  __typename ... on MutationCastEncryptedBallotSuccess { data { replaced } } ... on Error { code message } } }`;

let testApp: TestApp;
let server: RunningServer;
let world: EncryptedWorld;
let directory: string;

beforeAll(async () => {
  testApp = await createTestApp();
  world = await createEncryptedWorld(testApp, 'trustee-tool', AREAS, { activateKey: false });
  server = await listen(testApp.app, '127.0.0.1', 0);
  directory = await mkdtemp(join(tmpdir(), 'trustee-tool-'));
}, 120_000);
afterAll(async () => {
  await server?.close();
  await testApp.dispose();
  await terminateCurve();
  await rm(directory, { recursive: true, force: true });
});

/** `npm run trustee -- <step>` as trustee `index` (0-based), a process of its own. */
function trustee(index: number, step: string, proposalId: string, passphrase = PASSPHRASE): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['scripts/governance/trustee.ts', step, '--server', server.url, '--proposal', proposalId, '--state', stateFile(index)], {
      timeout: 120_000,
      env: { ...process.env, COURTYARD_TOKEN: world.trustees[index]!.token, COURTYARD_TRUSTEE_PASSPHRASE: passphrase },
    }, (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}
const stateFile = (index: number) => join(directory, `trustee-${index + 1}.state`);

async function everyTrustee(step: string, proposalId: string, indices = [0, 1, 2]): Promise<string[]> {
  const runs = await Promise.all(indices.map((index) => trustee(index, step, proposalId)));
  for (const run of runs) expect(run).toMatchObject({ code: 0, stderr: '' });
  return runs.map((run) => run.stdout);
}

async function typed(document: string, variables: Record<string, unknown>, token: string): Promise<Record<string, any>> {
  const response = await testApp.graphql(document, variables, token);
  expect(response.errors).toBeUndefined();
  return Object.values(response.data ?? {})[0] as Record<string, any>;
}

describe('the trustee tool and the activated encrypted-ballot key (3 trustees, k = 2, over loopback)', () => {
  it('opens only with an activated key of the snapshot depth; the tool generates the key, finishes and decrypts', async () => {
    const token = world.trustees[0]!.token;
    const created = await typed(CREATE_ENCRYPTED, { communityId: world.communityId, census: 'OWNERS', trustees: world.trustees.map((t) => t.id), threshold: 2, ...window() }, token);
    const id: string = created.data.id;

    expect(await everyTrustee('round1', id)).toEqual([0, 1, 2].map((index) => expect.stringMatching(new RegExp(`^round1: trustee ${index + 1} of 3 \\(k = 2\\)`, 'u'))));
    expect(await readFile(stateFile(0), 'utf8')).toMatch(/^courtyard-trustee-v1:scrypt:17:8:1:/u);
    expect(await trustee(0, 'round1', id)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^USAGE: .* exists/u) });
    expect(await trustee(1, 'round2', id, 'not the passphrase')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^WRONG_PASSPHRASE: /u) });
    await everyTrustee('round2', id);

    // The key: none active, or only one of another depth, refuses the opening; a key of another
    // instance or circuit passed as JSON is refused; the committed key of depth 10 opens it.
    expect(await typed(OPEN, { id }, token)).toMatchObject({ code: 'NO_KEY_FOR_DEPTH' });
    await activateEncryptedBallotKey(testApp, world.communityId, 14);
    expect(await typed(OPEN, { id }, token)).toMatchObject({ code: 'NO_KEY_FOR_DEPTH' });
    const [ballot10, membership10] = await Promise.all([loadEncryptedBallotArtifactsForDepth(10), loadMembershipArtifactsForDepth(10)]);
    for (const [instance, key] of [['encrypted-ballot-14', ballot10.verificationKey], ['encrypted-ballot-10', membership10.verificationKey]] as const) {
      expect(await typed(ACTIVATE_KEY, { communityId: world.communityId, instance, verificationKey: JSON.stringify(key) }, testApp.adminToken))
        .toMatchObject({ code: 'INVALID_INPUT' });
    }
    // As a ceremony would export it (no label): still recognised as the insecure development key.
    const { insecure: _label, ...unlabelled } = ballot10.verificationKey;
    const activated = await activateEncryptedBallotKey(testApp, world.communityId, 10, JSON.stringify(unlabelled));
    expect(activated).toMatchObject({ instance: 'encrypted-ballot-10', depth: 10, insecure: true, hash: ballot10.hashes.verificationKey });
    const membershipKeys = await testApp.graphql(`query ($c: ID!) { activeVerificationKeys(communityId: $c) { instance } }`, { c: world.communityId }, token);
    expect(membershipKeys.data.activeVerificationKeys).toEqual([]);
    await mutate(testApp, 'openProposal', OPEN, { id }, token);
    const opened = (await testApp.graphql(ELECTION, { id }, token)).data.proposal.data;
    expect(opened.election).toMatchObject({ ballotKeyHash: activated.hash, ballotKeyInsecure: true });

    // finish: each trustee's share checks out against its public share; a tampered dealing does not.
    const tampered: TrusteeState = await openTrusteeState(await readFile(stateFile(0), 'utf8'), PASSPHRASE);
    tampered.dealing!.coefficients[0] = (BigInt(tampered.dealing!.coefficients[0]!) + 1n).toString();
    await expect(trusteeFinish(new CourtyardClient({ origin: server.url, token }), id, tampered)).rejects.toMatchObject({ code: 'DKG_MESSAGE_INVALID' });
    await everyTrustee('finish', id);
    const finished = await openTrusteeState(await readFile(stateFile(1), 'utf8'), PASSPHRASE);
    expect(finished.dealing).toBeUndefined();
    expect(finished.share!.publicShare).toEqual((JSON.parse(opened.election.electionKey) as ElectionKeyRecord).verificationKeys[1]);

    // Two owners vote (real proofs at depth 10), the proposal closes, trustees 1 and 3 decrypt.
    const record = JSON.parse(opened.election.electionKey) as ElectionKeyRecord;
    const tree = await PoseidonMerkleTree.build(await Promise.all(world.owners.map((owner) => membershipLeaf(owner.identity.commitment, BigInt(owner.weight)))), 10);
    for (const [owner, choice] of [[0, YES], [2, NO]] as const) {
      const proof = await proveEncryptedBallot(ballot10, {
        secret: world.owners[owner]!.identity.secret, merkleProof: await tree.proof(world.owners[owner]!.leafIndex), area: BigInt(AREAS[owner]!),
        scope: BigInt(opened.scope), message: choiceMessage(YES_NO_ABSTAIN, choice), electionKey: pointFromJson('publicKey', record.publicKey).toAffine(), randomness: randomScalar(),
      });
      expect(await typed(BALLOT, { id, choice, proof: JSON.stringify(proof) }, token)).toMatchObject({ data: { replaced: false } });
    }
    expect(await trustee(0, 'decrypt', id)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^PROPOSAL_STATE: /u) });
    await passClose(testApp, id);
    expect(await mutate(testApp, 'closeProposal', CLOSE, { id }, token)).toMatchObject({ status: 'TALLYING' });
    const [first, third] = await Promise.all([trustee(0, 'decrypt', id), trustee(2, 'decrypt', id)]);
    expect([first.code, third.code]).toEqual([0, 0]);
    expect(`${first.stdout}${third.stdout}`).toMatch(/the tally is decided/u);
    const decided = (await testApp.graphql(ELECTION, { id }, token)).data.proposal.data;
    expect(decided.election.partialDecryptions).toBe(2);
    expect(decided.result.totals).toEqual([
      { option: YES, heads: '1', weight: String(AREAS[0]) }, { option: NO, heads: '1', weight: String(AREAS[2]) }, { option: 'abstain', heads: '0', weight: '0' },
    ]);
    await expectReplayEqualsLive(testApp, world.communityId);
    // A pinned key other than the one the ledger had active at the opening is a replay difference.
    const connection = testApp.database.orm.em.getConnection();
    await connection.execute('update governance_elections set ballot_key_hash = ? where proposal_id = ?', [(await loadEncryptedBallotArtifactsForDepth(14)).hashes.verificationKey, localId(id)]);
    const { differences } = await compareGovernanceReplay(testApp.database.orm.em.fork() as unknown as SqlEntityManager, localId(world.communityId));
    expect(differences).toEqual([{ description: expect.stringMatching(/the pinned encrypted-ballot key is not the one the ledger had active at the opening/u) }]);
  }, 300_000);
});
