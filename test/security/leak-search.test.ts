/**
 * Leak search: unique marker strings are seeded as every kind of personal data — names,
 * phone numbers, ID numbers, unit labels — and as personal free text (a suggestion and
 * a rating comment naming a neighbour), scenarios of the other domains run through the
 * HTTP API as each role — households and blind-index lookups, refused input carrying
 * personal data, fees (schedule, invoices, payment, notifications), an owners' vote with
 * named and paper ballots closed to its result, suggestions, ratings, ledger and oversight
 * reads — and then the markers are searched for:
 *
 * - in every log line the server wrote;
 * - in every row of every table of the database, the vault's included (it holds only
 *   ciphertext and blind indexes), as text;
 * - in every ledger payload (entries sequenced and pending);
 * - in every GraphQL response, except the one a manager gets from
 *   `householdPersonalData` with a purpose — which must hold them, or the search proves
 *   nothing.
 *
 * Personal free text is by design stored and shown where it was written (a suggestion's
 * body, a rating's comment), so its markers are searched in the logs and the ledger
 * only. Any hit fails the test and says where it was found.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createTestApp, type GraphQLResponse, type TestApp } from '../support/app.ts';
import {
  addHouseholdMember,
  createAccount,
  createCommunityFixture,
  grantRole,
  PASSWORD,
  registerHousehold,
  type CommunityFixture,
} from '../support/fixtures.ts';
import { mutate } from '../support/app.ts';
import {
  CLOSE,
  CREATE,
  NAMED,
  OPEN,
  PAPER,
  PROPOSAL,
  passClose,
  seedOwners,
  window,
} from '../governance/support/governance-fixture.ts';

const tag = randomBytes(4).toString('hex').toUpperCase();
const digits = (count: number) => Array.from({ length: count }, () => randomInt(10)).join('');
const phoneDigits = `139${digits(8)}`;
const MARKERS = {
  ownerName: `Qiuyue Marker${tag}`,
  occupantName: `占位者${tag}`,
  phone: `+86 ${phoneDigits.slice(0, 3)} ${phoneDigits.slice(3, 7)} ${phoneDigits.slice(7)}`,
  idNumber: `3101151987${digits(7)}X`,
  unitLabel: `Marker楼${tag} 2单元 1203`,
};
/** Other spellings a value could leak in: the phone's digits alone, a name's distinctive part. */
const VARIANTS: Record<string, string[]> = {
  phone: [phoneDigits, `86${phoneDigits}`],
  ownerName: [`Marker${tag}`],
  unitLabel: [`Marker楼${tag}`],
};
const FREE_TEXT = {
  suggestionBody: `SuggestionNeighbour${tag}`,
  ratingComment: `CommentNeighbour${tag}`,
};

interface Recorded {
  query: string;
  token: string | null | undefined;
  response: GraphQLResponse;
}

let testApp: TestApp;
let community: CommunityFixture;
let residentToken: string;
let committeeToken: string;
let regulatorToken: string;
let outsiderToken: string;
let householdId: string;
const responses: Recorded[] = [];

