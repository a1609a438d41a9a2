/**
 * `GET /ledger/<community slug>/checkpoint`: the community's latest checkpoint as a
 * signed note with its cosignature lines, in plain text, at a stable URL. It is public:
 * a checkpoint reveals only the log's size and root hash, and witnesses and verifiers
 * must be able to fetch it without an account.
 */
import { SLUG_PATTERN } from '../../accounts/account-service.ts';
import { CommunitySchema } from '../../accounts/community.entity.ts';
import type { ModuleRuntime, RouteHandler } from '../../kernel/domain-module.ts';
import { latestCheckpointText } from '../witnesses.ts';

const CHECKPOINT_PATH = /^\/ledger\/([^/]+)\/checkpoint$/u;

function text(body: string, status = 200): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' },
  });
}

export function ledgerCheckpointRoute(runtime: Pick<ModuleRuntime, 'forkEntityManager'>): RouteHandler {
  return async (request, url) => {
    const match = CHECKPOINT_PATH.exec(url.pathname);
    if (!match) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') return text('Method not allowed\n', 405);
    const slug = match[1]!;
    if (!SLUG_PATTERN.test(slug)) return text('No such community\n', 404);
    const em = runtime.forkEntityManager();
    const community = await em.findOne(CommunitySchema, { slug }, { fields: ['id'] });
    if (!community) return text('No such community\n', 404);
    const note = await latestCheckpointText(em, community.id);
    return note === undefined ? text('No checkpoint yet\n', 404) : text(note);
  };
}
