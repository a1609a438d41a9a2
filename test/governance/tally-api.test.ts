/**
 * Art. 278 tallies through the API, at every boundary: named proposals on an owners
 * census whose areas are chosen so that each case sits exactly on (or one 0.01 m² or one
 * owner off) a threshold; the committee enters paper ballots by census leaf, closes the
 * proposal, and the result entry on the ledger carries the verdict and a checkpoint.
 *
 * Census (six owners, 0.01 m²): a 10000, b 5001, c 5000, d 4999, e 4000, f 1000 —
 * 6 heads, 30000 in all; 2/3 is 4 heads and 20000.
 */
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { addHouseholdMember, createAccount, createCommunityFixture, PASSWORD, registerHousehold, type CommunityFixture } from '../support/fixtures.ts';
import { createIdentity } from '../../src/zk/identity.ts';
import { CLOSING_GRACE_MS, closeDueProposals } from '../../src/governance/closing-job.ts';
import { compareGovernanceReplay } from '../../src/governance/governance-replay-check.ts';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import {
  CLOSE, CREATE, NAMED, expectReplayEqualsLive, OPEN, PAPER, PROPOSAL, countRows, createBareCommunity, createCommittee, localId, passClose, seedOwners, window,
} from './support/governance-fixture.ts';

let testApp: TestApp;
let communityId: string;
let committee: { id: string; token: string };
let fixture: CommunityFixture;
const leaf: Record<string, number> = {};

beforeAll(async () => {
  testApp = await createTestApp();
  communityId = await createBareCommunity(testApp, 'tally-boundaries');
  fixture = await createCommunityFixture(testApp, 'tally-three-units');
  committee = await createCommittee(testApp, 'tally-committee', [communityId, fixture.id]);
  const owners = await seedOwners(testApp, communityId, [10000, 5001, 5000, 4999, 4000, 1000]);
  ['a', 'b', 'c', 'd', 'e', 'f'].forEach((name, index) => (leaf[name] = owners[index]!.leafIndex));
}, 60_000);
afterAll(() => testApp.dispose());

async function proposal(matter: number, extra: Record<string, unknown> = {}, community = communityId) {
  const created = await mutate(testApp, 'createProposal', CREATE, {
    communityId: community, title: `Item ${matter}`, body: 'Decide it.', matter, census: 'OWNERS', mode: 'NAMED', ...window(), ...extra,
  }, committee.token);
  return (await mutate(testApp, 'openProposal', OPEN, { id: created.id }, committee.token)).id as string;
}

async function vote(id: string, ballots: Record<string, string>) {
  for (const [name, choice] of Object.entries(ballots)) await mutate(testApp, 'enterPaperBallot', PAPER, { id, leafIndex: leaf[name], choice }, committee.token);
}

async function close(id: string) {
  await passClose(testApp, id);
  return mutate(testApp, 'closeProposal', CLOSE, { id }, committee.token);
}

describe('participation (quorum): at least 2/3 of the area and at least 2/3 of the owners', () => {
  it('is met at exactly 2/3 of both (4 of 6 owners, 20000 of 30000)', async () => {
    const id = await proposal(4);
    await vote(id, { a: 'yes', c: 'yes', e: 'yes', f: 'no' });
    const closed = await close(id);
    expect(closed.result).toMatchObject({ participatingHeads: '4', participatingWeight: '20000', participationMet: true, passed: true, adopted: 'yes' });
    expect(closed.result.explanations[0]).toBe('participation: 20000 × 3 = 60000 = 2 × 30000 = 60000: at least 2/3 of 30000, met');
  });

  it('is not met one 0.01 m² below (4 owners, 19999)', async () => {
    const id = await proposal(4);
    await vote(id, { a: 'yes', d: 'yes', e: 'yes', f: 'yes' });
    const closed = await close(id);
    expect(closed.result).toMatchObject({ participatingHeads: '4', participatingWeight: '19999', participationMet: false, passed: false, adopted: null });
  });

  it('is not met one owner below (3 owners holding 20001)', async () => {
    const id = await proposal(4);
    await vote(id, { a: 'yes', b: 'yes', c: 'yes' });
    const closed = await close(id);
    expect(closed.result).toMatchObject({ participatingHeads: '3', participatingWeight: '20001', participationMet: false, passed: false });
  });
});