beforeAll(async () => {
  testApp = await createTestApp();
  const graphql = testApp.graphql;
  testApp.graphql = async (query, variables, token) => {
    const response = await graphql(query, variables, token);
    responses.push({ query, token, response });
    return response;
  };
  const jurisdiction = await mutate(
    testApp,
    'createJurisdiction',
    `mutation { createJurisdiction(name: "Leak district") { __typename ... on MutationCreateJurisdictionSuccess { data { id } } ... on Error { code } } }`,
    {},
    testApp.adminToken,
  );
  community = await createCommunityFixture(testApp, 'leak', jurisdiction.id);
  await createCommunityFixture(testApp, 'leak-other');
  outsiderToken = await testApp.login('leak-other-resident', PASSWORD);
  const regulator = await createAccount(testApp, 'leak-regulator');
  await grantRole(testApp, regulator.id, 'REGULATOR', { jurisdictionId: jurisdiction.id });
  regulatorToken = await testApp.login('leak-regulator', PASSWORD);
  const committee = await createAccount(testApp, 'leak-committee');
  await grantRole(testApp, committee.id, 'COMMITTEE', { communityId: community.id });
  committeeToken = await testApp.login('leak-committee', PASSWORD);

  // The vault: a unit and its owner (an account, so a resident) and occupant, every field a marker.
  const owner = await createAccount(testApp, 'leak-owner');
  householdId = (
    await registerHousehold(testApp, community.managerToken, {
      communityId: community.id,
      unitLabel: MARKERS.unitLabel,
      floorAreaCentiSquareMetres: 10_250,
    })
  ).id;
  await addHouseholdMember(testApp, community.managerToken, {
    householdId,
    relation: 'OWNER',
    name: MARKERS.ownerName,
    phone: MARKERS.phone,
    idNumber: MARKERS.idNumber,
    accountId: owner.id,
  });
  await addHouseholdMember(testApp, community.managerToken, {
    householdId,
    relation: 'OCCUPANT',
    name: MARKERS.occupantName,
  });
  residentToken = await testApp.login('leak-owner', PASSWORD);
});
afterAll(() => testApp.dispose());

const as = (token: string, query: string, variables: Record<string, unknown> = {}) =>
  testApp.graphql(query, variables, token);

