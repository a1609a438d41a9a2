/**
 * C2SP tlog-checkpoint bodies (https://c2sp.org/tlog-checkpoint): the origin line, the
 * tree size in decimal, the base64 root hash, then optional extension lines. The body is
 * the text of a signed note; the log's own signature makes it a checkpoint.
 */
import { HASH_BYTES } from './merkle-hash.ts';
import { NoteFormatError } from './signed-note.ts';

export interface CheckpointBody {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  extensions: string[];
}

export const MAX_CHECKPOINT_EXTENSIONS = 16;

export function formatCheckpointBody(body: CheckpointBody): string {
  if (body.origin.length === 0 || body.origin.includes('\n')) throw new NoteFormatError('origin must be one non-empty line');
  if (!Number.isSafeInteger(body.treeSize) || body.treeSize < 0) throw new NoteFormatError('tree size must be a non-negative integer');
  if (body.rootHash.length !== HASH_BYTES) throw new NoteFormatError('root hash must be 32 bytes');
  for (const line of body.extensions) {
    if (line.length === 0 || line.includes('\n')) throw new NoteFormatError('extension lines must be non-empty single lines');
  }
  const root = Buffer.from(body.rootHash).toString('base64');
  return [body.origin, String(body.treeSize), root, ...body.extensions].map((line) => `${line}\n`).join('');
}

export function parseCheckpointBody(text: string): CheckpointBody {
  if (!text.endsWith('\n')) throw new NoteFormatError('checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === undefined || origin.length === 0) throw new NoteFormatError('checkpoint origin is missing');
  if (sizeText === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) throw new NoteFormatError('checkpoint size is not a decimal integer');
  const treeSize = Number(sizeText);
  if (!Number.isSafeInteger(treeSize)) throw new NoteFormatError('checkpoint size is too large');
  const root = Buffer.from(rootText ?? '', 'base64');
  if (root.length !== HASH_BYTES || root.toString('base64') !== rootText) throw new NoteFormatError('checkpoint root is not a base64 SHA-256 hash');
  if (extensions.length > MAX_CHECKPOINT_EXTENSIONS || extensions.some((line) => line.length === 0)) {
    throw new NoteFormatError('checkpoint extension lines are malformed');
  }
  return { origin, treeSize, rootHash: new Uint8Array(root), extensions };
}
