/**
 * Bulk messages travel like notices: every send takes its turn on the notices' shared pace
 * (BROADCAST_RATE_PER_S, measured from the mock's call timestamps, notices and bulk messages
 * together), and the channel is chosen from the resident cache's window and the notices' budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { queueBulkMessages } from '../../../bot/outbound/bulk-messages.js';
import { cachedResidentStore } from '../../../bot/residents/cache.js';
import { residentKey } from '../../../bot/residents/keys.js';
import { bulkMessagesWorker } from '../../../bot/workers/bulk-messages.js';
import { noticeDeliverWorker } from '../../../bot/workers/notice-deliver.js';
import { noticeFanoutWorker } from '../../../bot/workers/notice-fanout.js';
import { residentIdFor } from '../../../models/resident.js';
import { textFrom } from '../../support/inbound.js';
import {
  broadcastEnv,
  openids,
  releasedNotice,
  seedResidents,
  sendCalls,
  settled,
  successfulSends,
  waitFor,
  type BroadcastEnv,
} from '../../handlers/broadcast/helpers.js';

const RATE = 20;
const N = 60;
const message = { title: { key: 'supplies:title' }, text: { key: 'supplies:still_needed_yes', params: { ticket: 'S-1' } } };
const id = (openid: string) => String(residentIdFor('wechat', openid));

describe('the pace', () => {
  let env: BroadcastEnv;
  const workers: Worker[] = [];
  const bulkTo = openids('oPaceB', N);
  const noticeTo = openids('oPaceN', N);

  beforeAll(async () => {
    env = await broadcastEnv('bulk_pace', { env: { BROADCAST_RATE_PER_S: String(RATE), WORKER_CONCURRENCY: '8', BROADCAST_BATCH_SIZE: '20' } });
    await seedResidents(env.rt.models, [...bulkTo.map((openid) => ({ openid, building: 'b1' })), ...noticeTo.map((openid) => ({ openid, building: 'b2' }))]);
    workers.push(bulkMessagesWorker(env.rt), noticeFanoutWorker(env.rt), noticeDeliverWorker(env.rt));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await env?.close();
  });

  it(`a bulk message and a notice sent together stay within ${RATE} sends a second, counted together`, async () => {
    const bulk = queueBulkMessages(env.rt.redis, env.rt.queues.bulkMessages);
    const [noticeId] = await Promise.all([
      releasedNotice(env.rt, { title: 'pace', targets: { buildings: [{ community: 'c1', building: 'b2' }] } }),
      bulk.send({ kind: 'test', ref: 'pace', ...message, residentIds: bulkTo.map(id) }),
    ]);
    await settled(env.rt, noticeId, N, 30_000);
    await waitFor('every bulk send', async () => bulkTo.every((o) => successfulSends(env.mock.calls()).has(o)), 30_000, 100);
    const times = sendCalls(env.mock.calls())
      .map((c) => c.time)
      .sort((a, b) => a - b);
    expect(times).toHaveLength(2 * N);
    const spanS = (times.at(-1)! - times[0]!) / 1000;
    const overall = (times.length - 1) / spanS;
    let busiest = 0;
    for (let i = 0, j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! >= 1000) i++;
      busiest = Math.max(busiest, j - i + 1);
    }
    console.log(`bulk + notice at ${RATE}/s: ${times.length} sends over ${spanS.toFixed(1)} s = ${overall.toFixed(1)}/s, busiest second ${busiest}`);
    // Before, a bulk job (up to 100 sends) was what the limiter counted: its 60 sends left within ms.
    expect(overall).toBeLessThanOrEqual(RATE * 1.1);
    expect(overall).toBeGreaterThan(RATE * 0.7);
    expect(busiest).toBeLessThanOrEqual(RATE * 1.5);
  }, 40_000);
});

describe('the channel', () => {
  let env: BroadcastEnv;
  let worker: Worker;

  beforeAll(async () => {
    env = await broadcastEnv('bulk_channel');
    // MongoDB knows no recent message from either: their windows there are closed.
    await seedResidents(env.rt.models, [{ openid: 'oJustWrote' }, { openid: 'oSpent' }]);
    // Both wrote a moment ago: only the webhook's resident cache knows (the write-back is a minute away).
    const store = cachedResidentStore({ redis: env.rt.redis, models: env.rt.models, writeBackMs: 60_000 });
    for (const o of ['oJustWrote', 'oSpent']) await store.touch('wechat', textFrom(o), env.rt.clock.now());
    await env.rt.redis.hset(residentKey('wechat', 'oSpent'), 'kf', '5'); // its five replies sent already
    worker = bulkMessagesWorker(env.rt);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.close();
  });

  it("follows the cache's window and spends the cache's budget, the one notices use", async () => {
    const bulk = queueBulkMessages(env.rt.redis, env.rt.queues.bulkMessages);
    await bulk.send({ kind: 'test', ref: 'window', ...message, residentIds: [id('oJustWrote'), id('oSpent')] });
    await waitFor('both sends', async () => successfulSends(env.mock.calls()).size === 2, 10_000, 50);
    const sent = successfulSends(env.mock.calls());
    expect(sent.get('oJustWrote')!.map((c) => c.endpoint)).toEqual(['custom_send']);
    expect(sent.get('oSpent')!.map((c) => c.endpoint)).toEqual(['template_send']);
    expect(await env.rt.redis.hget(residentKey('wechat', 'oJustWrote'), 'kf')).toBe('1');
  });
});

describe('concurrent sends of one message', () => {
  let env: BroadcastEnv;
  let worker: Worker;
  const people = openids('oConc', 50);

  beforeAll(async () => {
    env = await broadcastEnv('bulk_concurrent');
    await seedResidents(
      env.rt.models,
      people.map((openid) => ({ openid })),
    );
    worker = bulkMessagesWorker(env.rt);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.close();
  });

  it('ten sends at once with different recipients (and some shared) reach everyone exactly once', async () => {
    const bulk = queueBulkMessages(env.rt.redis, env.rt.queues.bulkMessages);
    // Send k: its own five, plus the first of the next send's (an overlap every send races for).
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, k) =>
        bulk.send({ kind: 'test', ref: 'race', ...message, residentIds: [...people.slice(5 * k, 5 * k + 5), people[(5 * k + 5) % 50]!].map(id) }),
      ),
    );
    expect(results.reduce((n, r) => n + r.queued, 0)).toBe(50);
    await waitFor('everyone', async () => successfulSends(env.mock.calls()).size === 50, 15_000, 50);
    await waitFor('the queue drained', async () => (await env.rt.queues.bulkMessages.count()) === 0, 10_000, 50);
    const sent = successfulSends(env.mock.calls());
    expect(people.filter((o) => sent.get(o)?.length !== 1)).toEqual([]);
  });
});
