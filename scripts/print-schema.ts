/**
 * Writes the printed, sorted SDL to schema/schema.graphql (`npm run schema`).
 * A test fails when the committed file and the code differ.
 */
import { writeFile } from 'node:fs/promises';
import { printSortedSchema } from '../src/graphql/schema.ts';
import { modules } from '../src/server/modules.ts';

const target = new URL('../schema/schema.graphql', import.meta.url);
await writeFile(target, await printSortedSchema(modules));
console.log(`wrote ${target.pathname}`);
