/**
 * Blind indexes let the vault find a household by unit label or phone number
 * without storing either in clear: HMAC-SHA256 under a per-community key over a
 * normalised value. Equal inputs give equal indexes; nothing else is revealed
 * to someone without the key.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

const encoder = new TextEncoder();

/** Unit labels compare case- and width-insensitively, ignoring spaces: "3栋 2单元 101" = "3栋2单元101". */
export function normaliseUnitLabel(label: string): string {
  return label.normalize('NFKC').toLowerCase().replace(/\s+/gu, '');
}

/** Phone numbers compare by digits only, so "+86 138-0000-0000" = "8613800000000". */
export function normalisePhone(phone: string): string {
  return phone.replace(/\D/gu, '');
}

export function blindIndex(key: Uint8Array, field: 'unitLabel' | 'phone', normalisedValue: string): Uint8Array {
  return hmac(sha256, key, encoder.encode(`${field}\u0000${normalisedValue}`));
}
