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
import { lateReplyJobId, rescueJobId } from '../../../bot/pipeline/dedup.js';
import { lateReplyWorker } from '../../../bot/workers/late-reply.js';
import { inboundRescueWorker } from '../../../bot/workers/inbound-rescue.js';
import { startMockWechatApi, type MockCall, type MockWechatApi } from '../../../scripts/mock-wechat-api.js';
import { createTestRuntime, serveApp, TEST_ENV, type TestRuntime } from '../../support/runtime.js';
import { startChild, type ProcessChild } from '../../support/child.js';
import { wechatClient, type WechatTestClient } from '../../support/wechat-client.js';
import { gate, START_MS, waitFor } from '../../support/wait-for.js';

const DEADLINE_MS = 300;
/** The in-process server's flow step for `oSlowAlive` waits here until the test opens it. */
const slowStep = gate();

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
        onHandled: (inbound) => (inbound.fromUser === 'oSlowAlive' ? slowStep.pass() : undefined),
      });
      koa.use(router.routes() as Koa.Middleware).use(router.allowedMethods() as Koa.Middleware);
    },
  ]);
  local = await serveApp(app);
  toLocal = wechatClient(local.url, t.config);
  workers = [lateReplyWorker(t.rt), inboundRescueWorker(t.rt)];
}, 60_000);

afterAll(async () => {
  slowStep.open();
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

const sendsTo = (openid: string): MockCall[] => mock.calls().filter((c) => c.endpoint === 'custom_send' && (c.body as { touser?: string }).touser === openid);
const waitForSends = (openid: string, n: number) => waitFor(`${n} sends to ${openid}`, () => sendsTo(openid).length >= n && sendsTo(openid));

// A job's state is read before its record, so the record of a finished job is final.
async function rescueJob(dedupKey: string) {
  const state = await t.rt.queues.inboundRescue.getJobState(rescueJobId(dedupKey));
  const job = await t.rt.queues.inboundRescue.getJob(rescueJobId(dedupKey));
  return job ? { state, result: job.returnvalue as unknown, started: job.attemptsStarted } : undefined;
}
async function lateReplyJob(dedupKey: string) {
  const state = await t.rt.queues.lateReply.getJobState(lateReplyJobId(dedupKey));
  const job = await t.rt.queues.lateReply.getJob(lateReplyJobId(dedupKey));
  return job ? { state, attemptsMade: job.attemptsMade } : undefined;
}
const completed = (what: string, read: () => Promise<{ state: string } | undefined>) =>
  waitFor(`${what} to complete`, async () => {
    const job = await read();
    return job?.state === 'completed' && job;
  });

describe('a server that dies after answering `success` at the deadline', () => {
  it(
    'the rescue job runs the message and the resident gets the reply once; a duplicate that waited on the dead run changes nothing',
    async () => {
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
      const [sent] = await waitForSends(openid, 1);
      expect(sent!.errcode).toBe(0);
      expect(sent!.body).toMatchObject({ touser: openid, msgtype: 'text', text: { content: expect.stringContaining('健康上报') } });
      expect(await completed('the rescue job', () => rescueJob(key))).toMatchObject({ result: 'rescued' });
      expect(await completed('the late reply', () => lateReplyJob(key))).toMatchObject({ attemptsMade: 1 });
      expect(sendsTo(openid)).toHaveLength(1);
      expect(JSON.parse((await t.rt.redis.get(`wx:inbound:${key}`))!)).toMatchObject({ state: 'done', via: 'late', delivery: { state: 'sent' } });
      // A late retry after all that answers `success` from the record and queues nothing more.
      expect((await toLocal.send('plain', msg)).body).toBe('success');
      expect(await lateReplyJob(key)).toMatchObject({ state: 'completed', attemptsMade: 1 });
      expect(sendsTo(openid)).toHaveLength(1);
    },
    START_MS + 60_000,
  );
});

describe('a slow run that is alive', () => {
  it('is watched, not run again: the rescue job waits for its outcome and the reply goes out once', async () => {
    const openid = 'oSlowAlive';
    const msg = toLocal.build({ type: 'text', content: 'English' }, { openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    expect((await toLocal.send('plain', msg)).body).toBe('success');
    // The first rescue check (4 s after the deadline) finds the run still going and looks again later.
    await waitFor('the rescue job to look once and wait again', async () => {
      const job = await rescueJob(key);
      return job?.state === 'delayed' && job.started >= 1;
    });
    expect(sendsTo(openid)).toHaveLength(0);
    slowStep.open(); // the run ends and sends its reply itself
    const [sent] = await waitForSends(openid, 1);
    expect(sent!.body).toMatchObject({ text: { content: expect.stringContaining('Switched to English.') } });
    // The job's next look (every 3 s) finds the outcome the run recorded.
    expect(await completed('the rescue job', () => rescueJob(key))).toMatchObject({ result: 'finished' });
    expect(sendsTo(openid)).toHaveLength(1);
  }, 45_000);
});
