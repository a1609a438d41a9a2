import { readFile } from 'node:fs/promises';
import { parse, validate } from 'graphql';
import { buildSchema } from '../../src/graphql/schema.ts';
import { modules } from '../../src/server/modules.ts';
import { GRAPHIQL_EXAMPLES } from '../../src/server/graphiql-examples.ts';

async function readmeOperations(): Promise<string[]> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  return [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

describe('example operations', () => {
  it('in the README are valid against the schema', async () => {
    const operations = await readmeOperations();
    expect(operations.length).toBeGreaterThan(0);
    const schema = await buildSchema(modules);
    for (const operation of operations) expect(validate(schema, parse(operation))).toEqual([]);
  });

  it('in GraphiQL are valid against the schema', async () => {
    const schema = await buildSchema(modules);
    for (const example of GRAPHIQL_EXAMPLES) expect(validate(schema, parse(example.query))).toEqual([]);
  });
});
