/**
 * rescueInbound's decisions against the real Redis inbound store: what it does for each state a
 * message can be in when the rescue job looks (the end-to-end run with a killed server is in
 * test/bot/pipeline/rescue.test.ts).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redisInboundStore, type InboundStore } from '../../../bot/pipeline/dedup-store.js';
import { rescueInbound, type RescueDeps } from '../../../handlers/inbound/rescue.js';
import type { InboundMessage } from '../../../bot/wechat/inbound.js';
import type { OutboundReply } from '../../../bot/wechat/reply.js';
import type { LocalRedis } from '../../../scripts/services/redis.js';
import { startRedis } from '../../support/services.js';

let server: LocalRedis;
let redis: Redis;
let store: InboundStore;
let conversed: string[];
let queued: string[];

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  store = redisInboundStore(redis);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});
beforeEach(() => {
  conversed = [];
  queued = [];
});

const inbound = (fromUser: string): InboundMessage => ({
  type: 'text',
  content: '1',
  toUser: 'gh_x',
  fromUser,
  createTime: 1,
  msgId: '7',
  dedupKey: `msg:${fromUser}:7`,
});
const text = (content: string): OutboundReply => ({ type: 'text', content });

function deps(o: Partial<RescueDeps> = {}): RescueDeps {
  return {
    store,
    owner: 'rescuer',
    renewEveryMs: 1000,
    converse: async (p) => {
      conversed.push(p.inbound.fromUser);
      return text(`reply to ${p.inbound.type === 'text' ? p.inbound.content : p.inbound.type}`);
    },
    apology: async () => text('please send again'),
    enqueueLateReply: async (key) => void queued.push(key),
    ...o,
  };
}

async function parked(openid: string): Promise<string> {
  const m = inbound(openid);
  await store.park(m.dedupKey, { channel: 'wechat', inbound: m, receivedAt: '2026-11-28T10:00:00.000Z' });
  return m.dedupKey;
}

describe('rescueInbound', () => {
  it('an outcome already recorded: nothing runs, nothing is queued', async () => {
    const key = await parked('oDone');
    await store.complete(key, { state: 'done', via: 'late', reply: text('x'), channel: 'wechat', openid: 'oDone' });
    expect(await rescueInbound(deps(), key)).toBe('finished');
    expect([conversed, queued]).toEqual([[], []]);
  });

  it('a live claim: still running, nothing runs', async () => {
    const key = await parked('oLive');
    expect(await store.claim(key, 'webhook-run')).toBe(true);
    expect(await rescueInbound(deps(), key)).toBe('still-running');
    expect(conversed).toEqual([]);
  });

  it('no claim and no outcome: runs the parked message once, records the late reply, queues its sender', async () => {
    const key = await parked('oDead');
    expect(await rescueInbound(deps(), key)).toBe('rescued');
    expect(conversed).toEqual(['oDead']);
    expect(queued).toEqual([key]);
    expect(await store.get(key)).toEqual({ state: 'done', via: 'late', reply: text('reply to 1'), channel: 'wechat', openid: 'oDead' });
    expect(await rescueInbound(deps(), key)).toBe('finished'); // a second look changes nothing
    expect(conversed).toEqual(['oDead']);
  });

  it('a step with no reply (an event) records the outcome and queues nothing', async () => {
    const key = await parked('oQuiet');
    expect(await rescueInbound(deps({ converse: async () => null }), key)).toBe('rescued');
    expect(queued).toEqual([]);
    expect(await store.get(key)).toMatchObject({ state: 'done', via: 'late', reply: null });
  });

  it('a step that fails answers with the apology, as the webhook does after its deadline', async () => {
    const key = await parked('oFails');
    const result = await rescueInbound(deps({ converse: async () => Promise.reject(new Error('flow step failed')) }), key);
    expect(result).toBe('rescued');
    expect(await store.get(key)).toMatchObject({ state: 'done', reply: text('please send again') });
    expect(queued).toEqual([key]);
  });

  it('when not even the apology can be made it releases its claim and throws, so the job retries', async () => {
    const key = await parked('oDown');
    const down = deps({ converse: async () => Promise.reject(new Error('db down')), apology: async () => Promise.reject(new Error('db down')) });
    await expect(rescueInbound(down, key)).rejects.toThrow('db down');
    expect(await store.get(key)).toBeUndefined();
    expect(await rescueInbound(deps(), key)).toBe('rescued');
  });

  it('nothing parked (expired, or never handed over): nothing to run', async () => {
    expect(await rescueInbound(deps(), 'msg:oNobody:1')).toBe('nothing-parked');
    expect(conversed).toEqual([]);
  });
});
