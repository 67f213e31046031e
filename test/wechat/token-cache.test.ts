import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_CODES, WechatApiError } from '../../bot/wechat/api-errors.js';
import { createTokenCache, wecomTokenKey, type FetchedToken, type TokenCacheOptions } from '../../bot/wechat/token-cache.js';
import { startMockWechatApi, type MockWechatApi } from '../../scripts/mock-wechat-api.js';
import { startRedis } from '../support/services.js';
import { tsEntry } from '../support/child.js';
import { gate, START_MS, waitFor } from '../support/wait-for.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const APP = { appId: 'wxtokentest01', appSecret: 'oa-secret' };
const KEY = 'wx:token:test';

let server: Awaited<ReturnType<typeof startRedis>>;
let redis: Redis;
let mock: MockWechatApi;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  mock = await startMockWechatApi(APP);
});
afterAll(async () => {
  redis.disconnect();
  await mock.close();
  await server.stop();
});
beforeEach(async () => {
  await redis.flushall();
  mock.clearCalls();
});

/** A token source that counts calls and can be slowed down. */
function counter(opts: { delayMs?: number; expiresInS?: number } = {}) {
  const calls: boolean[] = [];
  const fetchToken = async (force: boolean): Promise<FetchedToken> => {
    calls.push(force);
    if (opts.delayMs) await sleep(opts.delayMs);
    return { token: `T${calls.length}`, expiresInS: opts.expiresInS ?? 7200 };
  };
  return { calls, fetchToken };
}
const cache = (fetchToken: TokenCacheOptions['fetchToken'], extra: Partial<TokenCacheOptions> = {}) =>
  createTokenCache({ redis, key: KEY, fetchToken, pollMs: 10, ...extra });

