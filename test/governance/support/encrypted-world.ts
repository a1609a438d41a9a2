/**
 * The world of an encrypted-weight proposal test (issue 15): a community in a jurisdiction,
 * the trustees of the example (a committee member, the regulator and the property
 * manager), a resident, a regulator of another jurisdiction, owners seeded into the owners
 * census with the given areas, and — unless told not to — the community's encrypted-ballot
 * key of depth 10 activated (the committed INSECURE development key). Shared by
 * encrypted-proposal-api.test.ts and trustee-tool.test.ts.
 */
import { mutate, type TestApp } from '../../support/app.ts';
import { createAccount, grantRole } from '../../support/fixtures.ts';
import { activateEncryptedBallotKey, createCommittee, seedOwners, type SeededOwner } from './governance-fixture.ts';

export interface EncryptedWorld {
  communityId: string;
  /** Trustee i + 1: the committee member, the regulator, the manager. */
  trustees: Array<{ id: string; token: string }>;
  resident: { id: string; token: string };
  otherRegulatorId: string;
  owners: SeededOwner[];
  /** The hash of the activated encrypted-ballot key, when one was activated. */
  activatedKeyHash: string | null;
}

export const CREATE_ENCRYPTED = `mutation ($communityId: ID!, $trustees: [ID!], $threshold: Int, $opensAt: DateTime!, $closesAt: DateTime!, $census: CensusKind!,
  $matter: Int = 7) {
  createProposal(communityId: $communityId, title: "Renovate the lifts", body: "Item 7.", matter: $matter, census: $census, mode: ENCRYPTED,
    opensAt: $opensAt, closesAt: $closesAt, trustees: $trustees, threshold: $threshold) {
    __typename ... on MutationCreateProposalSuccess { data { id } } ... on Error { code message } } }`;

const jurisdiction = (testApp: TestApp, name: string) => mutate(testApp, 'createJurisdiction',
  `mutation ($name: String!) { createJurisdiction(name: $name) { __typename ... on MutationCreateJurisdictionSuccess { data { id } } ... on Error { code } } }`,
  { name }, testApp.adminToken);

export async function createEncryptedWorld(
  testApp: TestApp, slug: string, areas: readonly number[], options: { activateKey?: boolean } = {},
): Promise<EncryptedWorld> {
  const home = await jurisdiction(testApp, `${slug}-home`);
  const community = await mutate(testApp, 'createCommunity', `mutation ($slug: String!, $jurisdictionId: ID) {
    createCommunity(slug: $slug, name: "Encrypted weights", jurisdictionId: $jurisdictionId) {
      __typename ... on MutationCreateCommunitySuccess { data { id } } ... on Error { code message } } }`, { slug, jurisdictionId: home.id }, testApp.adminToken);
  const communityId: string = community.id;
  const committee = await createCommittee(testApp, `${slug}-committee`, [communityId]);
  const regulator = await createAccount(testApp, `${slug}-regulator`);
  await grantRole(testApp, regulator.id, 'REGULATOR', { jurisdictionId: home.id });
  const manager = await createAccount(testApp, `${slug}-manager`);
  await grantRole(testApp, manager.id, 'MANAGER', { communityId });
  const resident = await createAccount(testApp, `${slug}-resident`);
  await grantRole(testApp, resident.id, 'RESIDENT', { communityId });
  const outsideRegulator = await createAccount(testApp, `${slug}-other-regulator`);
  await grantRole(testApp, outsideRegulator.id, 'REGULATOR', { jurisdictionId: (await jurisdiction(testApp, `${slug}-other`)).id });
  const owners = await seedOwners(testApp, communityId, areas);
  const activatedKeyHash = options.activateKey === false ? null : (await activateEncryptedBallotKey(testApp, communityId, 10)).hash;
  return { communityId, trustees: [committee, regulator, manager], resident, otherRegulatorId: outsideRegulator.id, owners, activatedKeyHash };
}
