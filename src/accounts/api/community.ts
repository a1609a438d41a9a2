import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { CommunitySchema, JurisdictionSchema, type Community, type Jurisdiction } from '../../accounts/community.entity.ts';
import { canReadCommunity } from '../../accounts/viewer.ts';
import { keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import { createCommunity, createJurisdiction, listCommunities, NAME_MAX_LENGTH } from '../../accounts/account-service.ts';
import { textArgument } from '../../graphql/text-argument.ts';

export const CommunityRef = builder.objectRef<Community>('Community');
export const JurisdictionRef = builder.objectRef<Jurisdiction>('Jurisdiction');

builder.node(CommunityRef, {
  description: 'A residential community (小区). Nothing of one community is visible from another.',
  id: { resolve: (community) => community.id, parse: (id) => parseUuid(id) },
  loadOne: async (id, context) => {
    // Checked before loading, so an unreachable community and an unknown one look alike.
    if (!canReadCommunity(context.viewer, id)) return null;
    return context.em.findOne(CommunitySchema, { id });
  },
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    requiredCosignatures: t.exposeInt('requiredCosignatures', {
      description: 'How many witness cosignatures make a ledger checkpoint final.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.node(JurisdictionRef, {
  description: "A street office's or housing authority's area.",
  id: { resolve: (jurisdiction) => jurisdiction.id, parse: (id) => parseUuid(id) },
  loadOne: (id, context) => (context.viewer?.isAdmin ? context.em.findOne(JurisdictionSchema, { id }) : null),
  fields: (t) => ({ name: t.exposeString('name') }),
});

builder.queryField('communities', (t) =>
  t.connection({
    type: CommunityRef,
    description: 'The communities the caller belongs to, regulates, or (admin) all of them, in slug order.',
    authScopes: { authenticated: true },
    resolve: (_root, args, context) => {
      // The request's EntityManager is forked only if a statement is needed (most pages need none).
      const db = { execute: (sql: string, params: unknown[]) => context.em.execute(sql, params) };
      return resolveKeysetConnection(args, (page) => listCommunities(db, context.viewer, page, context.services.accounts.communityDirectory), {
        name: 'communities',
        keyOf: (community) => [community.slug] as const,
        parseKey: keyParsers.oneString,
      });
    },
  }),
);

builder.mutationField('createJurisdiction', (t) =>
  t.field({
    type: JurisdictionRef,
    description: 'Admin: create a jurisdiction that regulators can be granted.',
    authScopes: { admin: true },
    errors: { types: MUTATION_ERRORS },
    args: { name: t.arg.string({ required: true, validate: textArgument({ maxLength: NAME_MAX_LENGTH }) }) },
    resolve: (_root, args, context) => inTransaction(context, (em) => createJurisdiction(em, context.viewer, args.name)),
  }),
);

builder.mutationField('createCommunity', (t) =>
  t.field({
    type: CommunityRef,
    description: 'Admin: create a community.',
    authScopes: { admin: true },
    errors: { types: MUTATION_ERRORS },
    args: {
      slug: t.arg.string({ required: true, validate: z.string().max(64) }),
      name: t.arg.string({ required: true, validate: textArgument({ maxLength: NAME_MAX_LENGTH }) }),
      jurisdictionId: t.arg.globalID({ for: JurisdictionRef }),
      requiredCosignatures: t.arg.int(),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        createCommunity(em, context.viewer, {
          slug: args.slug,
          name: args.name,
          jurisdictionId: args.jurisdictionId ? parseUuid(args.jurisdictionId.id, 'jurisdictionId') : null,
          requiredCosignatures: args.requiredCosignatures,
        }, context.services.ledger),
      ),
  }),
);
