/**
 * Typed GraphQL documents for the Courtyard API, with gql.tada: `graphql(\`…\`)` returns
 * a document whose result and variables types TypeScript infers from the schema's
 * introspection (graphql-env.d.ts, generated from schema/schema.graphql by
 * `npm run client:types`). No code is generated per operation and nothing runs at build
 * time: an operation that the schema no longer answers is a type error in
 * `npm run typecheck`.
 *
 * The custom scalars travel as strings (decimal integers, RFC 3339 instants, hex).
 */
import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

export const graphql = initGraphQLTada<{
  introspection: introspection;
  // Fragments spread into an operation are plain fields of its result (no masking to unwrap).
  disableMasking: true;
  scalars: {
    BigInt: string;
    DateTime: string;
    Hex: string;
    Money: string;
    ID: string;
  };
}>();

export type { FragmentOf, ResultOf, VariablesOf, TadaDocumentNode } from 'gql.tada';
export { readFragment } from 'gql.tada';
