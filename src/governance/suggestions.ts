/**
 * Suggestions (建议): a resident submits one by name, or anonymously with a proof of
 * membership in the households census; managers answer; residents see the answers.
 * Every status change is a ledger entry carrying ids, the status and hashes of the texts
 * (texts a person typed may name people, so they stay off the ledger).
 *
 * Anonymous limit: a household may send MAX_ANONYMOUS_SUGGESTIONS_PER_DAY a day. The
 * proof's scope is `suggestionScope(community, UTC day, slot)` for a slot below the
 * limit, so the census's nullifier store accepts each household once per slot and day:
 * at most that many a day, unlinkable across slots and days. The message binds the proof
 * to the text: SHA-256 of the title and body, mod r.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../db/orm.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../domain-error.ts';
import { requireText } from '../text-input.ts';
import { hasCommunityRole, requireCommunityReader, requireViewer, type Viewer } from '../accounts/viewer.ts';
import { appendEntry } from '../ledger/append-entry.ts';
import { MembershipProofRejectedError } from '../census/census-errors.ts';
import { verifyCommunityMembershipProof } from '../census/membership-proof.ts';
import { nullifierCheck, useNullifier } from '../census/nullifier-store.ts';
import { ProofRejectedError } from '../zk/errors.ts';
import { SNARK_SCALAR_FIELD } from '../zk/field.ts';
import { parseProofJson } from '../zk/proof-format.ts';
import { GovernanceError } from './governance-errors.ts';
import { suggestionScope } from './proposal-scope.ts';

export const MAX_ANONYMOUS_SUGGESTIONS_PER_DAY = 3;
export const MAX_SUGGESTION_TITLE_LENGTH = 200;
export const MAX_SUGGESTION_BODY_LENGTH = 5_000;
export const MAX_ANSWER_LENGTH = 5_000;

export type SuggestionStatus = 'submitted' | 'answered' | 'closed';

export interface Suggestion {
  id: string;
  communityId: string;
  title: string;
  body: string;
  anonymous: boolean;
  status: SuggestionStatus;
  answer: string | null;
  createdAt: Date;
  createdAtText: string;
  updatedAt: Date;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The message an anonymous suggestion's proof carries: SHA-256 of [title, body] as JSON, mod r. */
export function suggestionMessage(title: string, body: string): bigint {
  return BigInt(`0x${sha256(JSON.stringify([title, body]))}`) % SNARK_SCALAR_FIELD;
}

export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

function fromRow(row: Record<string, unknown>): Suggestion {
  const date = (value: unknown) => (value instanceof Date ? value : new Date(String(value)));
  return {
    id: String(row['id']),
    communityId: String(row['community_id']),
    title: String(row['title']),
    body: String(row['body']),
    anonymous: row['submitted_by'] === null,
    status: row['status'] as SuggestionStatus,
    answer: (row['answer'] as string | null) ?? null,
    createdAt: date(row['created_at']),
    createdAtText: String(row['created_at_text']),
    updatedAt: date(row['updated_at']),
  };
}

const COLUMNS = 'id, community_id, title, body, submitted_by, status, answer, created_at, updated_at, created_at::text as created_at_text';

async function insertSuggestion(
  em: SqlEntityManager,
  input: { communityId: string; title: string; body: string; submittedBy: string | null; nullifier: bigint | null },
): Promise<Suggestion> {
  const id = randomUUID();
  const appended = await appendEntry(em, {
    communityId: input.communityId,
    type: 'governance.suggestion',
    actor: input.submittedBy ?? 'anonymous',
    payload: {
      suggestion: id,
      status: 'submitted',
      content: sha256(JSON.stringify([input.title, input.body])),
      ...(input.nullifier === null ? {} : { nullifier: input.nullifier.toString() }),
    },
  });
  await em.execute(
    `insert into governance_suggestions (id, community_id, title, body, submitted_by, nullifier, status, created_at, updated_at, ledger_entry_id)
     values (?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?)`,
    [id, input.communityId, input.title, input.body, input.submittedBy, input.nullifier?.toString() ?? null, appended.time, appended.time, appended.entryId],
  );
  return (await findSuggestion(em, id))!;
}

