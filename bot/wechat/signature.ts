/**
 * Request signatures (protocol notes §2 and §4 "Signatures"). Both are SHA-1 over the
 * parameters sorted lexicographically *as strings* and joined without a separator; neither is
 * an HMAC, so the only secret is the Token.
 */
import { hash, timingSafeEqual } from 'node:crypto';

function sha1OfSorted(parts: string[]): string {
  // Plain string sort (UTF-16 code units), as the official samples do; every input here is
  // ASCII (Token is letters/digits, timestamp/nonce digits, Encrypt base64), so code-unit
  // and code-point order agree.
  // One-shot `hash`: no Hash object per request (three of them per push before).
  return hash('sha1', [...parts].sort().join(''), 'hex');
}

/**
 * The OA `signature` query parameter: `sha1hex(sort([token, timestamp, nonce]).join(''))`.
 * Used for the OA GET handshake and on every OA POST (§2.1, §3.2). It does not cover the body.
 */
export function plainSignature(token: string, timestamp: string, nonce: string): string {
  return sha1OfSorted([token, timestamp, nonce]);
}

/**
 * `msg_signature` (query) / `MsgSignature` (reply envelope):
 * `sha1hex(sort([token, timestamp, nonce, encrypt]).join(''))` — the only value that
 * authenticates the ciphertext (§3.2, §4). For the WeCom GET handshake `encrypt` is `echostr`.
 */
export function msgSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return sha1OfSorted([token, timestamp, nonce, encrypt]);
}

/**
 * Constant-time string comparison that is safe for inputs of different lengths: both sides
 * are hashed to 32 bytes first, so neither the comparison time nor an exception reveals
 * where (or whether) the lengths differ.
 */
export function safeEqual(a: string, b: string): boolean {
  const ha = hash('sha256', a, 'buffer');
  const hb = hash('sha256', b, 'buffer');
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/**
 * Compare a received signature with the expected one. Hex case is ignored (some proxies
 * upper-case it); a missing or non-string value never matches.
 */
export function signatureMatches(received: unknown, expected: string): boolean {
  return typeof received === 'string' && received.length > 0 && safeEqual(received.toLowerCase(), expected);
}
