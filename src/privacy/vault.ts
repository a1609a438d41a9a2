/**
 * The personal-data vault. Households and their members are stored with every
 * personal field encrypted under a per-household data key, itself sealed by the
 * master key. Only managers of the household's community read them, and only
 * through `readPersonalData`, which takes a purpose and records the read.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain-error.ts';
import { AccountSchema } from '../accounts/account.entity.ts';
import { CommunitySchema } from '../accounts/community.entity.ts';
import { grantRoleUnchecked } from '../accounts/account-service.ts';
import { requireCommunityReader, requireCommunityRole, requireViewer, hasCommunityRole, type Viewer } from '../accounts/viewer.ts';
import type { SqlEntityManager } from '../db/orm.ts';
import { appendEntry } from '../ledger/append-entry.ts';
import { keysetSql, type KeysetOrder, type KeysetPage } from '../kernel/keyset.ts';
import { requireText as requireTextRule } from '../text-input.ts';
import { blindIndex, normalisePhone, normaliseUnitLabel } from './blind-index.ts';
import { isHouseholdMember } from './ownership.ts';
import { newDataKey, openText, sealText, type MasterKey } from './envelope.ts';
import {
  ACCESS_PURPOSES,
  HouseholdMemberSchema,
  HouseholdSchema,
  PersonalDataAccessSchema,
  type AccessPurpose,
  type Household,
  type HouseholdMember,
  type HouseholdRelation,
  type PersonalDataAccess,
} from './household.entity.ts';

export const UNIT_LABEL_MAX_LENGTH = 64;
export const PERSON_NAME_MAX_LENGTH = 100;
export const PHONE_MAX_LENGTH = 32;
export const ID_NUMBER_MAX_LENGTH = 32;
/** 1,000,000 m² in 0.01 m²: larger than any single unit. */
export const FLOOR_AREA_MAX_CENTI_SQUARE_METRES = 100_000_000;

/** Called after each personal-data read, e.g. to append an access entry to the ledger. */
export type AccessRecorder = (em: EntityManager, access: PersonalDataAccess) => Promise<void>;

export interface VaultDependencies {
  masterKey: MasterKey;
  recordAccess?: AccessRecorder | undefined;
}

export interface PersonalData {
  unitLabel: string;
  members: Array<{ id: string; relation: HouseholdRelation; name: string; phone: string | null; idNumber: string | null }>;
}

export class DataShreddedError extends ConflictError {
  constructor() {
    super("This household's personal data was erased");
  }
}

function requireText(value: string, parameter: string, maxLength: number): string {
  return requireTextRule(value, parameter, { maxLength });
}

function fieldContext(rowId: string, field: string): string {
  return `${rowId}/${field}`;
}

async function unwrapDataKey(dependencies: VaultDependencies, household: Household): Promise<Uint8Array> {
  if (!household.wrappedDataKey) throw new DataShreddedError();
  return dependencies.masterKey.open(household.wrappedDataKey, fieldContext(household.id, 'dataKey'));
}

/**
 * Registers a unit of the community. The unit label is sealed; the floor area — which
 * decides Art. 278 totals and fees — goes on the community's log with the household's id
 * (`privacy.household-registered`), never the label.
 */
export async function registerHousehold(
  em: EntityManager,
  dependencies: VaultDependencies,
  viewer: Viewer | null,
  input: { communityId: string; unitLabel: string; floorAreaCentiSquareMetres: number },
): Promise<Household> {
  const manager = requireCommunityRole(viewer, input.communityId, ['manager']);
  const unitLabel = requireText(input.unitLabel, 'unitLabel', UNIT_LABEL_MAX_LENGTH);
  const area = input.floorAreaCentiSquareMetres;
  if (!Number.isInteger(area) || area <= 0 || area > FLOOR_AREA_MAX_CENTI_SQUARE_METRES) {
    throw new InvalidInputError('floorAreaCentiSquareMetres', `must be an integer from 1 to ${FLOOR_AREA_MAX_CENTI_SQUARE_METRES}`);
  }
  if (!(await em.findOne(CommunitySchema, { id: input.communityId }))) throw new NotFoundError('Community');
  const unitLabelIndex = blindIndex(dependencies.masterKey.blindIndexKey(input.communityId), 'unitLabel', normaliseUnitLabel(unitLabel));
  if (await em.count(HouseholdSchema, { communityId: input.communityId, unitLabelBlindIndex: unitLabelIndex })) {
    throw new ConflictError('A household with this unit label is already registered');
  }
  const id = randomUUID();
  const dataKey = newDataKey();
  const household = em.create(HouseholdSchema, {
    id,
    communityId: input.communityId,
    floorAreaCentiSquareMetres: area,
    unitLabelCiphertext: sealText(dataKey, unitLabel, fieldContext(id, 'unitLabel')),
    unitLabelBlindIndex: unitLabelIndex,
    wrappedDataKey: dependencies.masterKey.seal(dataKey, fieldContext(id, 'dataKey')),
    createdAt: new Date(),
    shreddedAt: null,
  });
  await em.flush();
  await appendEntry(em as SqlEntityManager, {
    communityId: household.communityId,
    type: 'privacy.household-registered',
    payload: { householdId: household.id, floorAreaCentiSquareMetres: area },
    actor: manager.accountId,
  });
  return household;
}

