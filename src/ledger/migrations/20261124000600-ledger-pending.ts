import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Decouples durable acceptance from sequencing (Trillian/Tessera style, see
 * docs/ledger.md "Appending"): `appendEntry` only inserts a row into `ledger_pending`
 * inside the caller's transaction, and the integrator (src/ledger/integrator.ts) later
 * assigns sequence numbers in batches under the head's row lock, writes the entries and
 * tree nodes, advances the head and deletes the pending rows, in one transaction.
 *
 * - `ledger_pending` is a queue: UPDATE and TRUNCATE are refused; DELETE only inside a
 *   transaction that declared itself the integrator (`courtyard.ledger_integrator`).
 *   That guards against mistakes, not against a superuser: see docs/ledger.md.
 * - `ledger_entries.entry_id` is the pending id an entry was accepted under, so a caller
 *   that kept it finds its sequence number once integrated. It is a locator, not hashed.
 * - The census root history and verification keys record the pending id of the entry
 *   that made them (`ledger_entry_id`); `ledger_seq` stays for rows written before.
 */
export class Migration20261124000600LedgerPending extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      `create table ledger_pending (
      id bigserial primary key,
      community_id uuid not null,
      type varchar(100) not null,
      -- RFC 8785 text of the payload, exactly what the leaf hash will cover.
      payload text not null,
      actor varchar(100) not null,
      recorded_at timestamptz not null
    )`,
      `create index ledger_pending_community_index on ledger_pending (community_id, id)`,
      `create function ledger_pending_refuse_delete() returns trigger language plpgsql as $$
    begin
      if coalesce(current_setting('courtyard.ledger_integrator', true), '') <> 'on' then
        raise exception 'ledger_pending rows are removed by the integrator only: % refused', tg_op
          using errcode = '55000', hint = 'ledger_append_only';
      end if;
      return null;
    end
    $$`,
      `create trigger ledger_pending_append_only before update on ledger_pending
       for each row execute function ledger_refuse_change()`,
      `create trigger ledger_pending_no_truncate before truncate on ledger_pending
       for each statement execute function ledger_refuse_change()`,
      `create trigger ledger_pending_integrator_delete before delete on ledger_pending
       for each statement execute function ledger_pending_refuse_delete()`,
      `alter table ledger_entries add column entry_id bigint null`,
      `create unique index ledger_entries_entry_id_unique on ledger_entries (entry_id)`,
      `alter table census_roots add column ledger_entry_id bigint null`,
      `alter table census_roots alter column ledger_seq drop not null`,
      `alter table census_roots add constraint census_roots_ledger_entry check (ledger_seq is not null or ledger_entry_id is not null)`,
      `alter table zk_verification_keys add column ledger_entry_id bigint null`,
      `alter table zk_verification_keys alter column ledger_seq drop not null`,
      `alter table zk_verification_keys add constraint zk_verification_keys_ledger_entry check (ledger_seq is not null or ledger_entry_id is not null)`,
    ];
  }
}
