/**
 * Part of `npm run typecheck`: the SDK's GraphQL operations against the schema.
 *
 * 1. src/client/typed-api/graphql-env.d.ts (the schema's introspection, from which gql.tada
 *    infers every operation's types) must be what `npm run client:types` writes from
 *    schema/schema.graphql now, so a schema change cannot leave the types behind;
 * 2. `gql-tada check` validates every `graphql(…)` document against the schema (unknown
 *    fields, wrong arguments, missing variables), which the TypeScript checker alone does
 *    not: it would type an unknown field as `unknown`.
 * Either failure exits non-zero with the reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOutput } from '@gql.tada/cli-utils';

const root = fileURLToPath(new URL('../..', import.meta.url));
const committedFile = join(root, 'src/client/typed-api/graphql-env.d.ts');
const gqlTadaCli = join(root, 'node_modules/gql.tada/bin/cli.js');

const scratch = await mkdtemp(join(tmpdir(), 'courtyard-gql-tada-'));
try {
  const fresh = join(scratch, 'graphql-env.d.ts');
  await generateOutput({ output: fresh, tsconfig: join(root, 'tsconfig.json'), silent: true });
  if ((await readFile(fresh, 'utf8')) !== (await readFile(committedFile, 'utf8'))) {
    console.error(
      'src/client/typed-api/graphql-env.d.ts is not the schema of schema/schema.graphql: run `npm run client:types`',
    );
    process.exit(1);
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}

const check = spawnSync(process.execPath, [gqlTadaCli, 'check'], { cwd: root, stdio: 'inherit' });
if (check.status !== 0) {
  console.error('GraphQL operations do not match schema/schema.graphql (gql-tada check, above)');
  process.exit(check.status ?? 1);
}
