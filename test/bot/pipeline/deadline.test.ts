/**
 * The reply deadline (§5): when the flow step is slower than WECHAT_REPLY_DEADLINE_MS the
 * webhook answers `success` at once, and the reply goes out later, once, through the
 * customer-service API — here the mock WeChat API, called by the real late-reply Worker running
 * in-process. The slow step is the webhook's `onHandled` hook held at a gate inside the real
 * pipeline: the test decides when it ends, so "slower than the deadline" never depends on timing.
 */
import { request as httpRequest } from 'node:http';
import type Koa from 'koa';
import type { Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../bot/app.js';
import { webhookRouter } from '../../../bot/pipeline/index.js';
import { lateReplyJobId } from '../../../bot/pipeline/dedup.js';
import { lateReplyWorker } from '../../../bot/workers/late-reply.js';
import { startMockWechatApi, type MockCall, type MockWechatApi } from '../../../scripts/mock-wechat-api.js';
import { queryString } from '../../../scripts/chat/wechat-request.js';
import { createTestRuntime, serveApp, type TestRuntime } from '../../support/runtime.js';
import { WECOM_TEST_ENV, wechatClient, type WechatTestClient } from '../../support/wechat-client.js';
import { gate, waitFor, type Gate } from '../../support/wait-for.js';

/**
 * The reply deadline here. A fast step must beat it on a loaded machine: the first push of the
 * file took at most 357 ms in 10 runs with two busy loops on the 2 cores (200 ms, the old value,
 * was missed in 5 of them). Every slow test waits for it once.
 */
const DEADLINE_MS = 1000;
/**
 * How long after the deadline the `success` may come: it first parks the message and queues
 * the rescue job (two Redis writes). At most 185 ms in the same 10 loaded runs.
 */
const LATE_ANSWER_MARGIN_MS = 600;

/** Flow steps held per openid: the step waits at its gate until the test opens it. */
const held = new Map<string, Gate>();
/** Handler runs per dedup key, and the dedup key of each openid's latest message. */
const runs = new Map<string, number>();
const keyOf = new Map<string, string>();

let mock: MockWechatApi;
let t: TestRuntime;
let http: { url: string; close(): Promise<void> };
let worker: Worker;
let wx: WechatTestClient;

beforeAll(async () => {
  mock = await startMockWechatApi({
    appId: 'wx0123456789abcdef',
    appSecret: 'test-app-secret-0123456789',
    corpId: WECOM_TEST_ENV.WECOM_CORP_ID,
    corpSecret: WECOM_TEST_ENV.WECOM_SECRET,
  });
  t = await createTestRuntime({
    dbPrefix: 'pipeline_deadline',
    env: { ...WECOM_TEST_ENV, WECHAT_API_BASE: mock.url, WECOM_API_BASE: mock.url, WECHAT_REPLY_DEADLINE_MS: String(DEADLINE_MS) },
  });
  const app = createApp(t.rt, [
    (koa, rt) => {
      const router = webhookRouter(rt, {
        onHandled: (inbound) => {
          runs.set(inbound.dedupKey, (runs.get(inbound.dedupKey) ?? 0) + 1);
          keyOf.set(inbound.fromUser, inbound.dedupKey);
          return held.get(inbound.fromUser)?.pass();
        },
      });
      koa.use(router.routes() as Koa.Middleware).use(router.allowedMethods() as Koa.Middleware);
    },
  ]);
  http = await serveApp(app);
  worker = lateReplyWorker(t.rt);
  wx = wechatClient(http.url, t.config);
  // A first push (cold code paths, the place directory's first load, a new resident created in
  // FerretDB) can take longer than the 200 ms deadline on a busy machine; the fast-step test below
  // is about a step, not about warming up.
  await wx.push({ type: 'text', content: 'hi' }, { openid: 'oFast' });
});

afterAll(async () => {
  await worker?.close();
  await http?.close();
  await t?.close();
  await mock?.close();
});

beforeEach(() => mock.clearFaults());
afterEach(() => {
  for (const g of held.values()) g.open(); // never leave a run hanging
  held.clear();
});

/** Hold the flow step of `openid`'s messages until the test opens (or fails) the gate. */
function hold(openid: string): Gate {
  const g = gate();
  held.set(openid, g);
  return g;
}

/** Sends to one recipient (OA custom_send or WeCom message/send). */
function sendsTo(openid: string): MockCall[] {
  return mock
    .calls()
    .filter((c) => (c.endpoint === 'custom_send' || c.endpoint === 'wecom_send') && (c.body as { touser?: string } | undefined)?.touser === openid);
}

const waitForSends = (openid: string, n: number) => waitFor(`${n} sends to ${openid}`, () => sendsTo(openid).length >= n && sendsTo(openid));

/** The late-reply job's state, then its record (read in that order, so a finished job's record is final). */
async function jobState(dedupKey: string) {
  const state = await t.rt.queues.lateReply.getJobState(lateReplyJobId(dedupKey));
  const job = await t.rt.queues.lateReply.getJob(lateReplyJobId(dedupKey));
  return job ? { state, attemptsMade: job.attemptsMade } : undefined;
}

/** The late-reply job of `dedupKey` once it is in `state` (completed, failed). */
const jobBecomes = (dedupKey: string, state: string) =>
  waitFor(`the late reply of ${dedupKey} to be ${state}`, async () => {
    const job = await jobState(dedupKey);
    return job?.state === state && job;
  });

const record = async (dedupKey: string) => JSON.parse((await t.rt.redis.get(`wx:inbound:${dedupKey}`)) ?? 'null') as Record<string, unknown> | null;

describe('within the deadline', () => {
  it('a fast step answers passively and enqueues nothing', async () => {
    const msg = wx.build({ type: 'text', content: '1' }, { openid: 'oFast' });
    const res = await wx.send('plain', msg);
    expect(res.reply).toMatchObject({ kind: 'reply', text: expect.stringContaining('健康上报') });
    expect(await jobState(`msg:oFast:${msg.meta.msgId}`)).toBeUndefined();
  });
});

describe('past the deadline', () => {
  it('answers `success` at the deadline while the step runs, sends the reply once through custom_send; retries during and after answer `success` and send nothing more', async () => {
    const openid = 'oSlow';
    const step = hold(openid);
    const msg = wx.build({ type: 'text', content: 'English' }, { openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    const res = await wx.send('plain', msg); // the step is held: only the deadline can answer
    expect(res.body).toBe('success');
    expect(res.reply).toEqual({ kind: 'late' });
    expect(res.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 20); // timers may fire a millisecond early
    expect(res.ms).toBeLessThan(DEADLINE_MS + LATE_ANSWER_MARGIN_MS);
    const during = await wx.send('plain', msg); // the first run still holds the message
    expect(during.body).toBe('success');
    expect(sendsTo(openid)).toHaveLength(0);

    step.open();
    const [sent] = await waitForSends(openid, 1);
    expect(sent!.errcode).toBe(0);
    expect(sent!.body).toMatchObject({ touser: openid, msgtype: 'text', text: { content: expect.stringContaining('Switched to English.') } });
    expect(await jobBecomes(key, 'completed')).toMatchObject({ attemptsMade: 1 });

    const after = await wx.send('plain', msg);
    expect(after.body).toBe('success');
    expect(runs.get(key)).toBe(1);
    expect(sendsTo(openid)).toHaveLength(1);
    expect(await jobState(key)).toMatchObject({ state: 'completed', attemptsMade: 1 });
    expect(await record(key)).toMatchObject({ state: 'done', via: 'late', delivery: { state: 'sent' } });
  });

  it('safe mode and WeCom answer bare `success` too, and the WeCom reply goes out through message/send', async () => {
    const steps = [hold('oSlowSafe'), hold('SlowMember')];
    const oa = await wx.push({ type: 'text', content: '2' }, { openid: 'oSlowSafe', mode: 'safe' });
    expect(oa.body).toBe('success');
    const wc = await wx.push({ type: 'click', key: 'VOLUNTEER' }, { openid: 'SlowMember', mode: 'wecom' });
    expect(wc.body).toBe('success');
    for (const s of steps) s.open();
    const [oaSent] = await waitForSends('oSlowSafe', 1);
    expect(oaSent!.body).toMatchObject({ text: { content: expect.stringContaining('物资求助') } });
    const [wcSent] = await waitForSends('SlowMember', 1);
    expect(wcSent!.endpoint).toBe('wecom_send');
    expect(wcSent!.body).toMatchObject({ msgtype: 'text', agentid: 1000002, text: { content: expect.stringContaining('志愿者报名') } });
  });

  it('a step that fails after the deadline is not silently lost: the resident gets one apology asking to resend', async () => {
    const openid = 'oSlowFail';
    const step = hold(openid);
    const msg = wx.build({ type: 'text', content: '1' }, { openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    const res = await wx.send('plain', msg);
    expect(res.body).toBe('success');
    step.fail(new Error('step failed')); // a database outage mid-handler, say
    const [sent] = await waitForSends(openid, 1);
    expect(sent!.body).toMatchObject({ touser: openid, text: { content: expect.stringContaining('请再发送一次') } });
    await jobBecomes(key, 'completed');
    const retry = await wx.send('plain', msg); // WeChat would not retry after `success`; if it did, nothing more is sent
    expect(retry.body).toBe('success');
    expect(runs.get(key)).toBe(1);
    expect(sendsTo(openid)).toHaveLength(1);
  });

  it('a slow step with no reply (unsubscribe) answers `success` and sends nothing', async () => {
    const openid = 'oSlowLeaver';
    const step = hold(openid);
    const res = await wx.push({ type: 'unsubscribe' }, { openid });
    expect(res.body).toBe('success');
    await step.reached;
    const key = keyOf.get(openid)!;
    step.open();
    const done = await waitFor('the run to record its outcome', async () => {
      const r = await record(key);
      return r?.state === 'done' && r;
    });
    expect(done).toMatchObject({ via: 'late', reply: null });
    expect(await jobState(key)).toBeUndefined(); // no late reply queued, so nothing can be sent
    expect(sendsTo(openid)).toHaveLength(0);
    expect((await t.rt.models.Resident.findOne({ openid }).lean())?.subscribed).toBe(false);
  });
});

describe('the deadline counts from the arrival of the request', () => {
  it('a push that queued past the deadline before its handler ran (a slow body) answers `success` at once; the reply goes out once, late', async () => {
    const openid = 'oQueued';
    const msg = wx.build({ type: 'text', content: '2' }, { openid });
    // Headers now, the body only after the whole deadline has passed: the handler itself is fast.
    const answer = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${http.url}/wechat${queryString(msg.query)}`,
        { method: 'POST', headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(msg.body) } },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        },
      );
      req.on('error', reject);
      req.flushHeaders();
      setTimeout(() => req.end(msg.body), DEADLINE_MS + 100);
    });
    expect(answer).toEqual({ status: 200, body: 'success' });
    const [sent] = await waitForSends(openid, 1);
    expect(sent!.body).toMatchObject({ touser: openid, text: { content: expect.stringContaining('物资求助') } });
    expect((await wx.send('plain', msg)).body).toBe('success'); // WeChat's retry, had it missed the answer
    await jobBecomes(`msg:${openid}:${msg.meta.msgId}`, 'completed'); // the one late-reply job has finished
    expect(sendsTo(openid)).toHaveLength(1);
  });
});

describe('the late-reply job', () => {
  it('a transient fault (-1 system busy) on custom_send is retried and the reply is sent once', async () => {
    const openid = 'oBusyOnce';
    mock.setFault('custom_send', { errcode: -1, times: 1, openids: [openid] });
    const step = hold(openid);
    const msg = wx.build({ type: 'text', content: '3' }, { openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    expect((await wx.send('plain', msg)).body).toBe('success');
    step.open();
    expect(await jobBecomes(key, 'completed')).toMatchObject({ attemptsMade: 2 }); // BullMQ backoff: 2 s
    expect(sendsTo(openid).map((c) => c.errcode)).toEqual([-1, 0]);
  });

  it('45015 (window closed / unfollowed) is not retried: one call, the job fails at once', async () => {
    const openid = 'oWindowClosed';
    mock.setFault('custom_send', { errcode: 45015, openids: [openid] });
    const step = hold(openid);
    const msg = wx.build({ type: 'text', content: '4' }, { openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    expect((await wx.send('plain', msg)).body).toBe('success');
    step.open();
    // Failed, not delayed for a retry.
    expect(await jobBecomes(key, 'failed')).toMatchObject({ attemptsMade: 1 });
    expect(sendsTo(openid).map((c) => c.errcode)).toEqual([45015]);
  });
});
