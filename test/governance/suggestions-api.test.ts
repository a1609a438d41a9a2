/**
 * Suggestions through the API: by name, or anonymously with a real households-census
 * proof whose scope is the day's slot (so a household sends at most a few a day);
 * managers answer; residents see the answers; every change is a ledger entry without
 * the texts.
 */
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { censusMerkleProof } from '../../src/census/census-tree-service.ts';
import { suggestionScope } from '../../src/governance/proposal-scope.ts';
import { suggestionMessage, utcDay } from '../../src/governance/suggestions.ts';
import { loadMembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { createIdentity } from '../../src/zk/identity.ts';
import { proveMembership, type MembershipProof } from '../../src/zk/prover.ts';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { activateMembershipKey } from '../support/proof-community.ts';
import { createCommunityFixture, type CommunityFixture } from '../support/fixtures.ts';
import { countRows, localId } from './support/governance-fixture.ts';

const SUGGESTION = 'id title body anonymous status answer';
const SUBMIT = `mutation ($c: ID!, $title: String!, $body: String!) { submitSuggestion(communityId: $c, title: $title, body: $body) {
  __typename ... on MutationSubmitSuggestionSuccess { data { ${SUGGESTION} } } ... on Error { code message } } }`;
const SUBMIT_ANONYMOUS = `mutation ($c: ID!, $title: String!, $body: String!, $slot: Int!, $proof: String!) {
  submitAnonymousSuggestion(communityId: $c, title: $title, body: $body, slot: $slot, proof: $proof) {
  __typename ... on MutationSubmitAnonymousSuggestionSuccess { data { ${SUGGESTION} } } ... on Error { code message } } }`;
const ANSWER = `mutation ($id: ID!, $answer: String!, $close: Boolean) { answerSuggestion(suggestionId: $id, answer: $answer, close: $close) {
  __typename ... on MutationAnswerSuggestionSuccess { data { ${SUGGESTION} } } ... on Error { code message } } }`;
const LIST = `query ($c: ID!) { suggestions(communityId: $c, first: 10) { edges { node { ${SUGGESTION} } } } }`;

const TITLE = '电梯维修';
const BODY = '3栋的电梯经常停运，请尽快维修。';

let testApp: TestApp;
let community: CommunityFixture;
let proof: MembershipProof;

beforeAll(async () => {
  testApp = await createTestApp();
  community = await createCommunityFixture(testApp, 'suggestions');
  await activateMembershipKey(testApp, community.id);
  const invite = await mutate(testApp, 'createCensusInvite', `mutation ($c: ID!, $h: ID) { createCensusInvite(communityId: $c, kind: HOUSEHOLDS, householdId: $h) {
    __typename ... on MutationCreateCensusInviteSuccess { data { code } } ... on Error { code message } } }`, { c: community.id, h: community.householdId }, community.managerToken);
  const identity = await createIdentity();
  const joined = await mutate(testApp, 'joinCensus', `mutation ($code: String!, $c: String!) { joinCensus(inviteCode: $code, identityCommitment: $c) {
    __typename ... on MutationJoinCensusSuccess { data { leafIndex } } ... on Error { code message } } }`,
  { code: invite.code, c: identity.commitment.toString() }, community.residentToken);
  const em = testApp.database.orm.em.fork() as unknown as SqlEntityManager;
  proof = await proveMembership(await loadMembershipArtifacts('membership-10'), {
    secret: identity.secret,
    merkleProof: await censusMerkleProof(em, localId(community.id), 'households', joined.leafIndex),
    attribute: 1n,
    scope: suggestionScope(localId(community.id), utcDay(new Date()), 0),
    message: suggestionMessage(TITLE, BODY),
  });
}, 120_000);
afterAll(() => testApp.dispose());

describe('suggestions', () => {
  let named: { id: string };

  it('takes a named suggestion from a resident, and lets a manager answer it for residents to read', async () => {
    named = await mutate(testApp, 'submitSuggestion', SUBMIT, { c: community.id, title: '垃圾分类', body: '希望增加分类垃圾桶。' }, community.residentToken);
    expect(named).toMatchObject({ anonymous: false, status: 'SUBMITTED' });
    expect((await testApp.graphql(ANSWER, { id: named.id, answer: '已安排。' }, community.residentToken)).data.answerSuggestion.code).toBe('FORBIDDEN');
    const answered = await mutate(testApp, 'answerSuggestion', ANSWER, { id: named.id, answer: '已安排，下周安装。' }, community.managerToken);
    expect(answered).toMatchObject({ status: 'ANSWERED', answer: '已安排，下周安装。' });
    const list = await testApp.graphql(LIST, { c: community.id }, community.residentToken);
    expect(list.data.suggestions.edges.map((edge: any) => edge.node)).toContainEqual(answered);
  });

  it('takes an anonymous suggestion with a households proof, once per slot and day, and refuses a changed text', async () => {
    const entries = await countRows(testApp, 'ledger_pending') + await countRows(testApp, 'ledger_entries');
    const changed = await testApp.graphql(SUBMIT_ANONYMOUS, { c: community.id, title: TITLE, body: `${BODY}!`, slot: 0, proof: JSON.stringify(proof) }, null);
    expect(changed.data.submitAnonymousSuggestion.code).toBe('MESSAGE_MISMATCH');
    const otherSlot = await testApp.graphql(SUBMIT_ANONYMOUS, { c: community.id, title: TITLE, body: BODY, slot: 1, proof: JSON.stringify(proof) }, null);
    expect(otherSlot.data.submitAnonymousSuggestion.code).toBe('SCOPE_MISMATCH');
    const beyond = await testApp.graphql(SUBMIT_ANONYMOUS, { c: community.id, title: TITLE, body: BODY, slot: 3, proof: JSON.stringify(proof) }, null);
    expect(beyond.data.submitAnonymousSuggestion.code).toBe('INVALID_INPUT');
    expect(await countRows(testApp, 'ledger_pending') + await countRows(testApp, 'ledger_entries')).toBe(entries);
    const sent = await mutate(testApp, 'submitAnonymousSuggestion', SUBMIT_ANONYMOUS, { c: community.id, title: TITLE, body: BODY, slot: 0, proof: JSON.stringify(proof) }, '');
    expect(sent).toMatchObject({ anonymous: true, status: 'SUBMITTED', title: TITLE });
    const again = await testApp.graphql(SUBMIT_ANONYMOUS, { c: community.id, title: TITLE, body: BODY, slot: 0, proof: JSON.stringify(proof) }, null);
    expect(again.data.submitAnonymousSuggestion.code).toBe('SUGGESTION_LIMIT');
    await mutate(testApp, 'answerSuggestion', ANSWER, { id: sent.id, answer: '已报修。', close: true }, community.managerToken);
  });

  it('puts every status change on the ledger with ids, statuses and hashes only', async () => {
    const rows: Array<{ type: string; actor: string; payload: Record<string, unknown> }> = await testApp.database.orm.em.getConnection().execute(
      `select type, actor, payload from ledger_entries where community_id = ? and type like 'governance.suggestion%' order by seq`, [localId(community.id)]);
    expect(rows.map((row) => [row.type, row.payload['status']])).toEqual([
      ['governance.suggestion', 'submitted'], ['governance.suggestion.status', 'answered'],
      ['governance.suggestion', 'submitted'], ['governance.suggestion.status', 'closed'],
    ]);
    expect(rows[2]!.actor).toBe('anonymous');
    const text = JSON.stringify(rows);
    for (const typed of [TITLE, BODY, '垃圾分类', '已报修。', community.residentName]) expect(text).not.toContain(typed);
  });
});
