/**
 * Relay's `node(id)` and `nodes(ids)`, declared here rather than by the relay plugin so
 * that every id the caller cannot have answers null — item by item in `nodes`, as Relay
 * clients expect — whether it names an object the caller may not see, one that does not
 * exist, a type that is not a node, or is not a global id at all. The plugin's own
 * fields refuse the whole list for one malformed id.
 *
 * Each node type's `loadOne` decides visibility (it returns null for an object out of the
 * caller's reach), so an unreachable object and a missing one look alike.
 */
import { decodeGlobalID, resolveNodes } from '@pothos/plugin-relay';
import { isInterfaceType, isObjectType, type GraphQLResolveInfo } from 'graphql';
import { z } from 'zod';
import { builder } from './builder.ts';
import type { GraphQLContext } from './context.ts';

/** Most ids one `nodes` call resolves. */
export const NODES_MAX_IDS = 100;
/** Longest global id considered; longer ones cannot be ours. */
const GLOBAL_ID_MAX_LENGTH = 200;

type ParsedGlobalId = { typename: string; id: unknown };

/** The type name and parsed local id of a global id of a node type, or null. */
function parseNodeId(globalId: string, context: GraphQLContext, info: GraphQLResolveInfo): ParsedGlobalId | null {
  if (globalId.length > GLOBAL_ID_MAX_LENGTH) return null;
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    return null;
  }
  const type = info.schema.getType(decoded.typename);
  const nodeInterface = info.schema.getType('Node');
  if (!isObjectType(type) || !isInterfaceType(nodeInterface) || !type.getInterfaces().includes(nodeInterface)) return null;
  const parse = type.extensions['pothosParseGlobalID'] as ((id: string, context: GraphQLContext) => unknown) | undefined;
  try {
    return { typename: decoded.typename, id: parse ? parse(decoded.id, context) : decoded.id };
  } catch {
    // A local id the type's parser refuses (not a UUID, say) names nothing that exists.
    return null;
  }
}

async function loadNodes(globalIds: readonly string[], context: GraphQLContext, info: GraphQLResolveInfo): Promise<unknown[]> {
  const parsed = globalIds.map((globalId) => parseNodeId(globalId, context, info));
  const valid = parsed.filter((entry): entry is ParsedGlobalId => entry !== null);
  const loaded = await resolveNodes(builder, context, info, valid);
  let next = 0;
  return parsed.map((entry) => (entry === null ? null : (loaded[next++] ?? null)));
}

builder.queryField('node', (t) =>
  t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description: 'The object with this global id, or null when it does not exist or the caller may not see it.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context, info) => (await loadNodes([String(args.id)], context, info))[0] as never,
  }),
);

builder.queryField('nodes', (t) =>
  t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: `The objects with these global ids, in order; null for each the caller may not see or that does not exist. At most ${NODES_MAX_IDS} ids.`,
    args: { ids: t.arg.idList({ required: true, validate: z.array(z.unknown()).max(NODES_MAX_IDS) }) },
    resolve: (_root, args, context, info) => loadNodes(args.ids.map(String), context, info) as never,
  }),
);