describe('approval', () => {
  it('fails an ordinary matter at exactly half yes (3 of 6 owners, 15000 of 30000)', async () => {
    const id = await proposal(5);
    await vote(id, { a: 'yes', e: 'yes', f: 'yes', b: 'no', c: 'no', d: 'abstain' });
    const closed = await close(id);
    expect(closed.result).toMatchObject({ participationMet: true, passed: false, adopted: null });
    expect(closed.result.totals).toEqual([
      { option: 'yes', heads: '3', weight: '15000' }, { option: 'no', heads: '2', weight: '10001' }, { option: 'abstain', heads: '1', weight: '4999' },
    ]);
  });

  it('fails with a majority of the area but not of the owners, and with a majority of the owners but not of the area', async () => {
    const areaOnly = await proposal(1);
    await vote(areaOnly, { a: 'yes', b: 'yes', c: 'no', d: 'no', e: 'no', f: 'no' });
    expect((await close(areaOnly)).result).toMatchObject({ participationMet: true, passed: false });
    const headsOnly = await proposal(1);
    await vote(headsOnly, { a: 'no', b: 'no', c: 'yes', d: 'yes', e: 'yes', f: 'yes' });
    expect((await close(headsOnly)).result).toMatchObject({ participationMet: true, passed: false });
  });

  it('passes a special matter (item 7) at exactly 3/4 of the participating area and owners', async () => {
    const id = await proposal(7);
    await vote(id, { a: 'yes', e: 'yes', f: 'yes', c: 'no' });
    const closed = await close(id);
    expect(closed.result).toMatchObject({ participatingHeads: '4', participatingWeight: '20000', participationMet: true, passed: true });
    expect(closed.result.explanations).toContain('yes: 15000 × 4 = 60000 = 3 × 20000 = 60000: at least 3/4 of 20000, met');
  });

  it('fails a special matter below 3/4 (3 of 5 owners, 15000 of 25000)', async () => {
    const id = await proposal(6);
    await vote(id, { a: 'yes', d: 'no', e: 'yes', f: 'yes', b: 'no' });
    // 5 participants, 25000: yes 15000 of 25000 and 3 of 5 heads are both below 3/4.
    expect((await close(id)).result).toMatchObject({ participationMet: true, passed: false });
  });
});

