import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * A community's record never changes once created, and every process may keep it
 * (src/accounts/community-directory.ts): the database refuses UPDATE, DELETE and TRUNCATE
 * of `communities`, so no instance can hold a record another one changed. A feature that
 * must change a community (a rename) drops this trigger and tells the directories of every
 * instance first.
 *
 * The community list is ordered byte by byte (`slug collate "C"`, the same on every
 * database whatever its default collation, and the order the directory sorts in memory);
 * this index keeps an admin's page one range scan in that order.
 */
export class Migration20261219000200CommunitiesImmutable extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      `create function communities_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'communities are immutable: % refused', tg_op
        using errcode = '55000', hint = 'communities_immutable';
    end
    $$`,
      `create trigger communities_immutable before update or delete on communities
         for each row execute function communities_refuse_change()`,
      `create trigger communities_no_truncate before truncate on communities
         for each statement execute function communities_refuse_change()`,
      `create index communities_slug_bytewise_index on communities (slug collate "C")`,
    ];
  }
}
