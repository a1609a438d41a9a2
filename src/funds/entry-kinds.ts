/**
 * How a money entry type is defined, and the two ways it is used.
 *
 * A payload has *inputs* (what was asked: ids, amounts, the date) and *derived* fields
 * (what the rule computed from the state before the entry: postings, allocations,
 * amounts). Both are written to the ledger, so a reader of the log sees the outcome
 * without running code. A kind's `run` reads and writes the state through an overlay,
 * refuses a bad transition with a typed error, and returns the derived fields.
 *
 * - `decideEntry` (live): decode the inputs exactly as the ledger will hold them, run the
 *   rule, and return the entry to append with the changes `evolveEntry` makes of it.
 * - `evolveEntry` (live and replay): decode the payload, run the rule on the state before
 *   the entry, refuse the entry if the recorded derived fields differ from what the rule
 *   computed (EntryMismatchError), and return the changes to the state.
 * The live path appends `decideEntry`'s entry and upserts its changes; the replay folds
 * `evolveEntry` over the log. Same code, same entry: same state.
 */
import { z } from 'zod';
import type { JsonObject } from '../ledger/entry-encoding.ts';
import { EntryMismatchError, MalformedEntryError } from './funds-errors.ts';
import { jsonEquals, toJsonValue } from './json-values.ts';
import { StateOverlay, type ReadSet, type StateChanges } from './state-overlay.ts';

export interface MoneyEntry {
  type: string;
  payload: JsonObject;
}

export interface EntryKind<S, Inputs, Derived> {
  type: string;
  inputSchema: z.ZodType<Inputs, unknown>;
  payloadSchema: z.ZodType<Inputs & Derived, unknown>;
  inputFields: readonly string[];
  derivedFields: readonly string[];
  run(overlay: StateOverlay<S>, inputs: Inputs): Derived;
}

/** Any kind, for registries: its inputs and derived fields are known only to itself. */
export type AnyEntryKind<S> = EntryKind<S, unknown, unknown>;

export interface EntryKindSpec<S, InputShape extends z.ZodRawShape, DerivedShape extends z.ZodRawShape> {
  type: string;
  inputs: InputShape;
  derived: DerivedShape;
  run(overlay: StateOverlay<S>, inputs: z.output<z.ZodObject<InputShape>>): z.output<z.ZodObject<DerivedShape>>;
}

export function defineEntryKind<S, InputShape extends z.ZodRawShape, DerivedShape extends z.ZodRawShape>(
  spec: EntryKindSpec<S, InputShape, DerivedShape>,
): EntryKind<S, z.output<z.ZodObject<InputShape>>, z.output<z.ZodObject<DerivedShape>>> {
  type Inputs = z.output<z.ZodObject<InputShape>>;
  type Derived = z.output<z.ZodObject<DerivedShape>>;
  return {
    type: spec.type,
    inputSchema: z.strictObject(spec.inputs) as unknown as z.ZodType<Inputs, unknown>,
    payloadSchema: z.strictObject({ ...spec.inputs, ...spec.derived }) as unknown as z.ZodType<
      Inputs & Derived,
      unknown
    >,
    inputFields: Object.keys(spec.inputs),
    derivedFields: Object.keys(spec.derived),
    run: spec.run,
  };
}

export function decodePayload<T>(entryType: string, schema: z.ZodType<T, unknown>, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new MalformedEntryError(entryType, issue.path.map(String).join('.'), issue.message);
}

/**
 * Live path: the entry to append for these inputs, given the state before it, and the
 * changes to write with it. Throws the rule's typed error, and then nothing is appended.
 */
export function decideEntry<S, Inputs, Derived>(
  kind: EntryKind<S, Inputs, Derived>,
  state: S,
  inputs: Inputs,
): { entry: MoneyEntry; changes: StateChanges<S> } {
  const decoded = decodePayload(kind.type, kind.inputSchema, toJsonValue(inputs));
  const derived = kind.run(new StateOverlay(state), decoded);
  const entry = { type: kind.type, payload: toJsonValue({ ...decoded, ...derived }) as JsonObject };
  return { entry, changes: evolveEntry(kind, state, entry) };
}

/** Live and replay: the changes an entry makes to the state before it, after checking what it recorded. */
export function evolveEntry<S, Inputs, Derived>(
  kind: EntryKind<S, Inputs, Derived>,
  state: S,
  entry: MoneyEntry,
): StateChanges<S> {
  return evolveEntryReading(kind, state, entry).changes;
}

/** `evolveEntry`, also returning the keys the rule read: the rows the live path must load for this entry. */
export function evolveEntryReading<S, Inputs, Derived>(
  kind: EntryKind<S, Inputs, Derived>,
  state: S,
  entry: MoneyEntry,
): { changes: StateChanges<S>; reads: ReadSet<S> } {
  const payload = decodePayload(kind.type, kind.payloadSchema, entry.payload) as Record<string, unknown>;
  // The rule sees the inputs only: what it derives, it computes again.
  const inputs = Object.fromEntries(kind.inputFields.map((field) => [field, payload[field]])) as Inputs;
  const overlay = new StateOverlay(state);
  const derived = kind.run(overlay, inputs);
  for (const field of kind.derivedFields) {
    const recomputed = toJsonValue((derived as Record<string, unknown>)[field]);
    if (!jsonEquals(entry.payload[field], recomputed)) throw new EntryMismatchError(kind.type, field);
  }
  return { changes: overlay.changes, reads: overlay.reads };
}