describe('ballots by name and on paper', () => {
  it('counts an owner of three units once by head with the sum of their areas', async () => {
    for (const [label, area] of [['2栋 301', 12050], ['2栋 302', 7000]] as const) {
      const household = await registerHousehold(testApp, fixture.managerToken, { communityId: fixture.id, unitLabel: label, floorAreaCentiSquareMetres: area });
      await addHouseholdMember(testApp, fixture.managerToken, { householdId: household.id, relation: 'OWNER', name: '张伟', accountId: fixture.residentAccountId });
    }
    const invite = await mutate(testApp, 'createCensusInvite', `mutation ($c: ID!, $a: ID) { createCensusInvite(communityId: $c, kind: OWNERS, accountId: $a) {
      __typename ... on MutationCreateCensusInviteSuccess { data { code } } ... on Error { code message } } }`, { c: fixture.id, a: fixture.residentAccountId }, fixture.managerToken);
    await mutate(testApp, 'joinCensus', `mutation ($code: String!, $c: String!) { joinCensus(inviteCode: $code, identityCommitment: $c) {
      __typename ... on MutationJoinCensusSuccess { data { weight } } ... on Error { code message } } }`,
    { code: invite.code, c: (await createIdentity()).commitment.toString() }, fixture.residentToken);
    const id = await proposal(2, {}, fixture.id);
    const opened = await testApp.graphql(PROPOSAL, { id }, fixture.residentToken);
    expect(opened.data.proposal.data.snapshot).toMatchObject({ headCount: '1', totalWeight: String(8950 + 12050 + 7000) });
    const cast = await testApp.graphql(NAMED, { id, choice: 'yes' }, fixture.residentToken);
    expect(cast.data.castNamedBallot).toMatchObject({ __typename: 'MutationCastNamedBallotSuccess', data: { choice: 'yes', replaced: false } });
    const again = await mutate(testApp, 'castNamedBallot', NAMED, { id, choice: 'no' }, fixture.residentToken);
    expect(again.replaced).toBe(true);
    const tally = await testApp.graphql(PROPOSAL, { id }, fixture.residentToken);
    expect(tally.data.proposal.data.liveTally).toEqual([
      { option: 'yes', heads: '0', weight: '0' }, { option: 'no', heads: '1', weight: '28000' }, { option: 'abstain', heads: '0', weight: '0' },
    ]);
    // The committee's paper ballot supersedes the online one; an online ballot after it is refused.
    await mutate(testApp, 'enterPaperBallot', PAPER, { id, leafIndex: 0, choice: 'yes' }, committee.token);
    expect((await testApp.graphql(NAMED, { id, choice: 'no' }, fixture.residentToken)).data.castNamedBallot.code).toBe('SUPERSEDED_BY_PAPER');
    const closed = await close(id);
    expect(closed.result).toMatchObject({ participatingHeads: '1', participatingWeight: '28000', passed: true, ballotsCast: 3 });
  });

  it('refuses ballots from outside the pinned census, by the wrong role, in the wrong mode and after the close, writing nothing', async () => {
    const id = await proposal(3);
    const before = await countRows(testApp, 'governance_ballots');
    const entries = await countRows(testApp, 'ledger_pending') + await countRows(testApp, 'ledger_entries');
    expect((await testApp.graphql(NAMED, { id, choice: 'yes' }, committee.token)).data.castNamedBallot.code).toBe('NOT_A_CENSUS_MEMBER');
    expect((await testApp.graphql(PAPER, { id, leafIndex: 99, choice: 'yes' }, committee.token)).data.enterPaperBallot.code).toBe('NOT_A_CENSUS_MEMBER');
    expect((await testApp.graphql(PAPER, { id, leafIndex: 0, choice: 'maybe' }, committee.token)).data.enterPaperBallot.code).toBe('UNKNOWN_CHOICE');
    expect((await testApp.graphql(PAPER, { id, leafIndex: 0, choice: 'yes' }, fixture.managerToken)).data.enterPaperBallot.code).toBe('NOT_FOUND');
    await passClose(testApp, id);
    expect((await testApp.graphql(PAPER, { id, leafIndex: 0, choice: 'yes' }, committee.token)).data.enterPaperBallot.code).toBe('PROPOSAL_CLOSED');
    expect(await countRows(testApp, 'governance_ballots')).toBe(before);
    expect(await countRows(testApp, 'ledger_pending') + await countRows(testApp, 'ledger_entries')).toBe(entries);
  });

  it('records the snapshot at opening and the result with its checkpoint on the ledger, without names', async () => {
    const rows: Array<{ type: string; payload: Record<string, unknown> }> = await testApp.database.orm.em.getConnection().execute(
      `select type, payload from ledger_entries where community_id = ? and type like 'governance.%' order by seq`, [localId(communityId)]);
    const opened = rows.find((row) => row.type === 'governance.open')!;
    expect(opened.payload).toMatchObject({ census: 'owners', heads: '6', weight: '30000', depth: 10, size: 6 });
    const result = rows.find((row) => row.type === 'governance.result')!;
    expect(result.payload).toMatchObject({ rule: { kind: 'art-278-ordinary' }, snapshot: { heads: '6', weight: '30000' }, final: true });
    const checkpoint = result.payload['checkpoint'] as { treeSize: number; rootHash: string };
    const [stored] = await testApp.database.orm.em.getConnection().execute(
      `select encode(root_hash, 'hex') as root from ledger_checkpoints where community_id = ? and tree_size = ?`, [localId(communityId), checkpoint.treeSize]);
    expect(stored!.root).toBe(checkpoint.rootHash);
  });
});

