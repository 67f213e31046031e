/**
 * access_token cache shared by every Linli process through Redis, refreshed single-flight.
 *
 * Why (docs/wechat-protocol.md §10): every new token fetch invalidates the previous token after a
 * short hand-over, and getAccessToken is capped at 2,000 calls a day. Processes that refresh on
 * their own kill each other's tokens (40001/42001 storms) and burn the quota, so Tencent's advice
 * is one shared token, refreshed by one caller at a time, before expiry, with a "refresh now"
 * path for callers that hit an expired token.
 *
 * Keys (one token per app, or per WeCom corp + secret pair):
 *   `<key>`       JSON {token, expiresAt, refreshAt} (ms since epoch), Redis TTL = token lifetime
 *   `<key>:lock`  random holder id, `SET NX PX lockTtlMs`; expires by itself if the holder dies
 * Waiters never call the token endpoint: they poll `<key>` until the holder has stored a token,
 * or take the lock themselves once it is gone.
 *
 * In front of Redis each process keeps the last record it read or wrote, for at most
 * `localMaxAgeMs` (30 s) and never past its `refreshAt`: a broadcast sending thousands of
 * messages a second asks Redis for the token every 30 s instead of once per send. A token another
 * process rotated meanwhile costs one 40001/42001 answer, after which `renew` reads Redis again.
 */
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { LOCAL_CODES, WechatApiError } from './api-errors.js';

/** What a token endpoint returned. */
export interface FetchedToken {
  token: string;
  expiresInS: number;
}

/** The shared record kept in Redis. */
export interface CachedToken {
  token: string;
  /** When the platform stops accepting it (ms). */
  expiresAt: number;
  /** When we start refreshing it: `expires_in − margin` (ms). */
  refreshAt: number;
}

export interface TokenCacheOptions {
  redis: Redis;
  /** Redis key of the token, e.g. `officialAccountTokenKey(appId)`. */
  key: string;
  /** Calls the token endpoint. `force` asks stable_token for a new token (§10). */
  fetchToken(force: boolean): Promise<FetchedToken>;
  /** Refresh this many seconds before expiry (default 300, §10); capped at half the lifetime. */
  marginS?: number;
  /** Lock lifetime; longer than one token request (default 15 000 ms). */
  lockTtlMs?: number;
  /** Pause between waiter polls (default 50 ms, plus jitter). */
  pollMs?: number;
  /** Give up waiting for another process after this long (default lockTtlMs + 5 000 ms). */
  waitMs?: number;
  /** How long this process trusts its own copy of the shared record (default 30 000 ms). */
  localMaxAgeMs?: number;
  /** Told when a refresh failed but a still-valid token was served instead. */
  onRefreshError?(err: unknown): void;
  now?(): number;
}

export interface TokenCache {
  /** A token that is not yet due for refresh (or still valid while another process refreshes). */
  get(): Promise<string>;
  /**
   * A token other than `failed`, after an API call answered 40001/40014/42001 with it. Re-reads
   * the shared token first; forces a refresh only if the shared token is still `failed` (§10).
   */
  renew(failed: string): Promise<string>;
  /** The shared record as stored (tests, diagnostics). */
  peek(): Promise<CachedToken | null>;
}

/** Redis key of an Official Account's token. */
export const officialAccountTokenKey = (appId: string): string => `wx:token:${appId}`;

/**
 * Redis key of a WeCom token: one token per (corp, app secret) pair (§10), and the secret is
 * hashed so it never appears in Redis.
 */
export const wecomTokenKey = (corpId: string, secret: string): string =>
  `wecom:token:${corpId}:${crypto.createHash('sha256').update(secret).digest('hex').slice(0, 16)}`;

