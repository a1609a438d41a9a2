/**
 * Session tokens are JWTs signed with the installation's Ed25519 key (EdDSA).
 * A token names its session, so logout and revocation end it at once even though
 * the signature would still verify.
 */
import type { KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { UnauthenticatedError } from '../domain-error.ts';

export const SESSION_LIFETIME_SECONDS = 12 * 60 * 60;
const ISSUER = 'courtyard';
const AUDIENCE = 'courtyard-api';
/** A bearer token longer than this is rejected before any parsing. */
export const TOKEN_MAX_LENGTH = 2048;

export interface TokenClaims {
  accountId: string;
  sessionId: string;
  expiresAt: Date;
}

export async function signSessionToken(privateKey: KeyObject, claims: TokenClaims): Promise<string> {
  return new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setSubject(claims.accountId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(claims.expiresAt.getTime() / 1000))
    .sign(privateKey);
}

/** Tokens whose signature verified, per key: a client sends the same token on every request. */
const VERIFIED_TOKENS_KEPT = 10_000;
const verifiedTokens = new WeakMap<KeyObject, Map<string, TokenClaims>>();

/**
 * Checks the signature and claims. A token that verified once is remembered (the same
 * string always verifies the same way) and only its expiry is checked again; whether its
 * session is still live is the caller's query, every request.
 */
export async function verifySessionToken(publicKey: KeyObject, token: string): Promise<TokenClaims> {
  if (token.length > TOKEN_MAX_LENGTH) throw new UnauthenticatedError('Invalid token');
  let verified = verifiedTokens.get(publicKey);
  if (!verified) {
    verified = new Map();
    verifiedTokens.set(publicKey, verified);
  }
  const known = verified.get(token);
  if (known) {
    if (known.expiresAt.getTime() > Date.now()) return known;
    verified.delete(token);
    throw new UnauthenticatedError('Token expired');
  }
  const claims = await verifySignedToken(publicKey, token);
  // Oldest first out, so the map stays bounded.
  if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
  verified.set(token, claims);
  return claims;
}

async function verifySignedToken(publicKey: KeyObject, token: string): Promise<TokenClaims> {
  try {
    const { payload } = await jwtVerify(token, publicKey, {
      algorithms: ['EdDSA'],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['sub', 'sid', 'exp'],
    });
    if (typeof payload.sid !== 'string' || typeof payload.sub !== 'string') throw new Error('bad claims');
    return { accountId: payload.sub, sessionId: payload.sid, expiresAt: new Date(payload.exp! * 1000) };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('Token expired');
    throw new UnauthenticatedError('Invalid token');
  }
}
