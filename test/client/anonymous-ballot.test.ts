/**
 * The SDK's anonymous ballot, end to end in Node over real HTTP: a resident redeems an
 * invite with a commitment made on the device, reads the proposal and the census's public
 * leaves with the typed operations, rebuilds the pinned tree, proves, votes with no
 * session, votes again (the tally changes, it does not grow), and after the close checks
 * the receipt is included and counts. Two real proofs.
 */
import { mutate, type TestApp } from '../support/app.ts';
import { serveProofCommunity, type ProofCommunity } from '../support/proof-community.ts';
import type { CommunityFixture } from '../support/fixtures.ts';
import {
  CLOSE,
  CREATE,
  OPEN,
  localId,
  passClose,
  seedOwners,
  window,
} from '../governance/support/governance-fixture.ts';
import type { RunningServer } from '../../src/server/server.ts';
import { loadMembershipArtifacts, type MembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import {
  proposalScope as serverProposalScope,
  suggestionScope as serverSuggestionScope,
} from '../../src/governance/proposal-scope.ts';
import { suggestionMessage as serverSuggestionMessage } from '../../src/governance/suggestions.ts';
import {
  CourtyardClient,
  CensusParticipationError,
  castAnonymousBallot,
  checkBallotReceipt,
  createIdentity,
  fetchCensusLeaves,
  fetchProposal,
  operations,
  proposalScope,
  proveAnonymousBallot,
  requireSuccess,
  suggestionMessage,
  suggestionScope,
  type Identity,
} from '../../src/client/index.ts';

const INVITE = `mutation ($communityId: ID!, $accountId: ID) {
  createCensusInvite(communityId: $communityId, kind: OWNERS, accountId: $accountId) {
    __typename ... on MutationCreateCensusInviteSuccess { data { code } } ... on Error { code message } } }`;

let served: ProofCommunity;
let testApp: TestApp;
let server: RunningServer;
let community: CommunityFixture;
let committee: { id: string; token: string };
let resident: CourtyardClient;
let identity: Identity;
let artifacts: MembershipArtifacts;
let proposalId: string;

beforeAll(async () => {
  served = await serveProofCommunity('sdk-ballot');
  ({ testApp, server, community, committee } = served);
  await seedOwners(testApp, community.id, [6000, 7000]);
  const { code } = await mutate(
    testApp,
    'createCensusInvite',
    INVITE,
    { communityId: community.id, accountId: community.residentAccountId },
    community.managerToken,
  );
  resident = new CourtyardClient({ origin: server.url, token: community.residentToken });
  identity = await createIdentity();
  const joined = requireSuccess(
    (
      await resident.request(operations.JOIN_CENSUS, {
        inviteCode: code,
        identityCommitment: String(identity.commitment),
      })
    ).joinCensus,
  );
  expect(joined).toMatchObject({ kind: 'OWNERS', headCount: 3, identityCommitment: String(identity.commitment) });
  const created = await mutate(
    testApp,
    'createProposal',
    CREATE,
    {
      communityId: community.id,
      title: 'Repaint the gate',
      body: 'Yes or no.',
      matter: 5,
      census: 'OWNERS',
      mode: 'ANONYMOUS',
      ...window(),
    },
    committee.token,
  );
  proposalId = (await mutate(testApp, 'openProposal', OPEN, { id: created.id }, committee.token)).id;
  artifacts = await loadMembershipArtifacts('membership-10');
}, 120_000);

afterAll(async () => {
  await served?.dispose();
});

describe('anonymous ballot through the SDK', () => {
  it('computes scopes and messages as the server does', () => {
    expect(proposalScope(proposalId)).toBe(serverProposalScope(localId(proposalId)));
    expect(suggestionScope(community.id, '2026-11-30', 2)).toBe(
      serverSuggestionScope(localId(community.id), '2026-11-30', 2),
    );
    expect(suggestionMessage('灯坏了', 'Lamp at gate 3')).toBe(serverSuggestionMessage('灯坏了', 'Lamp at gate 3'));
  });

  it('votes, votes again (the tally changes, it does not grow) and finds the receipt in the result', async () => {
    const proposal = await fetchProposal(resident, proposalId);
    const leaves = await fetchCensusLeaves(resident, community.id, 'OWNERS');
    expect(leaves).toHaveLength(3);

    const first = await proveAnonymousBallot(artifacts, { identity, proposal, choice: 'yes', leaves });
    const receipt = await castAnonymousBallot(resident, { proposalId, choice: 'yes', proof: first });
    expect(receipt).toMatchObject({ proposalId, choice: 'yes', replaced: false, nullifier: first.nullifier });
    const afterFirst = (await fetchProposal(resident, proposalId)).liveTally;
    expect(afterFirst).toEqual([
      { option: 'yes', heads: '1', weight: '8950' },
      { option: 'no', heads: '0', weight: '0' },
      { option: 'abstain', heads: '0', weight: '0' },
    ]);

    const second = await proveAnonymousBallot(artifacts, { identity, proposal, choice: 'no', leaves });
    expect(second.nullifier).toBe(first.nullifier);
    const revote = await castAnonymousBallot(resident, { proposalId, choice: 'no', proof: second });
    expect(revote).toMatchObject({ replaced: true, choice: 'no' });
    expect((await fetchProposal(resident, proposalId)).liveTally).toEqual([
      { option: 'yes', heads: '0', weight: '0' },
      { option: 'no', heads: '1', weight: '8950' },
      { option: 'abstain', heads: '0', weight: '0' },
    ]);

    await passClose(testApp, proposalId);
    await mutate(testApp, 'closeProposal', CLOSE, { id: proposalId }, committee.token);
    const latest = await checkBallotReceipt(resident, { proposalId, nullifier: revote.nullifier! });
    expect(latest).toMatchObject({ included: true, counted: true });
    expect(latest.inclusionProof.length).toBeGreaterThan(0);
    // The first ballot is on the record too, but no longer counts.
    const replaced = await resident.request(operations.CHECK_BALLOT_RECEIPT, {
      proposalId,
      ballotId: receipt.ballotId,
      nullifier: null,
    });
    expect(requireSuccess(replaced.checkBallotReceipt)).toMatchObject({ included: true, counted: false });
  }, 120_000);

  it('refuses, before proving, a scope that is not the proposal’s, an unknown choice and a closed proposal', async () => {
    const proposal = await fetchProposal(resident, proposalId);
    const leaves = await fetchCensusLeaves(resident, community.id, 'OWNERS');
    const open = { ...proposal, status: 'OPEN' };
    const refusal = (input: Parameters<typeof proveAnonymousBallot>[1]) =>
      proveAnonymousBallot(artifacts, input).catch((error: unknown) => (error as CensusParticipationError).code);
    expect(await refusal({ identity, proposal, choice: 'yes', leaves })).toBe('PROPOSAL_NOT_OPEN');
    expect(await refusal({ identity, proposal: { ...open, scope: '1' }, choice: 'yes', leaves })).toBe(
      'SCOPE_MISMATCH',
    );
    expect(await refusal({ identity, proposal: open, choice: 'maybe', leaves })).toBe('UNKNOWN_CHOICE');
    expect(await refusal({ identity: await createIdentity(), proposal: open, choice: 'yes', leaves })).toBe(
      'NOT_IN_CENSUS',
    );
    expect(await refusal({ identity, proposal: open, choice: 'yes', leaves: leaves.slice(1) })).toBe(
      'CENSUS_INCOMPLETE',
    );
  });
});
