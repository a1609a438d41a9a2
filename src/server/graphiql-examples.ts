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
];
