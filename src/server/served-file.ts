/**
 * Serving a file held in memory, shared by the GraphiQL page, the client bundle and the
 * circuit artifacts: the ETag is the file's sha256 (weak when the bytes sent are a
 * compressed form, as nginx does), a matching If-None-Match gets 304, HEAD gets the
 * headers without the body, and a compressed form (Brotli or gzip, made once when the
 * file is loaded) is sent when the browser accepts it — the one it prefers by q-value,
 * Brotli on a tie, since it is the smaller.
 */

export interface ServedFile {
  body: Uint8Array;
  /** The gzipped body, when worth sending; then `vary: accept-encoding` is set. */
  gzipped?: Uint8Array | null | undefined;
  /** The Brotli-compressed body, when worth sending. */
  brotli?: Uint8Array | null | undefined;
  contentType: string;
  /** The strong ETag, quoted: `"<sha256>"`. */
  etag: string;
  cacheControl: string;
  /** Further headers sent with the file and with its 304 (e.g. a content security policy). */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** Whether If-None-Match names this entity (weak or strong, or `*`). */
function etagMatches(request: Request, etag: string): boolean {
  const header = request.headers.get('if-none-match');
  if (!header) return false;
  return header.trim() === '*' || header.split(',').some((candidate) => candidate.trim().replace(/^W\//u, '') === etag);
}

/** The q-value Accept-Encoding gives each coding (RFC 9110 §12.5.3); `*` stands for the others. */
function acceptedCodings(request: Request): Map<string, number> {
  const qualities = new Map<string, number>();
  for (const part of (request.headers.get('accept-encoding') ?? '').split(',')) {
    const [coding, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (!coding) continue;
    const q = parameters.map((parameter) => /^q=([01](?:\.\d{0,3})?)$/u.exec(parameter)?.[1]).find((value) => value !== undefined);
    qualities.set(coding, q === undefined ? 1 : Number(q));
  }
  return qualities;
}

type Coding = 'br' | 'gzip' | 'identity';

/**
 * The coding to send: the compressed form with the highest q the browser gives (Brotli
 * on a tie), unless it ranks identity explicitly higher; identity when it accepts none.
 */
function chooseCoding(request: Request, file: ServedFile): Coding {
  const qualities = acceptedCodings(request);
  const qualityOf = (coding: Coding) => qualities.get(coding) ?? qualities.get('*') ?? 0;
  let best: Coding = 'identity';
  let bestQuality = qualities.get('identity') ?? 0;
  for (const coding of ['br', 'gzip'] as const) {
    if ((coding === 'br' ? file.brotli : file.gzipped) == null) continue;
    const quality = qualityOf(coding);
    if (quality > 0 && quality > bestQuality) {
      best = coding;
      bestQuality = quality;
    }
  }
  return best;
}

export function serveFile(request: Request, file: ServedFile): Response {
  const coding = chooseCoding(request, file);
  // The compressed bytes differ from the file's, so their ETag is weak; a revalidation
  // matches either form, since all come from the same sha256.
  const headers: Record<string, string> = { etag: coding === 'identity' ? file.etag : `W/${file.etag}`, 'cache-control': file.cacheControl, ...file.headers };
  if (file.gzipped != null || file.brotli != null) headers['vary'] = 'accept-encoding';
  if (etagMatches(request, file.etag)) return new Response(null, { status: 304, headers });
  const body = coding === 'br' ? file.brotli! : coding === 'gzip' ? file.gzipped! : file.body;
  if (coding !== 'identity') headers['content-encoding'] = coding;
  headers['content-type'] = file.contentType;
  headers['content-length'] = String(body.byteLength);
  return new Response(request.method === 'HEAD' ? null : new Blob([body as Uint8Array<ArrayBuffer>]), { status: 200, headers });
}

/** The JSON 404 both routes answer for an unknown file. */
export function fileNotFound(): Response {
  return new Response(JSON.stringify({ error: 'not found' }), { status: 404, headers: { 'content-type': 'application/json' } });
}
