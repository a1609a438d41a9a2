/**
 * A fold over ledger entries: a registry of entry kinds and the three ways to run them.
 *
 * - `evolve(state, entry)` — the changes one entry makes (the live path upserts these);
 *   `evolveReading` also says which rows the rule read;
 * - `apply(state, entry)` — the next state, as a new object (small states, tests);
 * - `replay(entries, initial)` — the state after all entries, merging in place into its
 *   own copy, so a replay of n entries costs O(n) and not O(n · state size).
 */
import { DomainError } from '../domain-error.ts';
import { evolveEntryReading, type AnyEntryKind, type MoneyEntry } from './entry-kinds.ts';
import { UnknownEntryTypeError } from './funds-errors.ts';
import { mergeChanges, mergeChangesInPlace, type ReadSet, type StateChanges } from './state-overlay.ts';

/** An entry as the ledger returns it; `seq` names it when a replay fails. */
export interface SequencedEntry extends MoneyEntry {
  seq?: number;
}

/** A replay stopped at an entry whose rule refused it. `cause` is the rule's typed error. */
export class ReplayFailedError extends DomainError {
  readonly seq: number | undefined;
  readonly entryType: string;

  constructor(entry: SequencedEntry, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('REPLAY_FAILED', `Replay failed at entry ${entry.seq ?? '?'} (${entry.type}): ${reason}`);
    this.seq = entry.seq;
    this.entryType = entry.type;
    this.cause = cause;
  }
}

export interface Fold<S> {
  readonly types: readonly string[];
  handles(type: string): boolean;
  evolve(state: S, entry: MoneyEntry): StateChanges<S>;
  /** The changes and the keys the rule read (the rows the live path loads and locks). */
  evolveReading(state: S, entry: MoneyEntry): { changes: StateChanges<S>; reads: ReadSet<S> };
  apply(state: S, entry: MoneyEntry): S;
  replay(entries: Iterable<SequencedEntry>, initial: S): S;
}

/** A copy of a state whose tables (Map values) are fresh Maps the caller owns. */
function ownedCopy<S extends object>(state: S): S {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) copy[key] = value instanceof Map ? new Map(value) : value;
  return copy as S;
}

export function createFold<S extends object>(kinds: ReadonlyArray<AnyEntryKind<S>>): Fold<S> {
  const byType = new Map<string, AnyEntryKind<S>>();
  for (const kind of kinds) {
    if (byType.has(kind.type)) throw new Error(`Entry kind ${kind.type} is registered twice`);
    byType.set(kind.type, kind);
  }
  const evolveReading = (state: S, entry: MoneyEntry) => {
    const kind = byType.get(entry.type);
    if (!kind) throw new UnknownEntryTypeError(entry.type);
    return evolveEntryReading(kind, state, entry);
  };
  const evolve = (state: S, entry: MoneyEntry): StateChanges<S> => evolveReading(state, entry).changes;
  return {
    types: [...byType.keys()],
    handles: (type) => byType.has(type),
    evolve,
    evolveReading,
    apply: (state, entry) => mergeChanges(state, evolve(state, entry)),
    replay(entries, initial) {
      const state = ownedCopy(initial);
      for (const entry of entries) {
        let changes: StateChanges<S>;
        try {
          changes = evolve(state, entry);
        } catch (error) {
          throw new ReplayFailedError(entry, error);
        }
        mergeChangesInPlace(state, changes);
      }
      return state;
    },
  };
}
