/**
 * The money domain's long-lived services: a clock (so jobs and tests can be driven by a
 * test clock), the community calendar's time zone, the payment providers' webhook
 * secrets, and where facts about owners' proposals come from (governance, owners-proposals.ts).
 */
import type { OwnersProposalFact } from '../funds/expense-approval.ts';
import { civilDateAt, type CivilDate } from '../funds/civil-dates.ts';
import type { SqlEntityManager } from '../db/orm.ts';
import { ownersProposalFromGovernance } from './owners-proposals.ts';

export interface MoneyClock {
  now(): Date;
}

export interface MoneyServices {
  clock: MoneyClock;
  /** Communities' calendar (civil dates of invoices, payments, reminders). */
  timeZone: string;
  /** provider id → HMAC-SHA256 secret of its webhook. */
  webhookSecrets: Map<string, string>;
  /** How far a webhook's timestamp may be from the clock, in seconds. */
  webhookToleranceSeconds: number;
  /** While true, the money job's ticks do nothing (tests drive the money day themselves). */
  jobsPaused: boolean;
  /** What governance says of an owners' proposal (null: unknown). */
  ownersProposals(em: SqlEntityManager, communityId: string, proposalId: string): Promise<OwnersProposalFact | null>;
}

export interface MoneyMovedEvent {
  kind: 'transfers' | 'payment' | 'refund' | 'correction' | 'invoices' | 'late-fees' | 'reminders' | 'spend';
  /** The record the event is about (batch, payment, refund, spend), or null for a run. */
  id: string | null;
  /** Fen moved, or records made for a run. */
  amountFen: bigint;
}

declare module '../kernel/domain-module.ts' {
  interface ModuleServices {
    money: MoneyServices;
  }
  interface SubscriptionTopics {
    'fees:money-moved': [string, MoneyMovedEvent];
  }
}

export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/** Webhook secrets from the environment: `COURTYARD_PAYMENT_WEBHOOK_SECRETS=provider=secret,…`. */
export function webhookSecretsFrom(text: string | undefined): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) secrets.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  return secrets;
}

export function createMoneyServices(environment: NodeJS.ProcessEnv = process.env): MoneyServices {
  return {
    clock: { now: () => new Date() },
    timeZone: 'Asia/Shanghai',
    webhookSecrets: webhookSecretsFrom(environment['COURTYARD_PAYMENT_WEBHOOK_SECRETS']),
    webhookToleranceSeconds: DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
    jobsPaused: false,
    ownersProposals: ownersProposalFromGovernance,
  };
}

export function todayOf(services: Pick<MoneyServices, 'clock' | 'timeZone'>): CivilDate {
  return civilDateAt(services.clock.now(), services.timeZone);
}
