/**
 * The customer-service window as the webhook keeps it in Redis, for senders outside a
 * conversation: open for 48 hours after the resident's last message, 5 messages of budget,
 * reserved atomically, written back to MongoDB like every other resident change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedResidentStore } from '../../../bot/residents/cache.js';
import { redisKfWindows } from '../../../bot/residents/kf-window.js';
import { drainResidentChanges } from '../../../bot/residents/write-back.js';
import type { KfWindows } from '../../../handlers/outbound/kf-window.js';
import type { ResidentStore } from '../../../handlers/inbound/touch-resident.js';
import { residentIdFor } from '../../../models/resident.js';
import { textFrom } from '../../support/inbound.js';
import { createTestRuntime, type TestRuntime } from '../../support/runtime.js';

let t: TestRuntime;
let store: ResidentStore;
let windows: KfWindows;
const text = (fromUser: string) => textFrom(fromUser);
const ref = (openid: string) => ({ channel: 'wechat' as const, openid });
const wrote = new Date('2026-11-28T10:00:00Z');
const later = (h: number) => new Date(wrote.getTime() + h * 3600_000);

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'kf_window' });
  store = cachedResidentStore({ redis: t.rt.redis, models: t.rt.models, writeBackMs: 0 });
  windows = redisKfWindows(t.rt.redis, 0);
});
afterAll(() => t?.close());

describe('reserve', () => {
  it('a resident not in the cache: not-cached (MongoDB decides), and nothing is written', async () => {
    expect(await windows.reserve(ref('oStranger'), wrote)).toBe('not-cached');
    expect(await windows.refund(ref('oStranger'))).toBe(false);
    expect(await windows.read([ref('oStranger')])).toEqual([undefined]);
    expect(await t.rt.redis.exists('linli:resident:wechat:oStranger')).toBe(0);
  });

  it('five messages within 48 hours of the last inbound, then spent; a new inbound opens a fresh budget', async () => {
    await store.touch('wechat', text('oBudget'), wrote);
    const results = await Promise.all(Array.from({ length: 8 }, () => windows.reserve(ref('oBudget'), later(1))));
    expect(results.filter((r) => r === 'reserved')).toHaveLength(5);
    expect(results.filter((r) => r === 'spent')).toHaveLength(3);
    expect(await windows.read([ref('oBudget'), ref('oStranger')])).toEqual([{ lastInboundAt: wrote, kfSentSinceInbound: 5 }, undefined]);
    expect(await windows.refund(ref('oBudget'))).toBe(true);
    expect(await windows.reserve(ref('oBudget'), later(2))).toBe('reserved');
    await store.touch('wechat', text('oBudget'), later(3));
    expect(await windows.reserve(ref('oBudget'), later(4))).toBe('reserved');
    expect((await windows.read([ref('oBudget')]))[0]).toEqual({ lastInboundAt: later(3), kfSentSinceInbound: 1 });
  });

  it('closed 48 hours after the last inbound', async () => {
    await store.touch('wechat', text('oQuiet'), wrote);
    expect(await windows.reserve(ref('oQuiet'), later(47.9))).toBe('reserved');
    expect(await windows.reserve(ref('oQuiet'), later(48))).toBe('closed');
  });

  it('45047 (WeChat counts the budget spent): none left until the resident writes; the count reaches MongoDB', async () => {
    await store.touch('wechat', text('oSpent'), wrote);
    expect(await windows.spendAll(ref('oSpent'))).toBe(true);
    expect(await windows.reserve(ref('oSpent'), later(1))).toBe('spent');
    await drainResidentChanges({ redis: t.rt.redis, models: t.rt.models, writeBackMs: 0 });
    expect(await t.rt.models.Resident.findById(residentIdFor('wechat', 'oSpent')).lean()).toMatchObject({ lastInboundAt: wrote, kfSentSinceInbound: 5 });
  });
});