describe('named ballots in a households poll', () => {
  const NAMED_FOR = `mutation ($id: ID!, $choice: String!, $household: ID) { castNamedBallot(proposalId: $id, choice: $choice, householdId: $household) {
    __typename ... on MutationCastNamedBallotSuccess { data { choice replaced } } ... on Error { code message } } }`;
  const INVITE = `mutation ($c: ID!, $h: ID) { createCensusInvite(communityId: $c, kind: HOUSEHOLDS, householdId: $h) {
    __typename ... on MutationCreateCensusInviteSuccess { data { code } } ... on Error { code message } } }`;
  const JOIN = `mutation ($code: String!, $c: String!) { joinCensus(inviteCode: $code, identityCommitment: $c) {
    __typename ... on MutationJoinCensusSuccess { data { leafIndex } } ... on Error { code message } } }`;

  it("counts one ballot per household, cast by any of its members, and asks a member of two households which one", async () => {
    const homes = await createCommunityFixture(testApp, 'tally-households');
    const homesCommittee = await createCommittee(testApp, 'tally-households-committee', [homes.id]);
    const second = await registerHousehold(testApp, homes.managerToken, { communityId: homes.id, unitLabel: '5栋 101', floorAreaCentiSquareMetres: 9000 });
    const neighbour = await createAccount(testApp, 'tally-households-neighbour');
    await addHouseholdMember(testApp, homes.managerToken, { householdId: second.id, relation: 'OWNER', name: '李娜', accountId: neighbour.id });
    for (const [household, token] of [[homes.householdId, homes.residentToken], [second.id, await testApp.login('tally-households-neighbour', PASSWORD)]] as const) {
      const invite = await mutate(testApp, 'createCensusInvite', INVITE, { c: homes.id, h: household }, homes.managerToken);
      await mutate(testApp, 'joinCensus', JOIN, { code: invite.code, c: (await createIdentity()).commitment.toString() }, token);
    }
    // The resident also lives in the neighbour's household: two households, so they must say which.
    await addHouseholdMember(testApp, homes.managerToken, { householdId: second.id, relation: 'OCCUPANT', name: '张伟', accountId: homes.residentAccountId });
    const neighbourToken = await testApp.login('tally-households-neighbour', PASSWORD);
    const created = await mutate(testApp, 'createProposal', CREATE, {
      communityId: homes.id, title: 'Bicycle shed', body: 'Build one?', census: 'HOUSEHOLDS', mode: 'NAMED', rule: { name: 'SIMPLE_MAJORITY' }, ...window(),
    }, homesCommittee.token);
    const id = (await mutate(testApp, 'openProposal', OPEN, { id: created.id }, homesCommittee.token)).id as string;

    const ballotsBefore = await countRows(testApp, 'governance_ballots');
    expect((await testApp.graphql(NAMED_FOR, { id, choice: 'yes' }, homes.residentToken)).data.castNamedBallot.code).toBe('HOUSEHOLD_REQUIRED');
    expect((await testApp.graphql(NAMED_FOR, { id, choice: 'yes', household: fixture.householdId }, homes.residentToken)).data.castNamedBallot.code)
      .toBe('NOT_A_CENSUS_MEMBER');
    expect((await testApp.graphql(NAMED_FOR, { id, choice: 'yes' }, homesCommittee.token)).data.castNamedBallot.code).toBe('NOT_A_CENSUS_MEMBER');
    expect(await countRows(testApp, 'governance_ballots')).toBe(ballotsBefore);

    expect(await mutate(testApp, 'castNamedBallot', NAMED_FOR, { id, choice: 'yes', household: homes.householdId }, homes.residentToken))
      .toEqual({ choice: 'yes', replaced: false });
    expect(await mutate(testApp, 'castNamedBallot', NAMED_FOR, { id, choice: 'no' }, neighbourToken)).toEqual({ choice: 'no', replaced: false });
    // The resident votes for the second household too: it replaces the neighbour's ballot for that household.
    expect(await mutate(testApp, 'castNamedBallot', NAMED_FOR, { id, choice: 'yes', household: second.id }, homes.residentToken))
      .toEqual({ choice: 'yes', replaced: true });
    const tally = await testApp.graphql(PROPOSAL, { id }, homes.residentToken);
    expect(tally.data.proposal.data.liveTally).toEqual([
      { option: 'yes', heads: '2', weight: '2' }, { option: 'no', heads: '0', weight: '0' }, { option: 'abstain', heads: '0', weight: '0' },
    ]);
    await passClose(testApp, id);
    const closed = await mutate(testApp, 'closeProposal', CLOSE, { id }, homesCommittee.token);
    expect(closed.result).toMatchObject({ participatingHeads: '2', passed: true, ballotsCast: 3 });
    expect(await expectReplayEqualsLive(testApp, homes.id)).toBe(1);
  });
});