describe('single-flight refresh across processes', () => {
  it(
    'ten processes asking at once cause exactly one token call',
    async () => {
      const arg = JSON.stringify({ redisUrl: server.url, base: mock.url, ...APP, tokenEndpoint: 'stable' });
      const [command, args] = tsEntry(path.join(ROOT, 'test/wechat/get-token-child.ts'), [arg]);
      const children = Array.from({ length: 10 }, () => spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] }));
      const outputs = children.map((c) => {
        let out = '';
        c.stdout.setEncoding('utf8');
        const ready = new Promise<void>((resolve) => c.stdout.on('data', (d: string) => ((out += d), out.includes('ready') && resolve())));
        const done = new Promise<string>((resolve, reject) => c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}`)))));
        return { ready, done };
      });
      await Promise.all(outputs.map((o) => o.ready));
      for (const c of children) c.stdin.end('go\n');
      const tokens = (await Promise.all(outputs.map((o) => o.done))).map((out) => /token (\S+)/.exec(out)?.[1]);

      expect(new Set(tokens).size).toBe(1);
      expect(tokens[0]).toMatch(/^MOCK_/);
      expect(mock.calls().filter((c) => c.endpoint === 'stable_token')).toHaveLength(1);
    },
    START_MS + 30_000,
  ); // ten processes of ours starting at once

  it('fifty concurrent gets on five cache instances fetch once', async () => {
    const src = counter({ delayMs: 50 });
    const caches = Array.from({ length: 5 }, () => cache(src.fetchToken));
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => caches[i % 5]!.get()));
    expect(new Set(tokens)).toEqual(new Set(['T1']));
    expect(src.calls).toEqual([false]);
  });
});

describe('renew after a token error (§10)', () => {
  it('returns the shared token without fetching when another process already replaced the failed one', async () => {
    const src = counter();
    const a = cache(src.fetchToken);
    const b = cache(src.fetchToken);
    const stale = await a.get();
    const replaced = await b.renew(stale); // "another process" refreshed
    expect(src.calls).toEqual([false, true]);
    expect(await a.renew(stale)).toBe(replaced);
    expect(src.calls).toEqual([false, true]); // no third call, no second force
  });

  it('forces one refresh when the shared token is the one that failed, even with concurrent renewers', async () => {
    const src = counter({ delayMs: 30 });
    const caches = Array.from({ length: 4 }, () => cache(src.fetchToken));
    const failed = await caches[0]!.get();
    const renewed = await Promise.all(caches.flatMap((c) => [c.renew(failed), c.renew(failed)]));
    expect(new Set(renewed)).toEqual(new Set(['T2']));
    expect(src.calls).toEqual([false, true]);
  });

  it('forces a refresh when a normal fetch hands back the very token that failed', async () => {
    const forced: boolean[] = [];
    const c = cache(async (force) => (forced.push(force), { token: force ? 'NEW' : 'OLD', expiresInS: 7200 }));
    await redis.del(KEY); // the shared record is gone, so renew starts with a normal fetch
    expect(await c.renew('OLD')).toBe('NEW');
    expect(forced).toEqual([false, true]);
  });
});

describe('lock', () => {
  it('a crashed holder (lock set, nobody refreshing) delays refresh only until the lock expires', async () => {
    const started = Date.now(); // before the lock is set, so the lock surely lives 600 ms past it
    await redis.set(`${KEY}:lock`, 'crashed-holder', 'PX', 600);
    const src = counter();
    expect(await cache(src.fetchToken).get()).toBe('T1');
    const waited = Date.now() - started;
    expect(src.calls).toHaveLength(1);
    expect(waited).toBeGreaterThanOrEqual(590); // it waited for the lock to expire (± clock rounding)…
    // …and not much longer: at most 724 ms in 6 runs with two busy loops on the 2 cores
    // (load average 12).
    expect(waited).toBeLessThan(3_000);
  });

  it('gives up after waitMs with a retryable timeout error when the lock never goes', async () => {
    await redis.set(`${KEY}:lock`, 'stuck', 'PX', 60_000);
    const err = (await cache(counter().fetchToken, { waitMs: 200 })
      .get()
      .catch((e: unknown) => e)) as WechatApiError;
    expect(err).toBeInstanceOf(WechatApiError);
    expect(err).toMatchObject({ code: LOCAL_CODES.tokenWait, kind: 'timeout', retryable: true });
  });

  it('a holder whose lock expired does not delete the next holder’s lock', async () => {
    const refresh = gate();
    const c = cache(async () => (await refresh.pass(), { token: 'T1', expiresInS: 7200 }), { lockTtlMs: 100 });
    const getting = c.get();
    await refresh.reached; // the holder took the lock and is refreshing…
    await waitFor('its lock to expire mid-refresh', async () => (await redis.exists(`${KEY}:lock`)) === 0);
    await redis.set(`${KEY}:lock`, 'next-holder', 'PX', 10_000);
    refresh.open();
    expect(await getting).toBe('T1');
    expect(await redis.get(`${KEY}:lock`)).toBe('next-holder');
  });

  it('releases its lock after refreshing', async () => {
    await cache(counter().fetchToken).get();
    expect(await redis.exists(`${KEY}:lock`)).toBe(0);
  });
});

describe('expiry and margin', () => {
  let clock = 0;
  afterEach(() => (clock = 0));
  const now = () => 1_700_000_000_000 + clock;

  it('stores {token, expiresAt, refreshAt} with a Redis TTL of the token lifetime', async () => {
    const c = cache(counter().fetchToken, { now });
    await c.get();
    expect(await c.peek()).toEqual({ token: 'T1', expiresAt: now() + 7_200_000, refreshAt: now() + 6_900_000 });
    const ttl = await redis.pttl(KEY);
    expect(ttl).toBeGreaterThan(7_190_000);
    expect(ttl).toBeLessThanOrEqual(7_200_000);
  });

  it('refreshes after expires_in − 300 s, not before', async () => {
    const src = counter();
    const c = cache(src.fetchToken, { now });
    await c.get();
    clock = 6_899_000;
    expect(await c.get()).toBe('T1');
    clock = 6_901_000;
    expect(await c.get()).toBe('T2');
    expect(src.calls).toEqual([false, false]);
  });

  it('keeps its own copy for localMaxAgeMs: sends between two reads of Redis cost no round trip', async () => {
    const src = counter();
    const c = cache(src.fetchToken, { now, localMaxAgeMs: 30_000 });
    expect(await c.get()).toBe('T1');
    await redis.del(KEY); // only this process's copy is left
    clock = 29_000;
    expect(await c.get()).toBe('T1');
    expect(src.calls).toEqual([false]);
    clock = 31_000; // the copy is too old: Redis is asked again (and, the record being gone, a token fetched)
    expect(await c.get()).toBe('T2');
    expect(src.calls).toEqual([false, false]);
  });

  it('caps the margin at half of a short lifetime', async () => {
    const c = cache(counter({ expiresInS: 200 }).fetchToken, { now });
    await c.get();
    expect((await c.peek())?.refreshAt).toBe(now() + 100_000);
  });

  it('serves the still-valid token when a refresh inside the margin fails, and fails once it has expired', async () => {
    let fail = false;
    const errors: unknown[] = [];
    const c = cache(
      async () => {
        if (fail) throw WechatApiError.fromErrcode('stable_token', 45009, 'quota');
        return { token: 'T1', expiresInS: 7200 };
      },
      { now, onRefreshError: (e) => errors.push(e) },
    );
    await c.get();
    fail = true;
    clock = 7_000_000;
    expect(await c.get()).toBe('T1');
    expect(errors).toHaveLength(1);
    clock = 7_300_000;
    await expect(c.get()).rejects.toMatchObject({ code: 45009, kind: 'quota' });
  });
});

it('WeCom keys include the corp and a hash of the secret, never the secret', () => {
  const a = wecomTokenKey('wwcorp', 'secret-one');
  expect(a).toMatch(/^wecom:token:wwcorp:[0-9a-f]{16}$/);
  expect(a).not.toContain('secret-one');
  expect(wecomTokenKey('wwcorp', 'secret-two')).not.toBe(a);
});
