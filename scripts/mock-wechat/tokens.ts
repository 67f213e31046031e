/** The token side of the mock (§10): classic tokens replace each other, stable tokens are reused. */
import crypto from 'node:crypto';
import { fail, type Answer } from './types.js';

interface TokenState {
  owner: string;
  expiresAt: number;
  invalidAt: number;
}

/** The token side of the mock: issue, reuse, replace, expire, check. */
export function createTokenStore(ttlS: number, graceS: number) {
  const tokens = new Map<string, TokenState>();
  const current = new Map<string, string>();
  const rotateBeforeMs = Math.min(300, ttlS / 2) * 1000; // stable_token rotates 5 min early (§10)

  function issue(slot: string, owner: string, replace: boolean): string {
    const now = Date.now();
    const previous = current.get(slot);
    const prevState = previous === undefined ? undefined : tokens.get(previous);
    if (replace && prevState) prevState.invalidAt = Math.min(prevState.invalidAt, now + graceS * 1000);
    const token = `MOCK_${crypto.randomBytes(24).toString('base64url')}`;
    tokens.set(token, { owner, expiresAt: now + ttlS * 1000, invalidAt: Infinity });
    current.set(slot, token);
    return token;
  }

  const usable = (s: TokenState | undefined, now: number) => s !== undefined && now < s.expiresAt && now < s.invalidAt;

  return {
    /** Classic /cgi-bin/token: always a new token; the previous one stops working (§10). */
    classic(owner: string) {
      return { access_token: issue(`classic:${owner}`, owner, true), expires_in: ttlS };
    },
    /** stable_token and WeCom gettoken: the current token while valid, new near expiry or on force. */
    reuse(slot: string, owner: string, force: boolean) {
      const now = Date.now();
      const cur = current.get(slot);
      const state = cur === undefined ? undefined : tokens.get(cur);
      if (!force && cur !== undefined && usable(state, now) && state!.expiresAt - now > rotateBeforeMs) {
        return { access_token: cur, expires_in: Math.floor((state!.expiresAt - now) / 1000) };
      }
      return { access_token: issue(slot, owner, force), expires_in: ttlS };
    },
    check(token: string | undefined, ownerPrefix: string): Answer | null {
      const s = token === undefined ? undefined : tokens.get(token);
      if (!s?.owner.startsWith(ownerPrefix)) return fail(40014, 'invalid access_token');
      const now = Date.now();
      if (now >= s.invalidAt) return fail(40001, 'invalid credential, access_token is invalid or not latest');
      if (now >= s.expiresAt) return fail(42001, 'access_token expired');
      return null;
    },
    expireAll() {
      const past = Date.now() - 1;
      for (const s of tokens.values()) s.expiresAt = Math.min(s.expiresAt, past);
    },
  };
}
