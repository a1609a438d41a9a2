/**
 * Governance test helpers: a committee member, owners seeded into a community's census
 * by the census's own function (real Poseidon tree, real rows and ledger entries), and
 * the GraphQL documents of proposals and ballots.
 */
import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../../../src/db/orm.ts';
import { addCensusMember } from '../../../src/census/census-tree-service.ts';
import { compareGovernanceReplay } from '../../../src/governance/governance-replay-check.ts';
import { createIdentity, type Identity } from '../../../src/zk/identity.ts';
import { mutate, type TestApp } from '../../support/app.ts';
import { createAccount, grantRole, PASSWORD } from '../../support/fixtures.ts';

/** The UUID inside a Relay global id. */
export const localId = (globalId: string): string => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

export const PROPOSAL_FIELDS = `id status scope mode matter
  options { id label message }
  snapshot { root depth size headCount totalWeight }
  liveTally { option heads weight }
  result { totals { option heads weight } participatingHeads participatingWeight participationMet adopted passed explanations
           ballotsCast checkpointTreeSize checkpointRootHash final objectionWindowEndsAt ledgerSeq }`;

export const CREATE = `mutation ($communityId: ID!, $title: String!, $body: String!, $matter: Int, $census: CensusKind!, $mode: BallotMode!,
  $opensAt: DateTime!, $closesAt: DateTime!, $rule: TallyRuleInput, $options: [ProposalOptionInput!], $objectionDays: Int) {
  createProposal(communityId: $communityId, title: $title, body: $body, matter: $matter, census: $census, mode: $mode,
    opensAt: $opensAt, closesAt: $closesAt, rule: $rule, options: $options, objectionDays: $objectionDays) {
    __typename ... on MutationCreateProposalSuccess { data { ${PROPOSAL_FIELDS} } } ... on Error { code message }
  }
}`;
export const OPEN = `mutation ($id: ID!) { openProposal(proposalId: $id) {
  __typename ... on MutationOpenProposalSuccess { data { ${PROPOSAL_FIELDS} } } ... on Error { code message } } }`;
export const CLOSE = `mutation ($id: ID!) { closeProposal(proposalId: $id) {
  __typename ... on MutationCloseProposalSuccess { data { ${PROPOSAL_FIELDS} } } ... on Error { code message } } }`;
export const PAPER = `mutation ($id: ID!, $leafIndex: Int!, $choice: String!) { enterPaperBallot(proposalId: $id, leafIndex: $leafIndex, choice: $choice) {
  __typename ... on MutationEnterPaperBallotSuccess { data { ballotId choice replaced ledgerSeq } } ... on Error { code message } } }`;
export const NAMED = `mutation ($id: ID!, $choice: String!) { castNamedBallot(proposalId: $id, choice: $choice) {
  __typename ... on MutationCastNamedBallotSuccess { data { ballotId choice replaced ledgerSeq } } ... on Error { code message } } }`;
export const ANONYMOUS = `mutation ($id: ID!, $choice: String!, $proof: String!) { castAnonymousBallot(proposalId: $id, choice: $choice, proof: $proof) {
  __typename ... on MutationCastAnonymousBallotSuccess { data { ballotId nullifier choice replaced ledgerEntryId } } ... on Error { code message } } }`;
export const PROPOSAL = `query ($id: ID!) { proposal(id: $id) { __typename ... on QueryProposalSuccess { data { ${PROPOSAL_FIELDS} } } ... on Error { code message } } }`;

export async function createCommittee(testApp: TestApp, login: string, communityIds: string[]): Promise<{ id: string; token: string }> {
  const account = await createAccount(testApp, login);
  for (const communityId of communityIds) await grantRole(testApp, account.id, 'COMMITTEE', { communityId });
  return { id: account.id, token: await testApp.login(login, PASSWORD) };
}

