/**
 * No reply is lost (§5): once a webhook answered `success` at the deadline WeChat never sends
 * that message again, so a server that dies before its run finishes would take the message
 * with it. The message is parked for the `inbound-rescue` job first; here a real server child
 * process is SIGKILLed mid-run and the job — the real Worker, in-process — answers the
 * resident through the (mock) customer-service API, once.
 */
import type Koa from 'koa';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../bot/app.js';
import { webhookRouter } from '../../../bot/pipeline/index.js';
import { rescueJobId } from '../../../bot/pipeline/dedup.js';
import { lateReplyWorker } from '../../../bot/workers/late-reply.js';
import { inboundRescueWorker } from '../../../bot/workers/inbound-rescue.js';
import { startMockWechatApi, type MockCall, type MockWechatApi } from '../../../scripts/mock-wechat-api.js';
import { createTestRuntime, serveApp, TEST_ENV, type TestRuntime } from '../../support/runtime.js';
import { startChild, type ProcessChild } from '../../support/child.js';
import { wechatClient, type WechatTestClient } from '../../support/wechat-client.js';

const DEADLINE_MS = 300;
/** The in-process server's flow step takes this long for residents whose openid starts with `oSlow`. */
const SLOW_MS = 7000;

let mock: MockWechatApi;
let t: TestRuntime;
let local: { url: string; close(): Promise<void> };
let workers: Worker[] = [];
let owner: ProcessChild | undefined;
let toOwner: WechatTestClient;
let toLocal: WechatTestClient;
let env: Record<string, string>;

beforeAll(async () => {
  mock = await startMockWechatApi({ appId: TEST_ENV.WECHAT_APP_ID, appSecret: TEST_ENV.WECHAT_APP_SECRET });
  env = { WECHAT_API_BASE: mock.url, WECHAT_REPLY_DEADLINE_MS: String(DEADLINE_MS) };
  t = await createTestRuntime({ dbPrefix: 'pipeline_rescue', env });
  const app = createApp(t.rt, [
    (koa, rt) => {
      const router = webhookRouter(rt, {
        onHandled: (inbound) => (inbound.fromUser.startsWith('oSlow') ? new Promise<void>((r) => setTimeout(r, SLOW_MS)) : undefined),
      });
      koa.use(router.routes() as Koa.Middleware).use(router.allowedMethods() as Koa.Middleware);
    },
  ]);
  local = await serveApp(app);
  toLocal = wechatClient(local.url, t.config);
  workers = [lateReplyWorker(t.rt), inboundRescueWorker(t.rt)];
}, 60_000);

afterAll(async () => {
  owner?.kill();
  await Promise.all(workers.map((w) => w.close()));
  await local?.close();
  await t?.close();
  await mock?.close();
});

/** A webhook server in its own process on the same Redis and database (see hanging-webhook.ts). */
async function startOwner(): Promise<WechatTestClient> {
  owner = await startChild(
    'test/support/hanging-webhook.ts',
    { ...TEST_ENV, ...env, REDIS_URL: t.config.REDIS_URL, MONGODB_URI: t.config.MONGODB_URI },
    (out) => out.includes('listening '),
  );
  const url = /listening (\S+)/.exec(owner.output())![1]!;
  toOwner = wechatClient(url, t.config);
  return toOwner;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sendsTo = (openid: string): MockCall[] => mock.calls().filter((c) => c.endpoint === 'custom_send' && (c.body as { touser?: string }).touser === openid);

async function waitForSends(openid: string, n: number, timeoutMs: number): Promise<MockCall[]> {
  const until = Date.now() + timeoutMs;
  while (sendsTo(openid).length < n) {
    if (Date.now() > until) throw new Error(`expected ${n} sends to ${openid}, saw ${sendsTo(openid).length}`);
    await sleep(50);
  }
  return sendsTo(openid);
}

async function rescueJob(dedupKey: string) {
  const job = await t.rt.queues.inboundRescue.getJob(rescueJobId(dedupKey));
  return job ? { state: await job.getState(), result: job.returnvalue as unknown, started: job.attemptsStarted } : undefined;
}

describe('a server that dies after answering `success` at the deadline', () => {
  it('the rescue job runs the message and the resident gets the reply once; a duplicate that waited on the dead run changes nothing', async () => {
    const wx = await startOwner();
    const openid = 'oHangA';
    const msg = wx.build({ type: 'text', content: '1' }, { openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    const first = await wx.send('plain', msg);
    expect(first.body).toBe('success');
    // WeChat's retry, to another server, while the owner is alive and renewing its claim:
    // it waits for the run, then answers `success` at its own deadline.
    const dup = await toLocal.send('plain', msg);
    expect(dup.body).toBe('success');
    expect(JSON.parse((await t.rt.redis.get(`wx:inbound:${key}`))!)).toMatchObject({ state: 'running' });
    expect(sendsTo(openid)).toHaveLength(0);

    owner!.kill(); // the server dies with the run unfinished and nothing recorded
    const [sent] = await waitForSends(openid, 1, 20_000);
    expect(sent!.errcode).toBe(0);
    expect(sent!.body).toMatchObject({ touser: openid, msgtype: 'text', text: { content: expect.stringContaining('健康上报') } });
    await sleep(1000);
    expect(sendsTo(openid)).toHaveLength(1);
    expect(await rescueJob(key)).toMatchObject({ state: 'completed', result: 'rescued' });
    expect(JSON.parse((await t.rt.redis.get(`wx:inbound:${key}`))!)).toMatchObject({ state: 'done', via: 'late', delivery: { state: 'sent' } });
    // A late retry after all that answers `success` and sends nothing more.
    expect((await toLocal.send('plain', msg)).body).toBe('success');
    await sleep(300);
    expect(sendsTo(openid)).toHaveLength(1);
  }, 60_000);
});

describe('a slow run that is alive', () => {
  it('is watched, not run again: the rescue job waits for its outcome and the reply goes out once', async () => {
    const openid = 'oSlowAlive';
    const msg = toLocal.build({ type: 'text', content: 'English' }, { openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    expect((await toLocal.send('plain', msg)).body).toBe('success');
    // The first rescue check (4 s after the deadline) finds the run still going and looks again.
    let lookedAgain = false;
    const until = Date.now() + 20_000;
    while (sendsTo(openid).length === 0 && Date.now() < until) {
      const job = await rescueJob(key);
      if (job?.state === 'delayed' && job.started >= 1) lookedAgain = true;
      await sleep(100);
    }
    expect(lookedAgain).toBe(true);
    const [sent] = await waitForSends(openid, 1, 1);
    expect(sent!.body).toMatchObject({ text: { content: expect.stringContaining('Switched to English.') } });
    // The job's next look (every 3 s) finds the outcome the run recorded.
    const until2 = Date.now() + 10_000;
    while ((await rescueJob(key))?.state !== 'completed' && Date.now() < until2) await sleep(100);
    expect(await rescueJob(key)).toMatchObject({ state: 'completed', result: 'finished' });
    expect(sendsTo(openid)).toHaveLength(1);
  }, 45_000);
});