describe('the objection window', () => {
  const CHALLENGE = `mutation ($id: ID!, $reason: String!) { fileChallenge(proposalId: $id, reason: $reason) {
    __typename ... on MutationFileChallengeSuccess { data { id reason } } ... on Error { code message } } }`;
  const FINALIZE = `mutation ($id: ID!) { finalizeProposal(proposalId: $id) {
    __typename ... on MutationFinalizeProposalSuccess { data { status result { final } } } ... on Error { code message } } }`;

  it('keeps a result open to challenges for its window, records them, then makes it final', async () => {
    const id = await proposal(4, { objectionDays: 3 });
    await vote(id, { a: 'yes', c: 'yes', e: 'yes', f: 'yes' });
    const closed = await close(id);
    expect(closed).toMatchObject({ status: 'CLOSED', result: { passed: true, final: false } });
    expect((await testApp.graphql(FINALIZE, { id }, committee.token)).data.finalizeProposal.code).toBe('PROPOSAL_STATE');
    const challenge = await mutate(testApp, 'fileChallenge', CHALLENGE, { id, reason: '计票有误，请复核。' }, committee.token);
    expect(challenge.reason).toBe('计票有误，请复核。');
    await testApp.database.orm.em.getConnection().execute(
      `update governance_proposals set closed_at = closed_at - interval '3 days' where id = ?`, [localId(id)]);
    expect((await testApp.graphql(CHALLENGE, { id, reason: 'late' }, committee.token)).data.fileChallenge.code).toBe('OBJECTION_WINDOW_CLOSED');
    expect(await mutate(testApp, 'finalizeProposal', FINALIZE, { id }, committee.token)).toMatchObject({ status: 'FINAL', result: { final: true } });
    const rows: Array<{ type: string; payload: Record<string, unknown> }> = await testApp.database.orm.em.getConnection().execute(
      `select type, payload from ledger_entries where community_id = ? and payload->>'proposal' = ? and type in ('governance.challenge', 'governance.final') order by seq`,
      [localId(communityId), localId(id)]);
    expect(rows.map((row) => row.type)).toEqual(['governance.challenge', 'governance.final']);
    expect(rows[1]!.payload['challenges']).toBe(1);
    expect(JSON.stringify(rows)).not.toContain('计票有误');
  });
});

describe('the live tally', () => {
  it('streams the current totals, then the totals after each committed ballot, to a subscriber, never who', async () => {
    const id = await proposal(9);
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), 15_000);
    try {
      const response = await testApp.app.yoga.fetch('http://courtyard.test/graphql', {
        method: 'POST',
        signal: abort.signal,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${committee.token}` },
        body: JSON.stringify({ query: 'subscription ($id: ID!) { liveTally(proposalId: $id) { totals { option heads weight } } }', variables: { id } }),
      });
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffered = '';
      const nextTotals = async () => {
        for (;;) {
          const match = /data: (\{.*"liveTally".*\})\n/u.exec(buffered);
          if (match) {
            buffered = buffered.slice(match.index + match[0].length);
            return JSON.parse(match[1]!).data.liveTally.totals;
          }
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended without an event: ${buffered}`);
          buffered += decoder.decode(value, { stream: true });
        }
      };
      expect(await nextTotals()).toEqual([
        { option: 'yes', heads: '0', weight: '0' }, { option: 'no', heads: '0', weight: '0' }, { option: 'abstain', heads: '0', weight: '0' },
      ]);
      await vote(id, { b: 'no' });
      expect(await nextTotals()).toEqual([
        { option: 'yes', heads: '0', weight: '0' }, { option: 'no', heads: '1', weight: '5001' }, { option: 'abstain', heads: '0', weight: '0' },
      ]);
      await reader.cancel();
    } finally {
      clearTimeout(timeout);
      abort.abort();
    }
  });
});

