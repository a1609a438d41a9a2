import { Migration } from '@mikro-orm/migrations';

/**
 * A migration written as plain SQL statements. Drivers run each statement as one
 * prepared query, so a migration lists its statements rather than one script.
 */
export abstract class SqlMigration extends Migration {
  protected abstract statements(): readonly string[];

  override up(): void {
    for (const statement of this.statements()) this.addSql(statement);
  }
}
