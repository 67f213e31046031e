/**
 * Operational bulk messages (task prompts, fact-checks for askers, reminders): rendered in each
 * resident's language, customer-service inside the window and template outside, nobody twice
 * when the message is queued again with more recipients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { queueBulkMessages } from '../../../bot/outbound/bulk-messages.js';
import { bulkMessagesWorker } from '../../../bot/workers/bulk-messages.js';
import { residentIdFor } from '../../../models/resident.js';
import { broadcastEnv, seedResidents, waitFor, type BroadcastEnv } from '../../handlers/broadcast/helpers.js';

let env: BroadcastEnv;
let worker: Worker;

beforeAll(async () => {
  env = await broadcastEnv('bulk_messages');
  await seedResidents(env.rt.models, [
    { openid: 'oZh', lastInboundAt: new Date() },
    { openid: 'oEn', lastInboundAt: new Date() },
    { openid: 'oOld' },
    { openid: 'oLater', lastInboundAt: new Date() },
  ]);
  await env.rt.models.Resident.updateOne({ _id: residentIdFor('wechat', 'oEn') }, { $set: { language: 'en' } });
  worker = bulkMessagesWorker(env.rt);
});

afterAll(async () => {
  await worker?.close();
  await env?.close();
});

const id = (openid: string) => String(residentIdFor('wechat', openid));
const sends = () => env.mock.calls().filter((c) => (c.endpoint === 'custom_send' || c.endpoint === 'template_send') && c.errcode === 0);
const to = (openid: string) => sends().filter((c) => (c.body as { touser?: string }).touser === openid);

describe('bulk messages', () => {
  it("reach each resident once, in the resident's language, through the window's channel; re-queued with more recipients only the new ones get it", async () => {
    const bulk = queueBulkMessages(env.rt.redis, env.rt.queues.bulkMessages);
    const message = { kind: 'test', ref: 'r1', title: { key: 'supplies:title' }, text: { key: 'supplies:still_needed_yes', params: { ticket: 'S-1' } } };
    expect(await bulk.send({ ...message, residentIds: [id('oZh'), id('oEn'), id('oOld')] })).toMatchObject({ queued: 3 });
    await waitFor('three sends', async () => sends().length >= 3, 10_000, 50);
    expect(JSON.stringify(to('oZh')[0]!.body)).toContain('优先处理');
    expect(JSON.stringify(to('oEn')[0]!.body)).toContain('moves up the list');
    expect(to('oOld')[0]!.endpoint).toBe('template_send'); // no open window
    expect(await bulk.send({ ...message, residentIds: [id('oZh'), id('oLater')] })).toMatchObject({ queued: 1 });
    await waitFor('the new recipient', async () => to('oLater').length === 1, 10_000, 50);
    await waitFor('the queue drained', async () => (await env.rt.queues.bulkMessages.count()) === 0, 10_000, 50);
    expect(['oZh', 'oEn', 'oOld', 'oLater'].map((o) => to(o).length)).toEqual([1, 1, 1, 1]);
  });
});
