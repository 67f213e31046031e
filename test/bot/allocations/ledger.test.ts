/** The allocation ledger's Lua scripts against a real redis-server: every outcome of a claim, release, load, and a burst of claims. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAllocationLedger } from '../../../bot/allocations/ledger.js';
import type { LocalRedis } from '../../../scripts/services/redis.js';
import { startRedis } from '../../support/services.js';

let server: LocalRedis;
let redis: Redis;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe('allocation ledger', () => {
  it('refuses to claim before the round is loaded, then claims, refuses twice, sells out, fills a slot', async () => {
    const l = redisAllocationLedger(redis);
    expect(await l.claim('r1', 'h1', 's1', 1, 't1|s1|1')).toEqual({ ok: false, why: 'not_ready' });
    expect(await l.remaining('r1')).toBeNull();
    expect(await l.load('r1', { stock: 3, slots: { s1: 1, s2: 5 }, households: { h0: 't0|s2|1' } }, 3600)).toBe(true);
    expect(await l.load('r1', { stock: 99, slots: {}, households: {} }, 3600)).toBe(false); // it has state: untouched
    expect(await l.claim('r1', 'h0', 's2', 1, 'tx|s2|1')).toEqual({ ok: false, why: 'already', held: 't0|s2|1' });
    expect(await l.claim('r1', 'h1', 's1', 1, 't1|s1|1')).toEqual({ ok: true });
    expect(await l.claim('r1', 'h2', 's1', 1, 't2|s1|1')).toEqual({ ok: false, why: 'slot_full' });
    expect(await l.claim('r1', 'h2', 's9', 1, 't2|s9|1')).toEqual({ ok: false, why: 'no_slot' });
    expect(await l.claim('r1', 'h2', 's2', 3, 't2|s2|3')).toEqual({ ok: false, why: 'sold_out' });
    expect(await l.claim('r1', 'h2', 's2', 2, 't2|s2|2')).toEqual({ ok: true });
    expect(await l.remaining('r1')).toEqual({ stock: 0, slots: { s1: 0, s2: 4 } });
    expect(await redis.ttl('linli:alloc:{r1}:stock')).toBeGreaterThan(3500);
  });

  it('releases only the claim it names, giving back stock and the place', async () => {
    const l = redisAllocationLedger(redis);
    expect(await l.release('r1', 'h2', 'someone-else|s2|2', 's2', 2)).toBe(false);
    expect(await l.release('r1', 'h2', 't2|s2|2', 's2', 2)).toBe(true);
    expect(await l.release('r1', 'h2', 't2|s2|2', 's2', 2)).toBe(false); // once
    expect(await l.remaining('r1')).toEqual({ stock: 2, slots: { s1: 0, s2: 5 } });
    expect(await l.claim('r1', 'h2', 's2', 1, 't3|s2|1')).toEqual({ ok: true }); // the household may book again
  });

  it('200 households claiming at once against 50 units: exactly 50', async () => {
    const l = redisAllocationLedger(redis);
    await l.load('burst', { stock: 50, slots: { a: 30, b: 30 }, households: {} }, 3600);
    const clients = Array.from({ length: 8 }, () => new Redis(server.url));
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          redisAllocationLedger(clients[i % 8]!).claim('burst', `h${i % 190}`, i % 2 ? 'a' : 'b', 1, `t${i}|${i % 2 ? 'a' : 'b'}|1`),
        ),
      );
      expect(outcomes.filter((o) => o.ok)).toHaveLength(50);
      expect(await l.remaining('burst')).toMatchObject({ stock: 0 });
      expect(await redis.hlen('linli:alloc:{burst}:households')).toBe(50);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });
});
