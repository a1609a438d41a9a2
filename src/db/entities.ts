/**
 * Every entity of the application, registered with the ORM in one list.
 * Each domain folder exports its entities; add them here.
 */
import type { EntitySchema } from '@mikro-orm/core';
import { CommunitySchema, JurisdictionSchema } from '../accounts/community.entity.ts';
import { AccountSchema, RoleGrantSchema, SessionSchema } from '../accounts/account.entity.ts';
import {
  HouseholdMemberSchema,
  HouseholdSchema,
  PersonalDataAccessSchema,
} from '../privacy/household.entity.ts';
import { ledgerEntities } from '../ledger/ledger.entity.ts';
import { censusEntities } from '../census/census.entity.ts';

export const allEntities: EntitySchema<any, any>[] = [
  JurisdictionSchema,
  CommunitySchema,
  AccountSchema,
  RoleGrantSchema,
  SessionSchema,
  HouseholdSchema,
  HouseholdMemberSchema,
  PersonalDataAccessSchema,
  ...ledgerEntities,
  ...censusEntities,
];
