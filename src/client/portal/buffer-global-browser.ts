/**
 * The `Buffer` global of the server's ledger code (base64 and hex of signatures, keys and
 * hashes), for the regulator page's offline verifier only: compliance-check.ts imports
 * this module first, so it runs before the verifier's modules, and only when the
 * regulator page loads that chunk. `buffer` is feross's Node Buffer API for browsers,
 * the one bundlers' Node polyfills use.
 */
import { Buffer } from 'buffer';

(globalThis as { Buffer?: unknown }).Buffer ??= Buffer;
