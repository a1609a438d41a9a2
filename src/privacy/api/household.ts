import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { managerOf } from '../../graphql/auth-scopes.ts';
import { keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import { textArgument } from '../../graphql/text-argument.ts';
import { AccountRef } from '../../accounts/api/account.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { HouseholdSchema, ACCESS_PURPOSES, type Household, type PersonalDataAccess } from '../../privacy/household.entity.ts';
import { CommunitySchema } from '../../accounts/community.entity.ts';
import { requireCommunityReader } from '../../accounts/viewer.ts';
import {
  canSeeHousehold,
  findHousehold,
  householdKey,
  listHouseholds,
  personalDataAccessKey,
  listPersonalDataAccesses,
  readPersonalData,
  registerHousehold,
  shredHousehold,
  ID_NUMBER_MAX_LENGTH,
  PERSON_NAME_MAX_LENGTH,
  PHONE_MAX_LENGTH,
  UNIT_LABEL_MAX_LENGTH,
  type PersonalData,
} from '../../privacy/vault.ts';
import { addHouseholdMemberKeepingCensus } from '../../census/household-members.ts';

export const HouseholdRef = builder.objectRef<Household>('Household');


builder.node(HouseholdRef, {
  description: "A unit of a community. Its unit label and its members' details are personal data: see `householdPersonalData`.",
  id: { resolve: (household) => household.id, parse: (id) => parseUuid(id) },
  loadOne: async (id, context) => {
    const household = await context.em.findOne(HouseholdSchema, { id });
    return household && (await canSeeHousehold(context.em, context.viewer, household)) ? household : null;
  },
  fields: (t) => ({
    floorAreaCentiSquareMetres: t.exposeInt('floorAreaCentiSquareMetres', { description: 'Exclusive floor area in 0.01 m².' }),
    community: t.field({
      type: CommunityRef,
      resolve: (household, _args, context) => context.em.findOneOrFail(CommunitySchema, { id: household.communityId }),
    }),
    erased: t.boolean({
      description: "True once the household's personal data was crypto-shredded.",
      resolve: (household) => household.shreddedAt !== null,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    personalDataAccesses: t.connection({
      type: PersonalDataAccessRef,
      description: "Who read this household's personal data, when and why, newest first. For its members and managers.",
      resolve: (household, args, context) =>
        resolveKeysetConnection(args, (page) => listPersonalDataAccesses(context.em, context.viewer, household.id, page), {
          name: 'personalDataAccesses',
          keyOf: personalDataAccessKey,
          parseKey: keyParsers.twoStrings,
        }),
    }),
  }),
});

const PurposeEnum = builder.enumType('AccessPurpose', {
  description: 'Why personal data is read; recorded with every read.',
  values: ACCESS_PURPOSES,
});

const PersonalDataAccessRef = builder.objectRef<PersonalDataAccess>('PersonalDataAccess').implement({
  fields: (t) => ({
    accessorAccountId: t.globalID({
      description: 'The account that read the data.',
      resolve: (access) => ({ type: 'Account', id: access.accessorAccountId }),
    }),
    purpose: t.field({ type: PurposeEnum, resolve: (access) => access.purpose as (typeof ACCESS_PURPOSES)[number] }),
    accessedAt: t.expose('accessedAt', { type: 'DateTime' }),
  }),
});

const HouseholdPersonDataRef = builder
  .objectRef<PersonalData['members'][number]>('HouseholdPersonData')
  .implement({
    fields: (t) => ({
      memberId: t.exposeString('id'),
      relation: t.exposeString('relation', { description: '"owner" or "occupant".' }),
      name: t.exposeString('name'),
      phone: t.exposeString('phone', { nullable: true }),
      idNumber: t.exposeString('idNumber', { nullable: true }),
    }),
  });

const PersonalDataRef = builder.objectRef<PersonalData>('HouseholdPersonalData').implement({
  description: 'Decrypted personal data, returned only to managers of the community and only with a purpose.',
  fields: (t) => ({
    unitLabel: t.exposeString('unitLabel'),
    members: t.expose('members', { type: [HouseholdPersonDataRef] }),
  }),
});

builder.queryField('households', (t) =>
  t.connection({
    type: HouseholdRef,
    description: "A community's households: all of them for staff, committee and regulators; a resident's own.",
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    authScopes: (_root, args) => ({ communityReader: parseUuid(args.communityId.id, 'communityId') }),
    resolve: async (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      const viewer = requireCommunityReader(context.viewer, communityId);
      return resolveKeysetConnection(args, (page) => listHouseholds(context.em, viewer, communityId, page), {
        name: 'households',
        keyOf: householdKey,
        parseKey: keyParsers.twoStrings,
      });
    },
  }),
);

builder.queryField('householdPersonalData', (t) =>
  t.field({
    type: PersonalDataRef,
    description: "Managers only: decrypt a household's personal data. The read is recorded with its purpose.",
    errors: { types: MUTATION_ERRORS },
    args: {
      householdId: t.arg.globalID({ required: true, for: HouseholdRef }),
      purpose: t.arg({ type: PurposeEnum, required: true }),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        readPersonalData(em, context.services.privacy.vault, context.viewer, {
          householdId: parseUuid(args.householdId.id, 'householdId'),
          purpose: args.purpose,
        }),
      ),
  }),
);

builder.queryField('findHousehold', (t) =>
  t.field({
    type: HouseholdRef,
    nullable: true,
    description: 'Managers only: find a household by exact unit label or member phone number (blind index).',
    errors: { types: MUTATION_ERRORS },
    authScopes: (_root, args) => managerOf(args.communityId.id),
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      unitLabel: t.arg.string({ validate: textArgument({ maxLength: UNIT_LABEL_MAX_LENGTH }).optional().nullable() }),
      phone: t.arg.string({ validate: textArgument({ maxLength: PHONE_MAX_LENGTH }).optional().nullable() }),
    },
    resolve: (_root, args, context) =>
      findHousehold(context.em, context.services.privacy.vault, context.viewer, {
        communityId: parseUuid(args.communityId.id, 'communityId'),
        unitLabel: args.unitLabel,
        phone: args.phone,
      }),
  }),
);

builder.mutationField('registerHousehold', (t) =>
  t.field({
    type: HouseholdRef,
    description: 'Managers: register a household. The unit label is stored encrypted.',
    errors: { types: MUTATION_ERRORS },
    authScopes: (_root, args) => managerOf(args.communityId.id),
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      unitLabel: t.arg.string({ required: true, validate: textArgument({ maxLength: UNIT_LABEL_MAX_LENGTH }) }),
      floorAreaCentiSquareMetres: t.arg.int({ required: true }),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        registerHousehold(em, context.services.privacy.vault, context.viewer, {
          communityId: parseUuid(args.communityId.id, 'communityId'),
          unitLabel: args.unitLabel,
          floorAreaCentiSquareMetres: args.floorAreaCentiSquareMetres,
        }),
      ),
  }),
);

const RelationEnum = builder.enumType('HouseholdRelation', {
  values: { OWNER: { value: 'owner' }, OCCUPANT: { value: 'occupant' } } as const,
});

builder.mutationField('addHouseholdMember', (t) =>
  t.field({
    type: HouseholdRef,
    description: 'Managers: add an owner or occupant; linking an account makes it a resident of the community.',
    errors: { types: MUTATION_ERRORS },
    args: {
      householdId: t.arg.globalID({ required: true, for: HouseholdRef }),
      relation: t.arg({ type: RelationEnum, required: true }),
      name: t.arg.string({ required: true, validate: textArgument({ maxLength: PERSON_NAME_MAX_LENGTH }) }),
      phone: t.arg.string({ validate: textArgument({ maxLength: PHONE_MAX_LENGTH }).optional().nullable() }),
      idNumber: t.arg.string({ validate: textArgument({ maxLength: ID_NUMBER_MAX_LENGTH }).optional().nullable() }),
      accountId: t.arg.globalID({ for: AccountRef }),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, async (em) => {
        const member = await addHouseholdMemberKeepingCensus(em, context.services.privacy.vault, context.viewer, {
          householdId: parseUuid(args.householdId.id, 'householdId'),
          relation: args.relation,
          name: args.name,
          phone: args.phone,
          idNumber: args.idNumber,
          accountId: args.accountId ? parseUuid(args.accountId.id, 'accountId') : null,
        });
        return em.findOneOrFail(HouseholdSchema, { id: member.householdId });
      }),
  }),
);

builder.mutationField('eraseHouseholdPersonalData', (t) =>
  t.field({
    type: HouseholdRef,
    description: "Managers: crypto-shred a household's personal data by destroying its data key.",
    errors: { types: MUTATION_ERRORS },
    args: { householdId: t.arg.globalID({ required: true, for: HouseholdRef }) },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) => shredHousehold(em, context.viewer, parseUuid(args.householdId.id, 'householdId'))),
  }),
);
