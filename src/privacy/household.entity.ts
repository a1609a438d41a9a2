import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * A unit of a community. The unit label is personal data (it is an address), so it
 * is kept only as ciphertext under the household's data key, with a blind index
 * for exact lookup. The floor area is not personal on its own and stays in clear:
 * fees and votes are computed from it.
 */
export const HouseholdSchema = defineEntity({
  name: 'Household',
  tableName: 'households',
  properties: {
    id: p.uuid().primary(),
    communityId: p.uuid().index(),
    floorAreaCentiSquareMetres: p.integer(),
    unitLabelCiphertext: p.uint8array().nullable(),
    unitLabelBlindIndex: p.uint8array().nullable(),
    /** The household's AES-256 data key, sealed under the master key; null once shredded. */
    wrappedDataKey: p.uint8array().nullable(),
    createdAt: p.datetime(),
    /** When the data key was destroyed (crypto-shredding); the ciphertexts are unreadable since. */
    shreddedAt: p.datetime().nullable(),
  },
});
export type Household = InferEntity<typeof HouseholdSchema>;

export const HOUSEHOLD_RELATIONS = ['owner', 'occupant'] as const;
export type HouseholdRelation = (typeof HOUSEHOLD_RELATIONS)[number];

/** An owner or occupant of a household; every personal field is ciphertext. */
export const HouseholdMemberSchema = defineEntity({
  name: 'HouseholdMember',
  tableName: 'household_members',
  properties: {
    id: p.uuid().primary(),
    householdId: p.uuid().index(),
    communityId: p.uuid(),
    accountId: p.uuid().nullable().index(),
    relation: p.string().length(16),
    nameCiphertext: p.uint8array().nullable(),
    phoneCiphertext: p.uint8array().nullable(),
    phoneBlindIndex: p.uint8array().nullable(),
    idNumberCiphertext: p.uint8array().nullable(),
    createdAt: p.datetime(),
  },
});
export type HouseholdMember = InferEntity<typeof HouseholdMemberSchema>;

/** Why a manager reads personal data; a fixed list so the access log never holds free text. */
export const ACCESS_PURPOSES = [
  'BILLING',
  'MAINTENANCE',
  'EMERGENCY',
  'RESIDENT_REQUEST',
  'LEGAL_OBLIGATION',
  'GOVERNANCE',
] as const;
export type AccessPurpose = (typeof ACCESS_PURPOSES)[number];

/** One read of a household's personal data: who, when and why. Residents can see these. */
export const PersonalDataAccessSchema = defineEntity({
  name: 'PersonalDataAccess',
  tableName: 'personal_data_accesses',
  properties: {
    id: p.uuid().primary(),
    communityId: p.uuid(),
    householdId: p.uuid().index(),
    accessorAccountId: p.uuid(),
    purpose: p.string().length(32),
    accessedAt: p.datetime(),
  },
});
export type PersonalDataAccess = InferEntity<typeof PersonalDataAccessSchema>;
