// @ci-both-engines: the migrations run on each engine's own catalogue (PGlite 0.5 is a build of
// PostgreSQL 18, the server here is 15).
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('committed migrations', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.dispose());

  it('leave no pending migration after start', async () => {
    expect(await database.orm.migrator.getPending()).toEqual([]);
  });

  it('create every table and column an entity declares, and no required column it lacks', async () => {
    const rows: Array<{ table_name: string; column_name: string; is_nullable: string; column_default: string | null }> =
      await database.orm.em.getConnection().execute(
        `select table_name, column_name, is_nullable, column_default
           from information_schema.columns where table_schema = 'public'`,
      );
    const problems: string[] = [];
    for (const meta of Object.values(database.orm.getMetadata().getAll())) {
      if (meta.virtual || meta.embeddable || !meta.tableName) continue;
      const columns = rows.filter((row) => row.table_name === meta.tableName);
      if (columns.length === 0) problems.push(`table ${meta.tableName} is missing`);
      const declared = new Set(meta.props.flatMap((property: { fieldNames?: string[] }) => property.fieldNames ?? []));
      for (const name of declared) {
        if (!columns.some((column) => column.column_name === name)) problems.push(`${meta.tableName}.${name} is missing`);
      }
      for (const column of columns) {
        const required = column.is_nullable === 'NO' && column.column_default === null;
        if (required && !declared.has(column.column_name)) {
          problems.push(`${meta.tableName}.${column.column_name} is required but not declared`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