/** Compare-and-delete: a holder whose lock already expired must not delete the next holder's. */
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Create a cache for one token; cheap, create one per API client. */
export function createTokenCache(opts: TokenCacheOptions): TokenCache {
  const { redis, key } = opts;
  const lockKey = `${key}:lock`;
  const marginS = opts.marginS ?? 300;
  const lockTtlMs = opts.lockTtlMs ?? 15_000;
  const pollMs = opts.pollMs ?? 50;
  const waitMs = opts.waitMs ?? lockTtlMs + 5_000;
  const now = opts.now ?? Date.now;
  const localMaxAgeMs = opts.localMaxAgeMs ?? 30_000;
  // This process's copy of the shared record and when it was read (see the header).
  let local: { record: CachedToken; at: number } | null = null;
  const remember = (record: CachedToken | null) => {
    local = record ? { record, at: now() } : null;
    return record;
  };
  // In-process single flight: concurrent callers in one process share one wait/refresh.
  let getting: Promise<string> | null = null;
  const renewing = new Map<string, Promise<string>>();

  async function read(): Promise<CachedToken | null> {
    const raw = await redis.get(key);
    if (raw === null) return remember(null);
    try {
      return remember(JSON.parse(raw) as CachedToken);
    } catch {
      return remember(null); // a corrupt record is treated as missing and overwritten by the next refresh
    }
  }

  async function write(fetched: FetchedToken): Promise<CachedToken> {
    const t = now();
    const margin = Math.min(marginS, fetched.expiresInS / 2);
    const record: CachedToken = {
      token: fetched.token,
      expiresAt: t + fetched.expiresInS * 1000,
      refreshAt: t + (fetched.expiresInS - margin) * 1000,
    };
    await redis.set(key, JSON.stringify(record), 'PX', Math.max(1, Math.floor(record.expiresAt - t)));
    remember(record);
    return record;
  }

  type Check = (c: CachedToken) => boolean;
  const fresh: Check = (c) => now() < c.refreshAt;
  const valid: Check = (c) => now() < c.expiresAt;
  const replaces =
    (failed: string): Check =>
    (c) =>
      valid(c) && c.token !== failed;

  /** Runs `fn` holding the Redis lock, or returns undefined if another process holds it. */
  async function withLock<T>(fn: () => Promise<T>): Promise<T | undefined> {
    const holder = crypto.randomUUID();
    const ok = await redis.set(lockKey, holder, 'PX', lockTtlMs, 'NX');
    if (ok !== 'OK') return undefined;
    try {
      return await fn();
    } finally {
      await redis.eval(RELEASE_LOCK, 1, lockKey, holder).catch(() => undefined); // expires anyway
    }
  }

  /** Holder side of `get`: refresh unless a previous holder just did. */
  async function refreshForGet(): Promise<string> {
    const cached = await read();
    if (cached && fresh(cached)) return cached.token;
    try {
      return (await write(await opts.fetchToken(false))).token;
    } catch (err) {
      // During the refresh margin the old token still works: keep serving it (§10).
      if (!cached || !valid(cached)) throw err;
      opts.onRefreshError?.(err);
      return cached.token;
    }
  }

  /** Holder side of `renew`: force only if the shared token is still the one that failed (§10). */
  async function refreshForRenew(failed: string): Promise<string> {
    const cached = await read();
    if (cached && replaces(failed)(cached)) return cached.token;
    const mustForce = cached?.token === failed;
    let fetched = await opts.fetchToken(mustForce);
    // A normal stable_token call may hand back the very token that failed: then force once.
    if (!mustForce && fetched.token === failed) fetched = await opts.fetchToken(true);
    return (await write(fetched)).token;
  }

  /**
   * The loop shared by both paths: use a good shared token, else take the lock and refresh, else
   * wait for the holder (or for its lock to expire if it crashed), bounded by `waitMs`.
   */
  async function obtain(good: Check, refresh: () => Promise<string>, meanwhile?: Check): Promise<string> {
    const deadline = now() + waitMs;
    for (;;) {
      const cached = await read();
      if (cached && good(cached)) return cached.token;
      const refreshed = await withLock(refresh);
      if (refreshed !== undefined) return refreshed;
      if (cached && meanwhile?.(cached)) return cached.token;
      if (now() >= deadline) {
        throw new WechatApiError({
          code: LOCAL_CODES.tokenWait,
          kind: 'timeout',
          retryable: true,
          endpoint: 'token_cache',
          message: `token_cache: no access_token after waiting ${waitMs} ms for ${lockKey}`,
        });
      }
      await sleep(pollMs + Math.floor(Math.random() * pollMs));
    }
  }

  return {
    async get() {
      if (local && fresh(local.record) && now() - local.at < localMaxAgeMs) return local.record.token;
      const cached = await read();
      if (cached && fresh(cached)) return cached.token;
      getting ??= obtain(fresh, refreshForGet, valid).finally(() => (getting = null));
      return getting;
    },
    renew(failed) {
      let p = renewing.get(failed);
      if (!p) {
        p = obtain(replaces(failed), () => refreshForRenew(failed)).finally(() => renewing.delete(failed));
        renewing.set(failed, p);
      }
      return p;
    },
    peek: read,
  };
}
