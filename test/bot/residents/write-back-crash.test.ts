/**
 * A server that dies right after answering loses none of the resident changes it acknowledged:
 * they are in Redis before the reply goes out, and a worker started afterwards writes them to
 * MongoDB. Real processes: `npm run serve` and `npm run worker` as children, the server SIGKILLed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingResidents } from '../../../bot/residents/write-back.js';
import { residentIdFor } from '../../../models/resident.js';
import { startChild, type ProcessChild } from '../../support/child.js';
import { createTestRuntime, TEST_ENV, type TestRuntime } from '../../support/runtime.js';
import { wechatClient } from '../../support/wechat-client.js';

let t: TestRuntime;
let server: ProcessChild | undefined;
let worker: ProcessChild | undefined;
let env: Record<string, string>;
const openids = ['oCrash0', 'oCrash1', 'oCrash2', 'oCrash3'];

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'write_back_crash' });
  env = { ...TEST_ENV, LOG_LEVEL: 'info', REDIS_URL: t.config.REDIS_URL, MONGODB_URI: t.config.MONGODB_URI, PORT: '0' };
}, 60_000);

afterAll(async () => {
  server?.kill();
  await worker?.stop();
  await t?.close();
});

const stored = (openid: string) => t.rt.models.Resident.findById(residentIdFor('wechat', openid)).lean();

describe('a server SIGKILLed after acknowledging messages', () => {
  it('loses none of their write-backs: a worker started afterwards writes every one to MongoDB', async () => {
    server = await startChild('bot/serve.ts', env, (out) => out.includes('"msg":"listening"'));
    const url = /"url":"(http:[^"]+)"/.exec(server.output())![1]!;
    const wx = wechatClient(url, t.config);
    for (const openid of openids) expect((await wx.push({ type: 'subscribe' }, { openid })).status).toBe(200);
    const firstContact = await Promise.all(openids.map(async (o) => (await stored(o))!.lastInboundAt!.getTime()));

    const sentAt = Date.now();
    const english = await wx.push({ type: 'text', content: 'English' }, { openid: 'oCrash0' });
    expect(english.reply).toMatchObject({ kind: 'reply', text: expect.stringContaining('Switched to English.') });
    for (const openid of openids.slice(1)) expect((await wx.push({ type: 'text', content: '1' }, { openid })).reply).toMatchObject({ kind: 'reply' });
    expect((await wx.push({ type: 'click', key: 'SUPPLIES' }, { openid: 'oCrash0' })).reply).toMatchObject({ text: expect.stringContaining('Supplies') });
    expect((await wx.push({ type: 'unsubscribe' }, { openid: 'oCrash1' })).status).toBe(200);
    // The language is written through; the windows and the unsubscribe are not in MongoDB yet (no worker runs).
    expect((await stored('oCrash0'))?.language).toBe('en');
    expect((await stored('oCrash1'))?.subscribed).toBe(true);
    expect(await Promise.all(openids.map(async (o) => (await stored(o))!.lastInboundAt!.getTime()))).toEqual(firstContact);
    expect(await pendingResidents(t.rt.redis)).toBe(openids.length);

    server.kill();
    await new Promise<void>((resolve) =>
      server!.child.exitCode !== null || server!.child.signalCode !== null ? resolve() : server!.child.once('exit', () => resolve()),
    );

    worker = await startChild('bot/worker.ts', env, (out) => out.includes('workers running'));
    const until = Date.now() + 20_000;
    while ((await pendingResidents(t.rt.redis)) > 0) {
      if (Date.now() > until) throw new Error('the worker never wrote the pending changes back');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await stored('oCrash0')).toMatchObject({ language: 'en', subscribed: true, kfSentSinceInbound: 0 });
    expect(await stored('oCrash1')).toMatchObject({ subscribed: false, unsubscribedAt: expect.any(Date) });
    for (const openid of openids) expect((await stored(openid))!.lastInboundAt!.getTime()).toBeGreaterThanOrEqual(sentAt);
  }, 90_000);
});