/** A member to add: the personal fields are encrypted; linking an account makes it a resident. */
export interface NewHouseholdMember {
  householdId: string;
  relation: HouseholdRelation;
  name: string;
  phone?: string | null | undefined;
  idNumber?: string | null | undefined;
  accountId?: string | null | undefined;
}

export async function addHouseholdMember(
  em: EntityManager,
  dependencies: VaultDependencies,
  viewer: Viewer | null,
  input: NewHouseholdMember,
): Promise<HouseholdMember> {
  const household = await findHouseholdForManager(em, viewer, input.householdId);
  const name = requireText(input.name, 'name', PERSON_NAME_MAX_LENGTH);
  const phone = input.phone ? requireText(input.phone, 'phone', PHONE_MAX_LENGTH) : null;
  if (phone !== null && !/^\+?[\d\s()-]{5,32}$/u.test(phone)) throw new InvalidInputError('phone', 'must be a phone number');
  const idNumber = input.idNumber ? requireText(input.idNumber, 'idNumber', ID_NUMBER_MAX_LENGTH) : null;
  if (input.accountId) {
    if (!(await em.findOne(AccountSchema, { id: input.accountId }))) throw new NotFoundError('Account');
    // Linking an account to a household makes it a resident of that community.
    await grantRoleUnchecked(em, { accountId: input.accountId, role: 'resident', communityId: household.communityId }, requireViewer(viewer).accountId);
  }
  const dataKey = await unwrapDataKey(dependencies, household);
  const id = randomUUID();
  const member = em.create(HouseholdMemberSchema, {
    id,
    householdId: household.id,
    communityId: household.communityId,
    accountId: input.accountId ?? null,
    relation: input.relation,
    nameCiphertext: sealText(dataKey, name, fieldContext(id, 'name')),
    phoneCiphertext: phone === null ? null : sealText(dataKey, phone, fieldContext(id, 'phone')),
    phoneBlindIndex:
      phone === null ? null : blindIndex(dependencies.masterKey.blindIndexKey(household.communityId), 'phone', normalisePhone(phone)),
    idNumberCiphertext: idNumber === null ? null : sealText(dataKey, idNumber, fieldContext(id, 'idNumber')),
    createdAt: new Date(),
  });
  await em.flush();
  return member;
}

async function findHouseholdForManager(em: EntityManager, viewer: Viewer | null, householdId: string): Promise<Household> {
  // Not signed in is UNAUTHENTICATED everywhere, before anything about the household is looked up.
  requireViewer(viewer);
  const household = await em.findOne(HouseholdSchema, { id: householdId });
  // An unknown household and one in another community look the same to the caller.
  if (!household || !hasCommunityRole(viewer, household.communityId, ['manager'])) throw new NotFoundError('Household');
  return household;
}

/** Finds a household by its unit label or a member's phone number, without decrypting anything. */
export async function findHousehold(
  em: EntityManager,
  dependencies: VaultDependencies,
  viewer: Viewer | null,
  input: { communityId: string; unitLabel?: string | null | undefined; phone?: string | null | undefined },
): Promise<Household | null> {
  requireCommunityRole(viewer, input.communityId, ['manager']);
  const key = dependencies.masterKey.blindIndexKey(input.communityId);
  if (input.unitLabel) {
    const index = blindIndex(key, 'unitLabel', normaliseUnitLabel(requireText(input.unitLabel, 'unitLabel', UNIT_LABEL_MAX_LENGTH)));
    return em.findOne(HouseholdSchema, { communityId: input.communityId, unitLabelBlindIndex: index });
  }
  if (input.phone) {
    const index = blindIndex(key, 'phone', normalisePhone(requireText(input.phone, 'phone', PHONE_MAX_LENGTH)));
    const member = await em.findOne(HouseholdMemberSchema, { communityId: input.communityId, phoneBlindIndex: index });
    return member ? em.findOne(HouseholdSchema, { id: member.householdId }) : null;
  }
  throw new InvalidInputError('unitLabel', 'give a unit label or a phone number');
}

