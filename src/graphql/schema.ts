/**
 * Assembles the schema: importing a type file registers its types and fields
 * with the builder. Add each new domain's type files here.
 */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import './errors.ts';
import './types/community.ts';
import './types/account.ts';
import './types/household.ts';
import './types/census-tree.ts';
import './types/zk-keys.ts';
import './types/ledger-entry.ts';
import './types/ledger-checkpoint.ts';
import './types/ledger-witness.ts';
import './types/ledger-proof.ts';
import './types/ledger-log.ts';

let schema: GraphQLSchema | undefined;

export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: true });
  return schema;
}

/** The SDL committed at schema/schema.graphql. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}
