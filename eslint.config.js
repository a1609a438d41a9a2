// Lint rules: typescript-eslint's recommended set on every TypeScript file, and the
// dependency rules of docs/architecture.md ("Which module may call which").
// Type-aware rules are left to `npm run typecheck` (tsc --noEmit) to keep lint fast.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const RULES = 'see docs/architecture.md, "Which module may call which"';

// Import paths are matched as written (relative paths or package names), with regular
// expressions, by ESLint's own `no-restricted-imports`. Dynamic import() is not checked:
// only a module.ts uses it, to load its own api/ folder.
const graphqlOrServer = {
  regex: '(^|/)(graphql|server)/',
  message: `A domain's core never imports src/graphql/ or src/server/: put API code in the domain's api/ folder (${RULES}).`,
};
const graphqlPackages = {
  regex: '^(graphql|graphql-yoga|graphql-ws|@pothos/.+|@graphql-yoga/.+|@escape\\.tech/graphql-armor)$',
  message: `A domain's core never imports GraphQL or HTTP libraries: put API code in the domain's api/ folder (${RULES}).`,
};
const anotherApi = {
  regex: '(^|/)api/',
  message: `A domain's core never imports an api/ folder; the API calls the core, not the reverse (${RULES}).`,
};
const databaseCode = {
  regex: '(^|/)db/|^(pg|@mikro-orm/.+|@electric-sql/pglite)$',
  message: `src/zk/ and src/client/ run in the browser too: they import no database code (${RULES}).`,
};
const censusDependents = {
  regex: '(^|/)(governance|ratings|fees|funds|activities)/',
  message: `Governance, ratings and fees build on the census, never the reverse (${RULES}).`,
};
const anyDomain = {
  regex: '^\\.\\./',
  message: `src/db/ imports no domain: it takes entities and migrations as parameters (${RULES}).`,
};
const domainOrServer = {
  regex: '^\\.\\./(?!db/|config/)',
  message: `src/kernel/ imports no domain, GraphQL or server code, so that every layer may import it (${RULES}).`,
};
const server = {
  regex: '(^|/)server/',
  message: `GraphQL set-up and api/ folders never import src/server/: declare what resolvers need in the module runtime or a module's services (${RULES}).`,
};

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

/** A domain's core: every folder under src/ except the layers above it and its own API. */
const domainCoreIgnores = ['src/graphql/**', 'src/server/**', 'src/kernel/**', 'src/db/**', 'src/*/api/**', 'src/*/module.ts'];

export const dependencyRules = [
  { files: ['src/**/*.ts'], ignores: domainCoreIgnores, rules: restrict(graphqlOrServer, graphqlPackages, anotherApi) },
  { files: ['src/zk/**/*.ts', 'src/client/**/*.ts'], rules: restrict(graphqlOrServer, graphqlPackages, anotherApi, databaseCode) },
  { files: ['src/census/**/*.ts'], ignores: domainCoreIgnores, rules: restrict(graphqlOrServer, graphqlPackages, anotherApi, censusDependents) },
  { files: ['src/db/**/*.ts'], rules: restrict(anyDomain, graphqlPackages) },
  { files: ['src/kernel/**/*.ts'], rules: restrict(domainOrServer, graphqlPackages) },
  { files: ['src/graphql/**/*.ts', 'src/*/api/**/*.ts', 'src/*/module.ts'], rules: restrict(server) },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'circuits/build/', 'coverage/', 'data/', '.courtyard/', 'src/client/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Tests and GraphQL result shapes use `any` on purpose; production code avoids it by review.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...dependencyRules,
);
