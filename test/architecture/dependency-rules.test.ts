/**
 * The dependency rules of docs/architecture.md are checked by ESLint (eslint.config.js,
 * `no-restricted-imports`), which CI runs over the whole tree with `npm run lint`. These
 * tests lint deliberately wrong (and right) imports with the project's own configuration,
 * so a rule that silently stopped matching fails here.
 */
import { ESLint } from 'eslint';

// The project's configuration file itself, as `npm run lint` loads it.
const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

/** The dependency-rule messages ESLint reports for `source` as if it were the file at `filePath`. */
async function violations(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

const refused: Array<[string, string, RegExp]> = [
  ['src/fees/invoice-rules.ts', "import { builder } from '../graphql/builder.ts';", /never imports src\/graphql\/ or src\/server\//u],
  ['src/fees/invoice-rules.ts', "import { createApp } from '../server/app.ts';", /never imports src\/graphql\/ or src\/server\//u],
  ['src/fees/invoice-rules.ts', "import type { GraphQLSchema } from 'graphql';", /never imports GraphQL or HTTP libraries/u],
  ['src/fees/invoice-rules.ts', "import SchemaBuilder from '@pothos/core';", /never imports GraphQL or HTTP libraries/u],
  ['src/fees/invoice-rules.ts', "import { CommunityRef } from '../accounts/api/community.ts';", /never imports an api\/ folder/u],
  ['src/fees/sub/reminders.ts', "export { builder } from '../../graphql/builder.ts';", /never imports src\/graphql\//u],
  ['src/zk/verifier.ts', "import type { SqlEntityManager } from '../db/orm.ts';", /import no database code/u],
  ['src/zk/verifier.ts', "import { MikroORM } from '@mikro-orm/core';", /import no database code/u],
  ['src/client/prove.ts', "import pg from 'pg';", /import no database code/u],
  ['src/db/orm.ts', "import { ledgerEntities } from '../ledger/ledger.entity.ts';", /src\/db\/ imports no domain/u],
  ['src/graphql/context.ts', "import type { App } from '../server/app.ts';", /never import src\/server\//u],
  ['src/ledger/api/ledger-entry.ts', "import { createServices } from '../../server/services.ts';", /never import src\/server\//u],
  ['src/kernel/domain-module.ts', "import type { LedgerServices } from '../ledger/ledger-services.ts';", /src\/kernel\/ imports no domain/u],
  ['src/census/nullifier-store.ts', "import { tally } from '../governance/tally-rules.ts';", /build on the census, never the reverse/u],
];

const allowed: Array<[string, string]> = [
  ['src/fees/api/invoice.ts', "import { builder } from '../../graphql/builder.ts';\nimport { MUTATION_ERRORS } from '../../graphql/errors.ts';"],
  ['src/fees/module.ts', "import { invoiceRoute } from './api/webhook-route.ts';\nimport type { DomainModule } from '../kernel/domain-module.ts';"],
  ['src/fees/invoice-rules.ts', "import { appendEntry } from '../ledger/append-entry.ts';\nimport type { SqlEntityManager } from '../db/orm.ts';"],
  ['src/fees/fee-proof.ts', "import { useNullifier } from '../census/nullifier-store.ts';\nimport { verifyMembershipProof } from '../zk/verifier.ts';"],
  ['src/governance/ballots.ts', "import { checkMembershipProof } from '../census/membership-proof.ts';"],
  ['src/zk/verifier.ts', "import * as snarkjs from 'snarkjs';"],
  ['src/kernel/domain-module.ts', "import type { SqlEntityManager } from '../db/orm.ts';\nimport type { Configuration } from '../config/configuration.ts';"],
  ['src/graphql/context.ts', "import type { Viewer } from '../accounts/viewer.ts';"],
];

describe('the dependency rules', () => {
  it.each(refused)('refuses, in %s, `%s`', async (filePath, source, message) => {
    const found = await violations(filePath, source);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it.each(allowed)('allows, in %s, `%s`', async (filePath, source) => {
    expect(await violations(filePath, source)).toEqual([]);
  });
});
