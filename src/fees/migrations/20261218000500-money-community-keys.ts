import { communityKeyStatements } from '../../db/community-keys.ts';
import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * Fee reminders, approver reminders and payment providers' events keyed by the community
 * (docs/operations.md, "Sharding with Citus"). A provider's event is recorded inside the
 * payment's unit of work for the community its signed body names, so its key becomes
 * `(community_id, provider, event_id)`: a repeated delivery is the same signed body, names
 * the same community and is still refused as a duplicate.
 */
export class Migration20261218000500MoneyCommunityKeys extends SqlMigration {
  protected statements(): readonly string[] {
    return communityKeyStatements({
      primaryKeys: [
        { table: 'money_notifications', columns: ['id'] },
        { table: 'money_approver_reminders', columns: ['id'] },
        { table: 'money_provider_events', columns: ['provider', 'event_id'] },
      ],
    });
  }
}
