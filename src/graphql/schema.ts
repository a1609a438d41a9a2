/**
 * Assembles the schema from the module list: each module's `registerGraphQL` imports its
 * `api/` files, which add their types and fields to the builder. The builder is one per
 * process, so the schema is built once.
 */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import type { DomainModule } from '../kernel/domain-module.ts';
import { builder } from './builder.ts';
import './errors.ts';
import './node-fields.ts';

let schema: Promise<GraphQLSchema> | undefined;
let builtFrom: readonly DomainModule[] | undefined;

async function assemble(modules: readonly DomainModule[]): Promise<GraphQLSchema> {
  for (const module of modules) await module.registerGraphQL?.();
  return builder.toSchema({ sortSchema: true });
}

export function buildSchema(modules: readonly DomainModule[]): Promise<GraphQLSchema> {
  if (builtFrom && builtFrom !== modules) throw new Error('The schema of this process was built from another module list');
  builtFrom = modules;
  schema ??= assemble(modules);
  return schema;
}

/** The SDL committed at schema/schema.graphql. */
export async function printSortedSchema(modules: readonly DomainModule[]): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildSchema(modules)))}\n`;
}