async function runScenarios(): Promise<void> {
  const c = community.id;
  // Managers look households up by blind index and read with a purpose (the one exempt response).
  await as(
    community.managerToken,
    `query ($c: ID!, $u: String) { findHousehold(communityId: $c, unitLabel: $u) { __typename ... on QueryFindHouseholdSuccess { data { id floorAreaCentiSquareMetres } } } }`,
    { c, u: MARKERS.unitLabel },
  );
  await as(
    community.managerToken,
    `query ($c: ID!, $p: String) { findHousehold(communityId: $c, phone: $p) { __typename ... on QueryFindHouseholdSuccess { data { id } } } }`,
    { c, p: MARKERS.phone },
  );
  const read = await as(
    community.managerToken,
    `query ($h: ID!) { householdPersonalData(householdId: $h, purpose: BILLING) {
    __typename ... on QueryHouseholdPersonalDataSuccess { data { unitLabel members { relation name phone idNumber } } } } }`,
    { h: householdId },
  );
  expect(JSON.stringify(read)).toContain(MARKERS.idNumber);

  // Bad input that carries personal data: refused, and the refusal must not quote it.
  await as(
    community.managerToken,
    `mutation ($h: ID!, $n: String!) { addHouseholdMember(householdId: $h, relation: OCCUPANT, name: $n) { __typename ... on Error { code message } } }`,
    { h: householdId, n: `${MARKERS.ownerName}\u202e` },
  );
  await as(
    community.managerToken,
    `mutation ($h: ID!, $p: String) { addHouseholdMember(householdId: $h, relation: OCCUPANT, name: "x", phone: $p) { __typename ... on Error { code message } } }`,
    { h: householdId, p: MARKERS.idNumber },
  );
  await as(
    community.managerToken,
    `mutation ($c: ID!, $u: String!) { registerHousehold(communityId: $c, unitLabel: $u, floorAreaCentiSquareMetres: 100) { __typename ... on Error { code message } } }`,
    { c, u: MARKERS.unitLabel },
  );
  await as(
    community.managerToken,
    `query ($c: ID!, $p: String) { findHousehold(communityId: $c, phone: $p) { __typename } }`,
    { c, p: 13900000000 },
  );
  await testApp.graphql(
    `mutation ($l: String!) { login(login: $l, password: "not the password at all") { __typename ... on Error { code message } } }`,
    { l: MARKERS.ownerName },
  );
  await as(
    outsiderToken,
    `query ($h: ID!) { householdPersonalData(householdId: $h, purpose: BILLING) { __typename ... on Error { code message } } }`,
    { h: householdId },
  );

  // Every other role reads what it may: households, who read their data, the ledger, oversight.
  const households = `query ($c: ID!) { households(communityId: $c) { edges { node { id floorAreaCentiSquareMetres erased createdAt
    personalDataAccesses { edges { node { accessorAccountId purpose accessedAt } } } } } } }`;
  const ledger = `query ($c: ID!) { ledgerEntries(communityId: $c, first: 100) { edges { node { seq type actor payload } } } }`;
  for (const token of [
    residentToken,
    committeeToken,
    regulatorToken,
    community.managerToken,
    testApp.adminToken,
    outsiderToken,
  ]) {
    await as(token, households, { c });
    await as(token, ledger, { c });
  }
  await as(
    regulatorToken,
    `query ($c: ID!) { communityOversight(communityId: $c) { community { id name } votes { __typename } scoreCards { __typename } } }`,
    { c },
  );
  await as(residentToken, `query { viewer { id login } }`);

  const thisMonth = new Date().toISOString().slice(0, 7);
  // Fees: a schedule, invoices for every household, a payment; the household's invoices and notifications read by its resident.
  const schedule = await mutate(
    testApp,
    'defineFeeSchedule',
    `mutation ($c: ID!, $schedule: FeeScheduleInput!) { defineFeeSchedule(communityId: $c, schedule: $schedule) {
    __typename ... on MutationDefineFeeScheduleSuccess { data { scheduleId } } ... on Error { code message } } }`,
    {
      c,
      schedule: {
        frequency: 'MONTH',
        effectiveFromPeriodId: thisMonth,
        ratePerSquareMetreMonth: '150',
        dueDay: 10,
        graceDays: 0,
        lateFee: { kind: 'FIXED', amount: '500', cap: '500' },
      },
    },
    community.managerToken,
  );
  await mutate(
    testApp,
    'issueInvoices',
    `mutation ($c: ID!, $s: String!, $p: String!) { issueInvoices(communityId: $c, scheduleId: $s, periodId: $p) {
    __typename ... on MutationIssueInvoicesSuccess { data { issued } } ... on Error { code message } } }`,
    { c, s: schedule.scheduleId, p: thisMonth },
    community.managerToken,
  );
  await mutate(
    testApp,
    'recordPayment',
    `mutation ($c: ID!, $h: ID!) { recordPayment(communityId: $c, householdId: $h, amount: "20000", idempotencyKey: "leak-search-payment-1") {
    __typename ... on MutationRecordPaymentSuccess { data { payment { id amount } } } ... on Error { code message } } }`,
    { c, h: householdId },
    community.managerToken,
  );
  for (const token of [residentToken, community.managerToken, regulatorToken]) {
    await as(
      token,
      `query ($c: ID!, $h: ID!) { householdInvoices(communityId: $c, householdId: $h) { edges { node { id periodId principal paid open dueDate household } } } }`,
      { c, h: householdId },
    );
    await as(
      token,
      `query ($c: ID!, $h: ID!) { householdNotifications(communityId: $c, householdId: $h) { edges { node { __typename } } } }`,
      { c, h: householdId },
    );
  }

  // Governance: an owners' vote with named ballots (the census seeded directly, as the governance tests do), closed, its result read by every role.
  const owners = await seedOwners(testApp, c, [10_250, 8_950]);
  const created = await mutate(
    testApp,
    'createProposal',
    CREATE,
    { communityId: c, title: '更换物业', body: '是否续聘。', matter: 4, census: 'OWNERS', mode: 'NAMED', ...window() },
    committeeToken,
  );
  await mutate(testApp, 'openProposal', OPEN, { id: created.id }, committeeToken);
  await as(residentToken, NAMED, { id: created.id, choice: 'yes' });
  for (const owner of owners) {
    await mutate(
      testApp,
      'enterPaperBallot',
      PAPER,
      { id: created.id, leafIndex: owner.leafIndex, choice: 'no' },
      committeeToken,
    );
  }
  await passClose(testApp, created.id);
  await mutate(testApp, 'closeProposal', CLOSE, { id: created.id }, committeeToken);
  for (const token of [residentToken, committeeToken, regulatorToken, outsiderToken])
    await as(token, PROPOSAL, { id: created.id });

  // Governance and ratings: personal free text written by a resident.
  await mutate(
    testApp,
    'submitSuggestion',
    `mutation ($c: ID!, $t: String!, $b: String!) { submitSuggestion(communityId: $c, title: $t, body: $b) {
    __typename ... on MutationSubmitSuggestionSuccess { data { id } } ... on Error { code message } } }`,
    { c, t: '楼道噪音', b: `${FREE_TEXT.suggestionBody} 晚上很吵` },
    residentToken,
  );
  await as(committeeToken, `query ($c: ID!) { suggestions(communityId: $c) { edges { node { id } } } }`, { c });
  const period = thisMonth;
  await mutate(
    testApp,
    'openRatingPeriod',
    `mutation ($c: ID!, $p: String!) { openRatingPeriod(communityId: $c, period: $p) {
    __typename ... on MutationOpenRatingPeriodSuccess { data { period } } ... on Error { code message } } }`,
    { c, p: period },
    community.managerToken,
  );
  const subject = await mutate(
    testApp,
    'addRatingSubject',
    `mutation ($c: ID!) { addRatingSubject(communityId: $c, key: "night-guard", label: "夜班保安") {
    __typename ... on MutationAddRatingSubjectSuccess { data { id } } ... on Error { code message } } }`,
    { c },
    community.managerToken,
  );
  await mutate(
    testApp,
    'submitRating',
    `mutation ($s: ID!, $p: String!, $comment: String) { submitRating(subjectId: $s, period: $p, score: 2, comment: $comment) {
    __typename ... on MutationSubmitRatingSuccess { data { ratingId } } ... on Error { code message } } }`,
    { s: subject.id, p: period, comment: `${FREE_TEXT.ratingComment} 夜班睡觉` },
    residentToken,
  );
}

