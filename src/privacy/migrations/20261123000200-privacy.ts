import { SqlMigration } from '../../db/sql-migration.ts';

/** Households, their members and the personal-data access log. Personal fields are ciphertext only. */
export class Migration20261123000200Privacy extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      `create table households (
      id uuid primary key,
      community_id uuid not null references communities (id),
      floor_area_centi_square_metres int not null check (floor_area_centi_square_metres > 0),
      unit_label_ciphertext bytea null,
      unit_label_blind_index bytea null,
      wrapped_data_key bytea null,
      created_at timestamptz not null,
      shredded_at timestamptz null
    )`,
      `create index households_community_id_index on households (community_id)`,
      `create unique index households_unit_label_unique on households (community_id, unit_label_blind_index)`,
      `create table household_members (
      id uuid primary key,
      household_id uuid not null references households (id),
      community_id uuid not null references communities (id),
      account_id uuid null references accounts (id),
      relation varchar(16) not null check (relation in ('owner', 'occupant')),
      name_ciphertext bytea null,
      phone_ciphertext bytea null,
      phone_blind_index bytea null,
      id_number_ciphertext bytea null,
      created_at timestamptz not null
    )`,
      `create index household_members_household_id_index on household_members (household_id)`,
      `create index household_members_account_id_index on household_members (account_id)`,
      `create index household_members_phone_index on household_members (community_id, phone_blind_index)`,
      `create table personal_data_accesses (
      id uuid primary key,
      community_id uuid not null references communities (id),
      household_id uuid not null references households (id),
      accessor_account_id uuid not null references accounts (id),
      purpose varchar(32) not null,
      accessed_at timestamptz not null
    )`,
      `create index personal_data_accesses_household_id_index on personal_data_accesses (household_id)`,
    ];
  }
}