describe('the record', () => {
  it('replays from the ledger alone to the live state: statuses, the ballot that counts per member, totals and results', async () => {
    expect(await expectReplayEqualsLive(testApp, communityId)).toBeGreaterThan(5);
    expect(await expectReplayEqualsLive(testApp, fixture.id)).toBe(1);
  });

  it('names the proposal whose live ballot was changed behind the ledger', async () => {
    const em = testApp.database.orm.em.fork() as unknown as SqlEntityManager;
    const [ballot]: Array<{ proposal_id: string; member_key: string; choice: string }> = await em.execute(
      `select b.proposal_id, b.member_key, b.choice from governance_current_ballots b
         join governance_proposals p on p.id = b.proposal_id where p.community_id = ? limit 1`, [localId(communityId)]);
    const swapped = ballot!.choice === 'yes' ? 'no' : 'yes';
    const update = 'update governance_current_ballots set choice = ? where proposal_id = ? and member_key = ?';
    await em.execute(update, [swapped, ballot!.proposal_id, ballot!.member_key]);
    try {
      const comparison = await compareGovernanceReplay(em, localId(communityId));
      expect(comparison.differences).toEqual([
        { description: expect.stringContaining(`proposal ${ballot!.proposal_id}: counted ballots differ`) as unknown as string },
      ]);
    } finally {
      await em.execute(update, [ballot!.choice, ballot!.proposal_id, ballot!.member_key]);
    }
    expect(await expectReplayEqualsLive(testApp, communityId)).toBeGreaterThan(5);
  });
});

describe('creating proposals', () => {
  it('fixes the rule by the matter, and refuses a conflicting rule, a resident proposer and a past close', async () => {
    const base = { communityId: fixture.id, title: 't', body: 'b', census: 'OWNERS', mode: 'NAMED', ...window() };
    const conflicting = await testApp.graphql(CREATE, { ...base, matter: 7, rule: { name: 'ART_278_ORDINARY' } }, committee.token);
    expect(conflicting.data.createProposal.code).toBe('INVALID_RULE');
    const byResident = await testApp.graphql(CREATE, { ...base, matter: 1 }, fixture.residentToken);
    expect(byResident.data.createProposal.code).toBe('MAY_NOT_PROPOSE');
    const past = await testApp.graphql(CREATE, { ...base, matter: 1, closesAt: new Date(Date.now() - 1000).toISOString(), opensAt: new Date(Date.now() - 5000).toISOString() }, committee.token);
    expect(past.data.createProposal.code).toBe('INVALID_WINDOW');
    const custom = await testApp.graphql(CREATE, {
      ...base, rule: { name: 'CUSTOM', approvalHeads: { bound: 'MORE_THAN', numerator: 1, denominator: 1 } },
    }, committee.token);
    expect(custom.data.createProposal.code).toBe('INVALID_RULE');
  });
});

describe('the closing job', () => {
  it('closes proposals a grace period after their close and finalises them after their objection window, as the system', async () => {
    const id = await proposal(2, { objectionDays: 1 });
    await vote(id, { a: 'yes', b: 'yes', c: 'yes', d: 'no' });
    await passClose(testApp, id);
    const services = testApp.app.services;
    expect((await closeDueProposals(services, services.ledger.sealer)).closed).not.toContain(localId(id));
    const later = new Date(Date.now() + CLOSING_GRACE_MS + 1000);
    expect((await closeDueProposals(services, services.ledger.sealer, later)).closed).toContain(localId(id));
    const closed = (await testApp.graphql(PROPOSAL, { id }, committee.token)).data.proposal.data;
    expect(closed).toMatchObject({ status: 'CLOSED', result: { passed: true, final: false, participatingHeads: '4' } });
    const afterWindow = new Date(Date.now() + 86_400_000 + CLOSING_GRACE_MS + 1000);
    expect((await closeDueProposals(services, services.ledger.sealer, afterWindow)).finalized).toContain(localId(id));
    const [entry] = await testApp.database.orm.em.getConnection().execute(
      `select actor from ledger_entries where type = 'governance.final' and payload->>'proposal' = ?`, [localId(id)]);
    expect(entry!.actor).toBe('system');
    expect(await expectReplayEqualsLive(testApp, communityId)).toBeGreaterThan(5);
  });
});
