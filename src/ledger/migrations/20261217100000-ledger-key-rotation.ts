import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Log-key and witness-key rotation (docs/ledger.md, "Key rotation").
 *
 * - `ledger_log_keys.valid_from_size`: the smallest checkpoint size the current key may
 *   sign (0 for a log's first key).
 * - `ledger_log_key_history`: every retired log key with the checkpoint sizes it signed,
 *   `valid_from_size` to `valid_to_size` inclusive. Append-only.
 * - `ledger_witness_retirements`: witness keys that cosign no more. Append-only.
 *
 * A log key row may now also change by a rotation: public key, sealed private key and
 * `valid_from_size` together, only once the old key is in the history with
 * `valid_to_size = new.valid_from_size - 1`, and never back to a retired key.
 */
export class Migration20261217100000LedgerKeyRotation extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      `alter table ledger_log_keys add column valid_from_size bigint not null default 0 check (valid_from_size >= 0)`,
      `create table ledger_log_key_history (
      community_id uuid not null,
      key_name varchar(300) not null,
      public_key bytea not null check (octet_length(public_key) = 32),
      valid_from_size bigint not null check (valid_from_size >= 0),
      valid_to_size bigint not null,
      retired_at timestamptz not null,
      primary key (community_id, public_key),
      check (valid_to_size >= valid_from_size)
    )`,
      `create table ledger_witness_retirements (
      community_id uuid not null,
      key_name varchar(300) not null,
      replaced_by varchar(300) null,
      retired_at timestamptz not null,
      primary key (community_id, key_name),
      foreign key (community_id, key_name) references ledger_witnesses (community_id, key_name),
      foreign key (community_id, replaced_by) references ledger_witnesses (community_id, key_name)
    )`,
      ...['ledger_log_key_history', 'ledger_witness_retirements'].flatMap((table) => [
        `create trigger ${table}_append_only before update or delete on ${table}
         for each row execute function ledger_refuse_change()`,
        `create trigger ${table}_no_truncate before truncate on ${table}
         for each statement execute function ledger_refuse_change()`,
      ]),
      `create or replace function ledger_log_keys_reseal_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and new.sealed_private_key is distinct from old.sealed_private_key
         and to_jsonb(new) - 'sealed_private_key' = to_jsonb(old) - 'sealed_private_key' then
        return new;
      end if;
      if tg_op = 'UPDATE' and new.public_key is distinct from old.public_key
         and new.sealed_private_key is distinct from old.sealed_private_key
         and new.valid_from_size > old.valid_from_size
         and to_jsonb(new) - 'sealed_private_key' - 'public_key' - 'valid_from_size'
             = to_jsonb(old) - 'sealed_private_key' - 'public_key' - 'valid_from_size'
         and exists (select 1 from ledger_log_key_history h
                      where h.community_id = old.community_id and h.public_key = old.public_key
                        and h.valid_from_size = old.valid_from_size and h.valid_to_size = new.valid_from_size - 1)
         and not exists (select 1 from ledger_log_key_history h
                         where h.community_id = old.community_id and h.public_key = new.public_key) then
        return new;
      end if;
      raise exception 'ledger table % is append-only: % refused', tg_table_name, tg_op
        using errcode = '55000', hint = 'ledger_append_only';
    end
    $$`,
    ];
  }
}