function hitsIn(text: string, markers: Record<string, string>): string[] {
  const hits: string[] = [];
  for (const [kind, marker] of Object.entries(markers)) {
    for (const spelling of [marker, ...(VARIANTS[kind] ?? [])]) if (text.includes(spelling)) hits.push(kind);
  }
  return [...new Set(hits)];
}

async function tableHits(markers: Record<string, string>, only?: readonly string[]): Promise<string[]> {
  const connection = testApp.database.orm.em.getConnection();
  const tables: Array<{ name: string }> = await connection.execute(
    `select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`,
  );
  expect(tables.length).toBeGreaterThan(20);
  const found: string[] = [];
  for (const { name } of tables) {
    if (only && !only.includes(name)) continue;
    const rows: Array<{ row: string }> = await connection.execute(`select t::text as row from "${name}" t`);
    for (const { row } of rows)
      for (const kind of hitsIn(row, markers)) found.push(`table ${name}: ${kind} in ${row.slice(0, 160)}`);
  }
  return found;
}

describe('personal data never leaves the vault', () => {
  it('is in no log line, no table outside the vault, no ledger payload and no response but a manager’s purposeful read', async () => {
    await runScenarios();
    const found: string[] = [];

    for (const [index, line] of testApp.logLines.entries())
      for (const kind of hitsIn(line, { ...MARKERS, ...FREE_TEXT })) found.push(`log line ${index}: ${kind}`);

    found.push(...(await tableHits(MARKERS)));
    found.push(...(await tableHits(FREE_TEXT, ['ledger_entries', 'ledger_pending'])));

    for (const { query, token, response } of responses) {
      const purposefulRead =
        token === community.managerToken && /householdPersonalData\(/u.test(query) && !response.errors;
      if (purposefulRead) continue;
      for (const kind of hitsIn(JSON.stringify(response), MARKERS))
        found.push(`response to ${query.replace(/\s+/gu, ' ').slice(0, 80)}: ${kind}`);
    }

    expect(found).toEqual([]);
    // The scenarios' documents were all valid, so each response is the field's real answer.
    expect(
      responses.filter(({ response }) =>
        response.errors?.some((error) => error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED'),
      ),
    ).toEqual([]);
    // The search saw what it had to: every scenario answered, the logs and ledger are not empty.
    expect(responses.length).toBeGreaterThan(30);
    expect(testApp.logLines.length).toBeGreaterThan(30);
  });
});
