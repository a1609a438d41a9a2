import { SqlMigration } from '../../src/db/sql-migration.ts';
import { checkModuleList, orderedMigrations, type DomainModule } from '../../src/kernel/domain-module.ts';
import { databaseSchema, modules } from '../../src/server/modules.ts';

class NoChange extends SqlMigration {
  protected statements(): readonly string[] {
    return [];
  }
}

function moduleWith(name: string, migrationNames: string[], topics: string[] = []): DomainModule {
  return { name, entities: [], migrations: migrationNames.map((migration) => ({ name: migration, class: NoChange })), topics };
}

describe('the module list', () => {
  it("runs every module's migrations once, in the order of the timestamps in their names", () => {
    const names = databaseSchema.migrations.map((migration) => migration.name);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(modules.flatMap((module) => module.migrations.map((migration) => migration.name)).sort());
  });

  it("maps every module's entities", () => {
    expect(databaseSchema.entities).toEqual(modules.flatMap((module) => module.entities));
  });

  it('interleaves the migrations of two modules by timestamp', () => {
    const first = moduleWith('first', ['Migration20260101000100_a', 'Migration20260101000300_c']);
    const second = moduleWith('second', ['Migration20260101000200_b']);
    expect(orderedMigrations([first, second]).map((migration) => migration.name)).toEqual([
      'Migration20260101000100_a',
      'Migration20260101000200_b',
      'Migration20260101000300_c',
    ]);
  });

  it("refuses a module whose own migrations are out of order", () => {
    const module = moduleWith('fees', ['Migration20260101000200_b', 'Migration20260101000100_a']);
    expect(() => orderedMigrations([module])).toThrow('Migrations of module fees are out of order');
  });

  it('refuses two migrations of two modules that share a timestamp', () => {
    const funds = moduleWith('funds', ['Migration20260101000100_funds']);
    const fees = moduleWith('fees', ['Migration20260101000100_fees']);
    expect(() => orderedMigrations([funds, fees])).toThrow(/clashes with Migration20260101000100_funds \(module funds\)/u);
  });

  it('refuses a migration whose name carries no timestamp', () => {
    expect(() => orderedMigrations([moduleWith('fees', ['Migration_fees'])])).toThrow('is not named Migration<yyyymmddhhmmss>_<words>');
  });

  it('refuses a module listed twice, a topic outside its module, and a topic declared twice', () => {
    expect(() => checkModuleList([moduleWith('fees', []), moduleWith('fees', [])])).toThrow('Module fees is listed twice');
    expect(() => checkModuleList([moduleWith('fees', [], ['ledger:entryAppended'])])).toThrow('does not start with "fees:"');
    expect(() => checkModuleList([moduleWith('fees', [], ['fees:paid', 'fees:paid'])])).toThrow('Topic "fees:paid" is declared twice');
  });

  it('refuses an instance topic that is not one of the module’s topics', () => {
    const fees = { ...moduleWith('fees', [], ['fees:paid']), instanceTopics: ['fees:refunded'] };
    expect(() => checkModuleList([fees])).toThrow('Instance topic "fees:refunded" of module fees is not one of its topics');
    expect(() => checkModuleList([{ ...fees, instanceTopics: ['fees:paid'] }])).not.toThrow();
  });

  it('accepts the installation’s own list', () => {
    expect(() => checkModuleList(modules)).not.toThrow();
  });
});