/**
 * Decrypts a household's personal data for a manager, recording who read it and why:
 * an access row (for the household's members to see) and a `privacy.access` ledger entry
 * carrying ids and the purpose only, both in the caller's transaction, so a read that is
 * not recorded does not happen.
 */
export async function readPersonalData(
  em: EntityManager,
  dependencies: VaultDependencies,
  viewer: Viewer | null,
  input: { householdId: string; purpose: AccessPurpose },
): Promise<PersonalData> {
  if (!(ACCESS_PURPOSES as readonly string[]).includes(input.purpose)) throw new InvalidInputError('purpose', 'unknown purpose');
  const household = await findHouseholdForManager(em, viewer, input.householdId);
  const dataKey = await unwrapDataKey(dependencies, household);
  const members = await em.find(HouseholdMemberSchema, { householdId: household.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const access = em.create(PersonalDataAccessSchema, {
    id: randomUUID(),
    communityId: household.communityId,
    householdId: household.id,
    accessorAccountId: viewer!.accountId,
    purpose: input.purpose,
    accessedAt: new Date(),
  });
  await em.flush();
  await dependencies.recordAccess?.(em, access);
  await appendEntry(em as SqlEntityManager, {
    communityId: access.communityId,
    type: 'privacy.access',
    payload: { accessId: access.id, householdId: access.householdId, accessorAccountId: access.accessorAccountId, purpose: access.purpose },
    actor: access.accessorAccountId,
  });
  const open = (sealed: Uint8Array | null | undefined, rowId: string, field: string): string | null =>
    sealed ? openText(dataKey, sealed, fieldContext(rowId, field)) : null;
  return {
    unitLabel: open(household.unitLabelCiphertext, household.id, 'unitLabel')!,
    members: members.map((member) => ({
      id: member.id,
      relation: member.relation as HouseholdRelation,
      name: open(member.nameCiphertext, member.id, 'name')!,
      phone: open(member.phoneCiphertext, member.id, 'phone'),
      idNumber: open(member.idNumberCiphertext, member.id, 'idNumber'),
    })),
  };
}

/** Crypto-shredding: destroys the data key, so the ciphertexts can never be read again. */
export async function shredHousehold(em: EntityManager, viewer: Viewer | null, householdId: string): Promise<Household> {
  const household = await findHouseholdForManager(em, viewer, householdId);
  household.wrappedDataKey = null;
  household.unitLabelBlindIndex = null;
  household.shreddedAt = new Date();
  await em.nativeUpdate(HouseholdMemberSchema, { householdId }, { phoneBlindIndex: null });
  await em.flush();
  return household;
}

/** Households of a community in registration order: by (created_at, id), the timestamp as PostgreSQL prints it, exactly. */
const HOUSEHOLD_ORDER: KeysetOrder = {
  columns: [
    { expression: 'h.created_at', cast: 'timestamptz' },
    { expression: 'h.id', cast: 'uuid' },
  ],
};

/** A household's key in the `households` list, for its cursor. */
const householdKeys = new WeakMap<Household, readonly [string, string]>();
export function householdKey(household: Household): readonly [string, string] {
  return householdKeys.get(household) ?? [household.createdAt.toISOString(), household.id];
}

/** Households the viewer may see, a page at a time: all of a community for its staff, committee and regulators; a resident's own. */
export async function listHouseholds(
  em: EntityManager,
  viewer: Viewer | null,
  communityId: string,
  page: KeysetPage<readonly [string, string]>,
): Promise<Household[]> {
  const caller = requireCommunityReader(viewer, communityId);
  const seesAll =
    caller.isAdmin || hasCommunityRole(caller, communityId, ['manager', 'committee']) || caller.regulatedCommunityIds.has(communityId);
  const ownIds = seesAll ? undefined : await ownHouseholdIds(em, caller, communityId);
  if (ownIds?.length === 0) return [];
  const { condition, orderBy, limit, parameters } = keysetSql(HOUSEHOLD_ORDER, page);
  const rows: Array<Record<string, unknown>> = await (em as SqlEntityManager).execute(
    `select h.*, h.created_at::text as keyset_created_at from households h
      where h.community_id = ? ${ownIds ? `and h.id in (${ownIds.map(() => '?').join(', ')})` : ''} and ${condition}
      order by ${orderBy} limit ?`,
    [communityId, ...(ownIds ?? []), ...parameters, limit],
  );
  return rows.map(({ keyset_created_at: createdAtKey, ...columns }) => {
    const household = em.map(HouseholdSchema, columns);
    householdKeys.set(household, [String(createdAtKey), household.id]);
    return household;
  });
}

async function ownHouseholdIds(em: EntityManager, viewer: Viewer, communityId: string): Promise<string[]> {
  const memberships = await em.find(HouseholdMemberSchema, { accountId: viewer.accountId, communityId }, { fields: ['householdId'] });
  return memberships.map((member) => member.householdId);
}

/** Whether the viewer may see this household's non-personal record. */
export async function canSeeHousehold(em: EntityManager, viewer: Viewer | null, household: Household): Promise<boolean> {
  if (!viewer) return false;
  const { communityId } = household;
  if (viewer.isAdmin || viewer.regulatedCommunityIds.has(communityId)) return true;
  if (hasCommunityRole(viewer, communityId, ['manager', 'committee'])) return true;
  return isHouseholdMember(em, household.id, viewer.accountId);
}

/** Reads of a household's personal data, newest first: by (accessed_at, id) descending. */
const ACCESS_ORDER: KeysetOrder = {
  columns: [
    { expression: 'a.accessed_at', cast: 'timestamptz' },
    { expression: 'a.id', cast: 'uuid' },
  ],
  descending: true,
};

const accessKeys = new WeakMap<PersonalDataAccess, readonly [string, string]>();
export function personalDataAccessKey(access: PersonalDataAccess): readonly [string, string] {
  return accessKeys.get(access) ?? [access.accessedAt.toISOString(), access.id];
}

/** Who read a household's personal data, when and why, newest first: for its members and its community's managers. */
export async function listPersonalDataAccesses(
  em: EntityManager,
  viewer: Viewer | null,
  householdId: string,
  page: KeysetPage<readonly [string, string]>,
): Promise<PersonalDataAccess[]> {
  const caller = requireViewer(viewer);
  const household = await em.findOne(HouseholdSchema, { id: householdId });
  if (!household) throw new NotFoundError('Household');
  const isMember = await isHouseholdMember(em, householdId, caller.accountId);
  if (!isMember && !hasCommunityRole(caller, household.communityId, ['manager'])) throw new NotFoundError('Household');
  const { condition, orderBy, limit, parameters } = keysetSql(ACCESS_ORDER, page);
  const rows: Array<Record<string, unknown>> = await (em as SqlEntityManager).execute(
    `select a.*, a.accessed_at::text as keyset_accessed_at from personal_data_accesses a
      where a.household_id = ? and ${condition} order by ${orderBy} limit ?`,
    [householdId, ...parameters, limit],
  );
  return rows.map(({ keyset_accessed_at: accessedAtKey, ...columns }) => {
    const access = em.map(PersonalDataAccessSchema, columns);
    accessKeys.set(access, [String(accessedAtKey), access.id]);
    return access;
  });
}

/** Households re-wrapped per statement page in a master-key rotation. */
const REWRAP_PAGE_SIZE = 500;

/**
 * Re-wraps every household data key that is not yet under the master key's current key
 * (a rotation, src/privacy/master-key-rotation.ts). The ciphertexts do not change: only
 * the wrapped data key. A row is replaced only if it still holds what was read, so a
 * household shredded meanwhile stays shredded. Returns how many keys were re-wrapped.
 */
export async function rewrapHouseholdDataKeys(em: SqlEntityManager, masterKey: MasterKey): Promise<number> {
  let rewrapped = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows: Array<{ id: string; wrapped_data_key: Uint8Array }> = await em.execute(
      'select id, wrapped_data_key from households where wrapped_data_key is not null and id > ? order by id limit ?',
      [after, REWRAP_PAGE_SIZE],
    );
    for (const row of rows) {
      const wrapped = new Uint8Array(row.wrapped_data_key);
      const context = fieldContext(row.id, 'dataKey');
      if (masterKey.isSealedUnderCurrent(wrapped, context)) continue;
      const fresh = masterKey.seal(masterKey.open(wrapped, context), context);
      const updated: unknown[] = await em.execute(
        'update households set wrapped_data_key = ? where id = ? and wrapped_data_key = ? returning id',
        [Buffer.from(fresh), row.id, Buffer.from(wrapped)],
      );
      rewrapped += updated.length;
    }
    if (rows.length < REWRAP_PAGE_SIZE) return rewrapped;
    after = rows.at(-1)!.id;
  }
}