export async function createBareCommunity(testApp: TestApp, slug: string): Promise<string> {
  const created = await mutate(
    testApp,
    'createCommunity',
    `mutation ($slug: String!, $name: String!) { createCommunity(slug: $slug, name: $name) {
      __typename ... on MutationCreateCommunitySuccess { data { id } } ... on Error { code message } } }`,
    { slug, name: `Community ${slug}` },
    testApp.adminToken,
  );
  return created.id;
}

export interface SeededOwner {
  leafIndex: number;
  weight: number;
  identity: Identity;
}

/** Owners joined to the community's owners census with the given weights, in order. */
export async function seedOwners(testApp: TestApp, communityGlobalId: string, weights: readonly number[]): Promise<SeededOwner[]> {
  const communityId = localId(communityGlobalId);
  const identities = await Promise.all(weights.map(() => createIdentity()));
  const em = testApp.database.orm.em.fork() as unknown as SqlEntityManager;
  const owners: SeededOwner[] = [];
  await em.transactional(async (tx) => {
    for (const [index, weight] of weights.entries()) {
      // An owner's leaf stands for an account; these never sign in (no usable password hash).
      const accountId = randomUUID();
      await tx.execute(`insert into accounts (id, login, password_hash, created_at) values (?, ?, 'x', now())`, [accountId, `owner-${accountId}`]);
      const change = await addCensusMember(tx as SqlEntityManager, {
        communityId, kind: 'owners', identityCommitment: identities[index]!.commitment, weight, accountId, householdId: null, actor: 'system',
      });
      owners.push({ leafIndex: change.leafIndex, weight, identity: identities[index]! });
    }
  });
  return owners;
}

/** Moves a proposal's close into the past, as time passing would. */
export async function passClose(testApp: TestApp, proposalGlobalId: string): Promise<void> {
  await testApp.database.orm.em.getConnection().execute(
    `update governance_proposals set closes_at = now() - interval '1 millisecond', opens_at = least(opens_at, now() - interval '1 second') where id = ?`,
    [localId(proposalGlobalId)],
  );
}

export async function countRows(testApp: TestApp, table: string): Promise<number> {
  const [row] = await testApp.database.orm.em.getConnection().execute(`select count(*)::int as count from ${table}`);
  return row!.count;
}

export const window = (minutes = 60) => ({
  opensAt: new Date(Date.now() - 1000).toISOString(),
  closesAt: new Date(Date.now() + minutes * 60_000).toISOString(),
});

/**
 * Replays the community's ledger and expects it to equal the live state: each proposal's
 * status, the ballot that counts per member, the totals, and results that match
 * (the module's replay hook, as `npm run ledger:replay` runs it).
 */
export async function expectReplayEqualsLive(testApp: TestApp, communityGlobalId: string): Promise<number> {
  const em = testApp.database.orm.em.fork() as unknown as SqlEntityManager;
  const comparison = await compareGovernanceReplay(em, localId(communityGlobalId));
  expect(comparison.differences).toEqual([]);
  const live: Array<{ count: unknown }> = await em.execute('select count(*) as count from governance_proposals where community_id = ?', [localId(communityGlobalId)]);
  return Number(live[0]!.count);
}

export const ACTIVATE_KEY = `mutation ($communityId: ID!, $instance: String!, $verificationKey: String) {
  activateVerificationKey(communityId: $communityId, instance: $instance, verificationKey: $verificationKey) {
    __typename ... on MutationActivateVerificationKeySuccess { data { instance depth hash insecure ledgerSeq } } ... on Error { code message } } }`;

/**
 * Activates (as the admin) the community's encrypted-ballot verification key of `depth`: the
 * committed INSECURE development key, or `verificationKey` JSON. An encrypted-weight
 * proposal opens only with an active key of its snapshot's depth (NO_KEY_FOR_DEPTH).
 */
export function activateEncryptedBallotKey(
  testApp: TestApp, communityGlobalId: string, depth = 10, verificationKey?: string,
): Promise<{ instance: string; depth: number; hash: string; insecure: boolean }> {
  return mutate(testApp, 'activateVerificationKey', ACTIVATE_KEY, { communityId: communityGlobalId, instance: `encrypted-ballot-${depth}`, verificationKey }, testApp.adminToken);
}
