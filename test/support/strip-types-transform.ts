/**
 * Jest's transform for TypeScript: Node's own type stripping (`module.stripTypeScriptTypes`),
 * the same code path that runs `node file.ts`, so tests execute exactly what production
 * executes. Types are replaced by whitespace, so line and column numbers stay as written
 * and no source map is needed. The project uses erasable syntax only (tsconfig
 * `erasableSyntaxOnly`), so stripping is all the transformation there is.
 */
import { createHash } from 'node:crypto';
import { stripTypeScriptTypes } from 'node:module';

interface TransformResult {
  code: string;
}

export default {
  process(sourceText: string, sourcePath: string): TransformResult {
    return { code: stripTypeScriptTypes(sourceText, { mode: 'strip', sourceUrl: sourcePath }) };
  },
  /** Jest caches transformed files; a new Node.js version may strip differently. */
  getCacheKey(sourceText: string, sourcePath: string): string {
    return createHash('sha256').update(process.version).update('\0').update(sourcePath).update('\0').update(sourceText).digest('hex');
  },
};
