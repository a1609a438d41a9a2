/**
 * Test support: a community's money book driven exactly as the wiring will drive it —
 * `decideEntry` for each command, the changes merged into the live state, the entry kept
 * — and replayed from its entries alone. No stubs: the same rules, the same fold.
 */
import { expect } from '@jest/globals';
import {
  assertValidPayload,
  canonicalJson,
  MAX_ENTRY_BYTES,
  type JsonObject,
} from '../../src/ledger/entry-encoding.ts';
import { decideEntry, type EntryKind, type MoneyEntry } from '../../src/funds/entry-kinds.ts';
import { accountOpened } from '../../src/funds/funds-ledger-entries.ts';
import { mergeChanges, restrictToReads } from '../../src/funds/state-overlay.ts';
import type { AccountKind } from '../../src/funds/account-kinds.ts';
import { emptyMoneyState, type MoneyState } from '../../src/fees/fees-state.ts';
import { moneyFold } from '../../src/fees/money-fold.ts';
import { scheduleVersioned } from '../../src/fees/schedule-ledger-entries.ts';
import { DEFAULT_REMINDER_CADENCE } from '../../src/fees/reminder-planner.ts';
import type { ScheduleVersion } from '../../src/fees/fee-schedule.ts';

export const COMMUNITY_ID = 'community-1';
export const OPENED_ON = '2026-01-01';

/** Community-wide accounts, by kind. */
export const ACCOUNT = {
  operating: 'operating',
  maintenanceFund: 'maintenance-fund',
  feeIncome: 'fee-income',
  lateFeeIncome: 'late-fee-income',
  expenses: 'expenses',
  external: 'external',
  clearing: 'clearing-wechat',
  activityFund: 'activity-picnic',
} as const;

export function receivableOf(householdId: string): string {
  return `${householdId}-receivable`;
}

export function creditOf(householdId: string): string {
  return `${householdId}-credit`;
}

export class MoneyBook {
  state: MoneyState;
  readonly entries: MoneyEntry[] = [];
  /**
   * Also run each entry as the wiring will: on a state holding only the rows the rule read
   * (as it will load and lock them), which must give the same changes as the full state.
   */
  checkPartialState = false;

  constructor(communityId = COMMUNITY_ID) {
    this.state = emptyMoneyState(communityId);
  }

  /** A book with the same state and entries, to go on from separately (the state is immutable; the entry list is copied). */
  fork(): MoneyBook {
    const fork = new MoneyBook(this.state.communityId);
    fork.state = this.state;
    fork.checkPartialState = this.checkPartialState;
    fork.entries.push(...this.entries);
    return fork;
  }

  /** Runs a command on the live path; on a refusal the state and the entries stay as they were. */
  run<Inputs, Derived>(kind: EntryKind<MoneyState, Inputs, Derived>, inputs: Inputs): MoneyEntry {
    const { entry, changes } = decideEntry(kind, this.state, inputs);
    if (this.checkPartialState) {
      const { reads } = moneyFold.evolveReading(this.state, entry);
      const fromRowsRead = moneyFold.evolve(restrictToReads(this.state, reads), entry);
      if (tablesText(fromRowsRead) !== tablesText(changes))
        throw new Error(`${entry.type} read rows it did not declare: partial and full state disagree`);
    }
    // Frozen records: a rule that edited a record in place instead of writing a new one would throw.
    for (const rows of Object.values(changes) as Array<Map<string, unknown>>)
      for (const row of rows.values()) deepFreeze(row);
    this.state = mergeChanges(this.state, changes);
    this.entries.push(entry);
    return entry;
  }

  /**
   * The state rebuilt from the entries alone, as `ledger:replay` does: each payload first
   * checked as `appendEntry` checks it (no personal-data keys, safe numbers, under the
   * entry size limit), then read back from its canonical JSON.
   */
  replay(): MoneyState {
    const stored = this.entries.map((entry) => {
      assertValidPayload(entry.payload);
      const text = canonicalJson(entry.payload);
      if (text.length >= MAX_ENTRY_BYTES)
        throw new Error(`A ${entry.type} entry of ${text.length} characters passes the ledger's limit`);
      return { type: entry.type, payload: JSON.parse(text) as JsonObject };
    });
    return moneyFold.replay(stored, emptyMoneyState(this.state.communityId));
  }

  open(accountId: string, kind: AccountKind, ownerId: string | null = null): void {
    this.run(accountOpened, { accountId, kind, ownerId, openedOn: OPENED_ON });
  }

  openCommunityAccounts(): this {
    this.open(ACCOUNT.operating, 'operating');
    this.open(ACCOUNT.maintenanceFund, 'maintenance-fund');
    this.open(ACCOUNT.feeIncome, 'fee-income');
    this.open(ACCOUNT.lateFeeIncome, 'late-fee-income');
    this.open(ACCOUNT.expenses, 'expenses');
    this.open(ACCOUNT.external, 'external');
    this.open(ACCOUNT.clearing, 'payment-clearing', 'wechat-pay');
    this.open(ACCOUNT.activityFund, 'activity-fund', 'picnic-2026');
    return this;
  }

  addHousehold(householdId: string): this {
    this.open(receivableOf(householdId), 'household-receivable', householdId);
    this.open(creditOf(householdId), 'household-credit', householdId);
    return this;
  }

  version(overrides: Partial<ScheduleVersion> = {}): MoneyEntry {
    return this.run(scheduleVersioned, { ...propertyFeeVersion(), ...overrides });
  }
}

/** Property fee: 2.00 yuan per m² per month, due on the 15th, 5 days' grace, no late fee. */
export function propertyFeeVersion(overrides: Partial<ScheduleVersion> = {}): ScheduleVersion {
  return {
    scheduleId: 'property-fee',
    version: 1,
    frequency: 'month',
    effectiveFromPeriodId: '2026-01',
    charge: { kind: 'per-area', rateFenPerSquareMetreMonth: 200n },
    dueDay: 15,
    graceDays: 5,
    lateFee: null,
    reminders: DEFAULT_REMINDER_CADENCE,
    households: { kind: 'all' },
    recordedOn: OPENED_ON,
    ...overrides,
  };
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const item of Object.values(value)) deepFreeze(item);
}

export function naturalBalance(book: MoneyBook, accountId: string): bigint {
  const account = book.state.accounts.get(accountId)!;
  const debitNormal = [
    'operating',
    'maintenance-fund',
    'activity-fund',
    'household-receivable',
    'payment-clearing',
    'expenses',
  ].includes(account.kind);
  return debitNormal ? account.debitsFen - account.creditsFen : account.creditsFen - account.debitsFen;
}

/** A fast text of a state or of changes: tables in name order, rows sorted by key, amounts marked as bigint. */
function tablesText(tables: object): string {
  const sorted = Object.entries(tables)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, table]) => [name, table instanceof Map ? [...table].sort(([a], [b]) => (a < b ? -1 : 1)) : table]);
  return JSON.stringify(sorted, (_key, value) => (typeof value === 'bigint' ? `${value}n` : value));
}

/** Two states are equal; compared as text first, with jest's deep equality (and its diff) only when the texts differ. */
export function expectSameState(actual: MoneyState, expected: MoneyState): void {
  if (tablesText(actual) !== tablesText(expected)) expect(actual).toEqual(expected);
}
