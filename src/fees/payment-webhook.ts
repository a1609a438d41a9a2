/**
 * Payment providers' webhooks: `POST /webhooks/payments/<provider>`.
 *
 * A provider signs each delivery as Stripe does: header
 * `courtyard-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The route checks, in order, and answers each failure with a JSON `{code, message}` and
 * nothing written:
 *
 * | check | status | code |
 * | --- | --- | --- |
 * | provider configured | 404 | UNKNOWN_PROVIDER |
 * | method POST, body ≤ 16 KiB | 405 / 413 | METHOD_NOT_ALLOWED / PAYLOAD_TOO_LARGE |
 * | signature (constant-time compare) | 401 | BAD_SIGNATURE |
 * | timestamp within ±tolerance of the clock (default 300 s) | 400 | STALE_TIMESTAMP |
 * | body: `{eventId, communityId, householdId, amountFen}` | 400 | INVALID_INPUT |
 * | event id not seen before | 409 | DUPLICATE_EVENT |
 * | household of that community | 404 | NOT_FOUND |
 *
 * The payment lands in the provider's clearing account with the idempotency key
 * `<provider>:<eventId>`, and the event is recorded (primary key community + provider +
 * event id: the signed body names the community) in the same transaction, so a delivery
 * repeated at the same moment is DUPLICATE_EVENT too.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, DomainError } from '../domain-error.ts';
import type { AppServices, ModuleRuntime, RouteHandler } from '../kernel/domain-module.ts';
import { parseFen } from '../funds/fen.ts';
import { enterPayment } from './money-commands.ts';

const WEBHOOK_PATH = /^\/webhooks\/payments\/([a-z0-9-]{1,15})$/u;
export const MAX_WEBHOOK_BODY_BYTES = 16_384;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;

const webhookBody = z.strictObject({
  eventId: z.string().regex(/^[A-Za-z0-9_-]{1,48}$/u),
  communityId: z.string().regex(UUID),
  householdId: z.string().regex(UUID),
  amountFen: z.string().regex(/^[1-9][0-9]{0,12}$/u),
});

export class DuplicateEventError extends ConflictError {
  constructor() {
    super('Failed to record payment: this event was already received');
    (this as { code: string }).code = 'DUPLICATE_EVENT';
  }
}

function answer(status: number, body: Record<string, unknown>): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

const refuse = (status: number, code: string, message: string) => answer(status, { code, message });

/** The signature header's value for a body, as a provider computes it (also what tests sign with). */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}

function verifySignature(secret: string, header: string | null, body: string): { timestamp: number } | undefined {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/u.exec(header ?? '');
  if (!match) return undefined;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
  const given = Buffer.from(match[2]!, 'hex');
  return timingSafeEqual(expected, given) ? { timestamp: Number(match[1]) } : undefined;
}

export function paymentWebhookRoute(
  runtime: Pick<ModuleRuntime, 'forkEntityManager'>,
  services: AppServices,
): RouteHandler {
  return async (request, url) => {
    const match = WEBHOOK_PATH.exec(url.pathname);
    if (!match) return undefined;
    const provider = match[1]!;
    const secret = services.money.webhookSecrets.get(provider);
    if (secret === undefined) return refuse(404, 'UNKNOWN_PROVIDER', 'No such payment provider');
    if (request.method !== 'POST') return refuse(405, 'METHOD_NOT_ALLOWED', 'Use POST');
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.length > MAX_WEBHOOK_BODY_BYTES)
      return refuse(413, 'PAYLOAD_TOO_LARGE', `The body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes`);
    const body = new TextDecoder().decode(bytes);
    const signed = verifySignature(secret, request.headers.get('courtyard-signature'), body);
    if (!signed) return refuse(401, 'BAD_SIGNATURE', 'The signature does not match the body');
    const skewSeconds = Math.abs(services.money.clock.now().getTime() / 1000 - signed.timestamp);
    if (skewSeconds > services.money.webhookToleranceSeconds)
      return refuse(400, 'STALE_TIMESTAMP', 'The timestamp is outside the accepted window');
    let parsed: z.infer<typeof webhookBody>;
    try {
      parsed = webhookBody.parse(JSON.parse(body));
    } catch {
      return refuse(400, 'INVALID_INPUT', 'The body is not a payment event');
    }
    try {
      const em = runtime.forkEntityManager();
      const seen: unknown[] = await em.execute(
        'select 1 from money_provider_events where community_id = ? and provider = ? and event_id = ?',
        [parsed.communityId, provider, parsed.eventId],
      );
      if (seen.length > 0) throw new DuplicateEventError();
      const result = await enterPayment(
        { services, em },
        parsed.communityId,
        {
          householdId: parsed.householdId,
          amountFen: parseFen(parsed.amountFen, 'amountFen'),
          idempotencyKey: `${provider}:${parsed.eventId}`,
          providerId: provider,
          actor: 'system',
        },
        async (unit, paymentId) => {
          const inserted: unknown[] = await unit.em.execute(
            `insert into money_provider_events (provider, event_id, community_id, payment_id, received_at)
             values (?, ?, ?, ?, ?) on conflict do nothing returning 1`,
            [provider, parsed.eventId, parsed.communityId, paymentId, services.money.clock.now()],
          );
          if (inserted.length === 0) throw new DuplicateEventError();
        },
      );
      return answer(200, { paymentId: result.paymentId });
    } catch (error) {
      if (error instanceof DomainError)
        return refuse(
          error.code === 'NOT_FOUND' ? 404 : error.code === 'INVALID_INPUT' ? 400 : 409,
          error.code,
          error.message,
        );
      throw error;
    }
  };
}
