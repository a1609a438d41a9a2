import { readFile } from 'node:fs/promises';
import { printSortedSchema } from '../../src/graphql/schema.ts';
import { modules } from '../../src/server/modules.ts';

describe('schema/schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema` after changing types)', async () => {
    const committed = await readFile(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(await printSortedSchema(modules));
  });
});
