/**
 * Serving a file held in memory, shared by the client and circuit-artifact routes: the
 * ETag is the file's sha256 (weak when the bytes sent are its gzipped form, as nginx
 * does), a matching If-None-Match gets 304, HEAD gets the headers without the body, and
 * gzip is used when the file has a gzipped form and the browser accepts it.
 */

export interface ServedFile {
  body: Uint8Array;
  /** The gzipped body, when worth sending; then `vary: accept-encoding` is set. */
  gzipped?: Uint8Array | null | undefined;
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

/** Accept-Encoding lists gzip without `q=0`. */
function acceptsGzip(request: Request): boolean {
  return (request.headers.get('accept-encoding') ?? '').split(',').some((part) => {
    const [coding, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    return coding === 'gzip' && !parameters.some((parameter) => /^q=0(\.0*)?$/u.test(parameter));
  });
}

export function serveFile(request: Request, file: ServedFile): Response {
  const useGzip = file.gzipped != null && acceptsGzip(request);
  // The gzipped bytes differ from the file's, so their ETag is weak; a revalidation
  // matches either form, since both come from the same sha256.
  const headers: Record<string, string> = { etag: useGzip ? `W/${file.etag}` : file.etag, 'cache-control': file.cacheControl, ...file.headers };
  if (file.gzipped != null) headers['vary'] = 'accept-encoding';
  if (etagMatches(request, file.etag)) return new Response(null, { status: 304, headers });
  const body = useGzip ? file.gzipped! : file.body;
  if (useGzip) headers['content-encoding'] = 'gzip';
  headers['content-type'] = file.contentType;
  headers['content-length'] = String(body.byteLength);
  return new Response(request.method === 'HEAD' ? null : new Blob([body as Uint8Array<ArrayBuffer>]), { status: 200, headers });
}

/** The JSON 404 both routes answer for an unknown file. */
export function fileNotFound(): Response {
  return new Response(JSON.stringify({ error: 'not found' }), { status: 404, headers: { 'content-type': 'application/json' } });
}
