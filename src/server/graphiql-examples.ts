/** Example operations shown as tabs in GraphiQL on a fresh installation. */
export const GRAPHIQL_EXAMPLES = [
  {
    query: `# 1. Sign in with the admin login and the one-time password printed on first start,
#    then put the token in the Headers tab: {"Authorization": "Bearer <token>"}
mutation Login($login: String!, $password: String!) {
  login(login: $login, password: $password) {
    __typename
    ... on MutationLoginSuccess { data { token expiresAt account { login } } }
    ... on Error { code message }
  }
}`,
    variables: '{ "login": "admin", "password": "" }',
  },
  {
    query: `# 2. A one-time password must be changed before anything else answers
#    (PASSWORD_CHANGE_REQUIRED). Your other sessions end; this one goes on.
mutation ChangePassword($current: String!, $next: String!) {
  changePassword(currentPassword: $current, newPassword: $next) {
    __typename
    ... on Error { code message }
  }
}`,
    variables: '{ "current": "", "next": "at least twelve characters" }',
  },
  {
    query: `# 3. Who am I, and where do I hold roles?
query Viewer {
  viewer { id login isAdmin mustChangePassword roles { role community { slug name } } }
}`,
  },
  {
    query: `# 4. Admin: create a community, then list the ones you can see.
mutation CreateCommunity {
  createCommunity(slug: "sunny-garden", name: "阳光花园") {
    __typename
    ... on MutationCreateCommunitySuccess { data { id slug name } }
    ... on Error { code message }
  }
}

query Communities {
  communities(first: 20) { edges { node { id slug name } } }
}`,
  },
  {
    query: `# 5. On the demo data (\`npm run demo\`): sign in as "demo-1-manager" with
#    "courtyard demo password", find the community, then read its households,
#    and its ledger (a year of invoices, payments, late fees, reminders).
query DemoCommunities {
  communities(first: 5) { edges { node { id slug name } } }
}

query DemoHouseholds($communityId: ID!) {
  households(communityId: $communityId, first: 20) { edges { node { id } } pageInfo { hasNextPage endCursor } }
}

query DemoLedger($communityId: ID!) {
  ledgerEntries(communityId: $communityId, first: 20) { edges { node { seq type actor time payload } } pageInfo { endCursor } }
}`,
    variables: '{ "communityId": "<an id from DemoCommunities>" }',
  },
  {
    query: `# 6. On the demo data, as "demo-1-manager" (or "demo-1-committee"): the proposals —
#    an Art. 278 matter decided by anonymous ballots and a named poll, both closed with
#    their results on the ledger, and one still open with its live tally.
query DemoProposals($communityId: ID!) {
  proposals(communityId: $communityId, first: 10) {
    edges { node { id title matter mode status
      liveTally { option heads weight }
      result { passed participationMet participatingHeads participatingWeight ballotsCast ledgerSeq
               totals { option heads weight } explanations } } }
  }
}`,
    variables: '{ "communityId": "<an id from DemoCommunities>" }',
  },
  {
    query: `# 7. On the demo data: the service score card of a closed month (the two months before
#    the demo ran), and one category's aggregate and trend (ids from the score card).
query DemoScoreCard($communityId: ID!, $period: String!) {
  serviceScoreCard(communityId: $communityId, period: $period) {
    __typename
    ... on QueryServiceScoreCardSuccess { data {
      period { period status }
      overall { count mean distribution }
      services { subject { id key label } aggregate { count mean distribution } }
    } }
    ... on Error { code message }
  }
}

query DemoRatingTrend($subjectId: ID!, $period: String!) {
  ratingSubject(id: $subjectId) {
    __typename
    ... on QueryRatingSubjectSuccess { data { key aggregate(period: $period) { count sum mean } trend(periods: 6) { period aggregate { count mean } } } }
    ... on Error { code message }
  }
}`,
    variables: '{ "communityId": "<an id from DemoCommunities>", "period": "<last month, YYYY-MM>", "subjectId": "<a subject id from DemoScoreCard>" }',
  },
];
