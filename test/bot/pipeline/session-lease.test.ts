/**
 * The resident's lease against a real Redis: a step that outlived its lease saves nothing (a later
 * message's conversation stays), and a slow step keeps its lease by renewing it.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConversationStore } from '../../../bot/pipeline/session-store.js';
import { keepLease, type ConversationSession, type ConversationStore } from '../../../handlers/inbound/session.js';
import type { LocalRedis } from '../../../scripts/services/redis.js';
import { startRedis } from '../../support/services.js';
import { watchRedis } from '../../support/redis-watch.js';
import { waitFor } from '../../support/wait-for.js';

let server: LocalRedis;
let redis: Redis;
let store: ConversationStore;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  store = redisConversationStore(redis);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

const at = (step: string): ConversationSession => ({ flow: 'health-report', flowVersion: 1, step, answers: {}, history: [], misses: 0 });
/** A lease short enough for a test to see it lapse. */
const SHORT_MS = 300;

describe('resident lease', () => {
  it('a step whose lease lapsed and was taken saves nothing: the later message’s conversation stays', async () => {
    const key = 'wechat:oLapsed';
    expect(await store.open(key, 'A', SHORT_MS)).toEqual({ acquired: true });
    // A stalls past its lease; B's message takes the lease and saves its step.
    await waitFor('A’s lease to lapse', async () => (await redis.exists(`wx:lock:${key}`)) === 0);
    expect(await store.open(key, 'B', SHORT_MS)).toEqual({ acquired: true });
    expect(await store.close(key, 'B', at('symptoms'))).toBe(true);
    // A finally closes with its older conversation, and with a forget.
    expect(await store.close(key, 'A', at('temperature'))).toBe(false);
    expect(await store.close(key, 'A', null)).toBe(false);
    expect(JSON.parse((await redis.get(`wx:session:${key}`)) ?? 'null')).toMatchObject({ step: 'symptoms' });
  });

  it('a step closing on a lease now held by another message neither saves nor lets that lease go', async () => {
    const key = 'wechat:oTaken';
    await store.open(key, 'A', SHORT_MS);
    await waitFor('A’s lease to lapse', async () => (await redis.exists(`wx:lock:${key}`)) === 0);
    expect(await store.open(key, 'B', 10_000)).toEqual({ acquired: true });
    expect(await store.close(key, 'A', at('temperature'))).toBe(false);
    expect(await redis.get(`wx:lock:${key}`)).toBe('B');
    expect(await redis.get(`wx:session:${key}`)).toBeNull();
    expect(await store.close(key, 'B', undefined)).toBe(true);
  });

  it('a slow step keeps its lease by renewing it, and then saves', async () => {
    const key = 'wechat:oSlow';
    const watch = await watchRedis(server.url);
    try {
      // Long enough that a busy machine's late timer still renews in time.
      const leaseMs = 1500;
      expect(await store.open(key, 'A', leaseMs)).toEqual({ acquired: true });
      const stop = keepLease(store, key, 'A', leaseMs);
      // Four renewals (one every third of the lease): the step ran past its first lease.
      const renewals = () => watch.count((args) => args[0] === 'pexpire' && args[1] === `wx:lock:${key}`);
      await waitFor('four renewals', () => renewals() >= 4);
      stop();
      expect(await redis.get(`wx:lock:${key}`)).toBe('A');
      // Another message still cannot take the lease meanwhile.
      expect(await store.open(key, 'B', SHORT_MS)).toEqual({ acquired: false });
      expect(await store.close(key, 'A', at('symptoms'))).toBe(true);
      expect(JSON.parse((await redis.get(`wx:session:${key}`)) ?? 'null')).toMatchObject({ step: 'symptoms' });
      expect(await redis.exists(`wx:lock:${key}`)).toBe(0);
    } finally {
      watch.close();
    }
  });

  it('renewing a lease that is no longer ours does not extend the other holder’s', async () => {
    const key = 'wechat:oRenewOther';
    await store.open(key, 'A', SHORT_MS);
    await waitFor('A’s lease to lapse', async () => (await redis.exists(`wx:lock:${key}`)) === 0);
    await store.open(key, 'B', SHORT_MS);
    expect(await store.renew(key, 'A', 60_000)).toBe(false);
    expect(await redis.pttl(`wx:lock:${key}`)).toBeLessThanOrEqual(SHORT_MS);
  });
});