export async function findSuggestion(em: SqlEntityManager, id: string, lock = ''): Promise<Suggestion | undefined> {
  const rows: Array<Record<string, unknown>> = await em.execute(`select ${COLUMNS} from governance_suggestions where id = ? ${lock}`, [id]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

function texts(title: string, body: string): { title: string; body: string } {
  return {
    title: requireText(title, 'title', { maxLength: MAX_SUGGESTION_TITLE_LENGTH }),
    body: requireText(body, 'body', { maxLength: MAX_SUGGESTION_BODY_LENGTH, multiline: true }),
  };
}

export async function submitNamedSuggestion(em: SqlEntityManager, viewer: Viewer | null, input: { communityId: string; title: string; body: string }): Promise<Suggestion> {
  const caller = requireViewer(viewer);
  if (!hasCommunityRole(caller, input.communityId, ['resident', 'committee'])) throw new ForbiddenError('Requires the resident role in this community');
  return insertSuggestion(em, { communityId: input.communityId, ...texts(input.title, input.body), submittedBy: caller.accountId, nullifier: null });
}

/** No login: a households-census proof whose scope is today's slot and whose message is the text's hash. */
export async function submitAnonymousSuggestion(
  em: SqlEntityManager,
  input: { communityId: string; title: string; body: string; slot: number; proof: string },
  now = new Date(),
): Promise<Suggestion> {
  const { title, body } = texts(input.title, input.body);
  if (!Number.isSafeInteger(input.slot) || input.slot < 0 || input.slot >= MAX_ANONYMOUS_SUGGESTIONS_PER_DAY) {
    throw new InvalidInputError('slot', `must be 0 to ${MAX_ANONYMOUS_SUGGESTIONS_PER_DAY - 1}`);
  }
  const scope = suggestionScope(input.communityId, utcDay(now), input.slot);
  let nullifier: bigint;
  try {
    const { proof, publicSignals } = parseProofJson(input.proof);
    ({ nullifier } = await verifyCommunityMembershipProof(em, {
      communityId: input.communityId,
      kind: 'households',
      proof,
      publicSignals,
      expectedScope: scope,
      expectedMessage: suggestionMessage(title, body),
      isNullifierUsed: nullifierCheck(em, input.communityId),
    }));
  } catch (error) {
    if (error instanceof ProofRejectedError) throw new MembershipProofRejectedError(error.code, error.message);
    if (error instanceof MembershipProofRejectedError && error.code === 'NULLIFIER_USED') {
      throw new GovernanceError('SUGGESTION_LIMIT', `Failed to submit suggestion: this household has used slot ${input.slot} today`);
    }
    throw error;
  }
  if (!(await useNullifier(em, { communityId: input.communityId, scope, nullifier }, now))) {
    throw new GovernanceError('SUGGESTION_LIMIT', `Failed to submit suggestion: this household has used slot ${input.slot} today`);
  }
  return insertSuggestion(em, { communityId: input.communityId, title, body, submittedBy: null, nullifier });
}

/** Managers answer (status answered) or close a suggestion; each change is an entry. */
export async function answerSuggestion(
  em: SqlEntityManager,
  viewer: Viewer | null,
  input: { suggestionId: string; answer: string; close: boolean },
): Promise<Suggestion> {
  const caller = requireViewer(viewer);
  const suggestion = await findSuggestion(em, input.suggestionId, 'for update');
  if (!suggestion || !hasCommunityRole(caller, suggestion.communityId, ['manager', 'committee', 'resident'])) throw new NotFoundError('Suggestion');
  if (!hasCommunityRole(caller, suggestion.communityId, ['manager'])) throw new ForbiddenError('Requires the manager role in this community');
  const answer = requireText(input.answer, 'answer', { maxLength: MAX_ANSWER_LENGTH, multiline: true });
  if (suggestion.status === 'closed') throw new GovernanceError('PROPOSAL_STATE', 'Failed to answer suggestion: it is closed');
  const status: SuggestionStatus = input.close ? 'closed' : 'answered';
  const appended = await appendEntry(em, {
    communityId: suggestion.communityId,
    type: 'governance.suggestion.status',
    actor: caller.accountId,
    payload: { suggestion: suggestion.id, status, answer: sha256(answer) },
  });
  await em.execute('update governance_suggestions set status = ?, answer = ?, answered_by = ?, updated_at = ? where id = ?', [
    status, answer, caller.accountId, appended.time, suggestion.id,
  ]);
  return (await findSuggestion(em, suggestion.id))!;
}

export async function listSuggestions(
  em: SqlEntityManager,
  viewer: Viewer | null,
  communityId: string,
  page: { condition: string; orderBy: string; limit: number; parameters: unknown[] },
): Promise<Suggestion[]> {
  requireCommunityReader(viewer, communityId);
  const rows: Array<Record<string, unknown>> = await em.execute(
    `select ${COLUMNS} from governance_suggestions where community_id = ? and ${page.condition} order by ${page.orderBy} limit ?`,
    [communityId, ...page.parameters, page.limit],
  );
  return rows.map(fromRow);
}
