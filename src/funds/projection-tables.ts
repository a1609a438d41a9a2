/**
 * Where each table of a projection state lives in the database. Every projection table
 * has the same spine — `(community_id, key)` primary key and the full record as `jsonb`
 * (record-codec.ts) — plus typed columns copied from the record for queries and indexes
 * (an account's totals, an invoice's household and due date). The primary key is also
 * every uniqueness rule of the money state: one account per (kind, owner), one invoice per
 * (schedule, period, household), one late fee and one reminder per (invoice, step), one
 * result per idempotency key.
 */
import { defineEntity, p, type EntitySchema } from '@mikro-orm/core';
import type { TableName } from './state-overlay.ts';

export type ColumnType = 'text' | 'fen' | 'date' | 'integer';

export interface ProjectionColumn {
  /** The SQL column. */
  name: string;
  type: ColumnType;
  nullable?: boolean;
  /** Its value, read from the record. */
  of(record: any): string | number | bigint | null;
}

export interface ProjectionTable {
  /** The SQL table. */
  sqlName: string;
  /** What a difference found by the replay is called ("account", "invoice"). */
  recordName: string;
  columns: readonly ProjectionColumn[];
}

export type ProjectionTables<S> = { readonly [K in TableName<S>]: ProjectionTable };

export function column(name: string, type: ColumnType, of: ProjectionColumn['of'], nullable = false): ProjectionColumn {
  return { name, type, of, nullable };
}

export function table(sqlName: string, recordName: string, columns: readonly ProjectionColumn[] = []): ProjectionTable {
  return { sqlName, recordName, columns };
}

function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

function entityName(sqlName: string): string {
  const camel = camelCase(sqlName);
  return camel[0]!.toUpperCase() + camel.slice(1);
}

/** A read-only ORM entity for one projection table (the migrations test checks it against the schema). */
export function projectionEntity(spec: ProjectionTable): EntitySchema<any, any> {
  const properties: Record<string, any> = {
    communityId: p.uuid().primary(),
    key: p.string().primary(),
    record: p.json(),
  };
  for (const c of spec.columns) {
    let property: any =
      c.type === 'fen'
        ? p.decimal('string')
        : c.type === 'date'
          ? p.string()
          : c.type === 'integer'
            ? p.integer()
            : p.string();
    property = property.fieldName(c.name);
    if (c.nullable) property = property.nullable();
    properties[camelCase(c.name)] = property;
  }
  return defineEntity({
    name: entityName(spec.sqlName),
    tableName: spec.sqlName,
    properties,
  }) as unknown as EntitySchema<any, any>;
}
