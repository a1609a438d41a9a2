/**
 * A small world for API tests: two communities, each with a manager, a
 * resident linked to a household, and a regulator over the first.
 */
import { mutate, type TestApp } from './app.ts';

export const PASSWORD = 'a long enough password';

export interface CommunityFixture {
  id: string;
  slug: string;
  managerToken: string;
  managerAccountId: string;
  residentToken: string;
  residentAccountId: string;
  householdId: string;
  unitLabel: string;
  residentName: string;
  residentPhone: string;
  residentIdNumber: string;
}

export async function createAccount(testApp: TestApp, login: string): Promise<{ id: string; token: string }> {
  const created = await mutate(
    testApp,
    'createAccount',
    `mutation ($login: String!, $password: String) {
      createAccount(login: $login, password: $password) {
        __typename
        ... on MutationCreateAccountSuccess { data { account { id } } }
        ... on Error { code message }
      }
    }`,
    { login, password: PASSWORD },
    testApp.adminToken,
  );
  return { id: created.account.id, token: await testApp.login(login, PASSWORD) };
}

export async function grantRole(
  testApp: TestApp,
  accountId: string,
  role: string,
  scope: { communityId?: string; jurisdictionId?: string },
): Promise<void> {
  await mutate(
    testApp,
    'grantRole',
    `mutation ($accountId: ID!, $role: Role!, $communityId: ID, $jurisdictionId: ID) {
      grantRole(accountId: $accountId, role: $role, communityId: $communityId, jurisdictionId: $jurisdictionId) {
        __typename
        ... on MutationGrantRoleSuccess { data { id } }
        ... on Error { code message }
      }
    }`,
    { accountId, role, ...scope },
    testApp.adminToken,
  );
}

export async function registerHousehold(
  testApp: TestApp,
  managerToken: string,
  input: { communityId: string; unitLabel: string; floorAreaCentiSquareMetres: number },
): Promise<{ id: string }> {
  return mutate(
    testApp,
    'registerHousehold',
    `mutation ($communityId: ID!, $unitLabel: String!, $area: Int!) {
      registerHousehold(communityId: $communityId, unitLabel: $unitLabel, floorAreaCentiSquareMetres: $area) {
        __typename
        ... on MutationRegisterHouseholdSuccess { data { id } }
        ... on Error { code message }
      }
    }`,
    { communityId: input.communityId, unitLabel: input.unitLabel, area: input.floorAreaCentiSquareMetres },
    managerToken,
  );
}

export async function addHouseholdMember(
  testApp: TestApp,
  managerToken: string,
  input: {
    householdId: string;
    relation: 'OWNER' | 'OCCUPANT';
    name: string;
    phone?: string;
    idNumber?: string;
    accountId?: string;
  },
): Promise<void> {
  await mutate(
    testApp,
    'addHouseholdMember',
    `mutation ($householdId: ID!, $relation: HouseholdRelation!, $name: String!, $phone: String, $idNumber: String, $accountId: ID) {
      addHouseholdMember(householdId: $householdId, relation: $relation, name: $name, phone: $phone,
                         idNumber: $idNumber, accountId: $accountId) {
        __typename
        ... on MutationAddHouseholdMemberSuccess { data { id } }
        ... on Error { code message }
      }
    }`,
    input,
    managerToken,
  );
}

export async function createCommunityFixture(
  testApp: TestApp,
  slug: string,
  jurisdictionId?: string,
): Promise<CommunityFixture> {
  const community = await mutate(
    testApp,
    'createCommunity',
    `mutation ($slug: String!, $name: String!, $jurisdictionId: ID) {
      createCommunity(slug: $slug, name: $name, jurisdictionId: $jurisdictionId) {
        __typename
        ... on MutationCreateCommunitySuccess { data { id slug } }
        ... on Error { code message }
      }
    }`,
    { slug, name: `Community ${slug}`, jurisdictionId },
    testApp.adminToken,
  );
  const manager = await createAccount(testApp, `${slug}-manager`);
  await grantRole(testApp, manager.id, 'MANAGER', { communityId: community.id });
  const managerToken = await testApp.login(`${slug}-manager`, PASSWORD);
  const unitLabel = `${slug} 3栋 2单元 1501`;
  const household = await registerHousehold(testApp, managerToken, { communityId: community.id, unitLabel, floorAreaCentiSquareMetres: 8950 });
  const resident = await createAccount(testApp, `${slug}-resident`);
  const residentName = `张伟-${slug}`;
  const residentPhone = `+86 138 0013 ${String(slug.length).padStart(4, '0')}`;
  const residentIdNumber = `11010519491231002${slug.length % 10}`;
  await addHouseholdMember(testApp, managerToken, {
    householdId: household.id,
    relation: 'OWNER',
    name: residentName,
    phone: residentPhone,
    idNumber: residentIdNumber,
    accountId: resident.id,
  });
  return {
    id: community.id,
    slug,
    managerToken,
    managerAccountId: manager.id,
    // Sign in again: the resident role was granted after the first sign-in.
    residentToken: await testApp.login(`${slug}-resident`, PASSWORD),
    residentAccountId: resident.id,
    householdId: household.id,
    unitLabel,
    residentName,
    residentPhone,
    residentIdNumber,
  };
}
