/**
 * WeChat re-sends a push it got no answer for, up to three times, possibly while the first is
 * still running (§5). The handler must run once per message across every server process, and
 * every delivery must get the same answer. Handler runs are counted through the webhook's
 * `onHandled` hook; the pipeline itself runs for real against Redis and FerretDB.
 */
import type Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type Mount } from '../../../bot/app.js';
import { webhookRouter } from '../../../bot/pipeline/index.js';
import { createRuntime, type Runtime } from '../../../bot/runtime.js';
import type { WireMode } from '../../../scripts/chat/wechat-request.js';
import { createTestRuntime, serveApp, type TestRuntime } from '../../support/runtime.js';
import { WECOM_TEST_ENV, wechatClient, withoutCreateTime, type PushAnswer, type WechatTestClient } from '../../support/wechat-client.js';

let t: TestRuntime;
let rt2: Runtime;
const servers: Array<{ close(): Promise<void> }> = [];
/** Handler runs per dedup key, per app instance. */
const runs = { a: new Map<string, number>(), b: new Map<string, number>() };
/** Extra time each handler run takes, so concurrent duplicates really overlap. */
let slowMs = 0;
/** When set, the next handler run throws (a crashed flow step). */
let failNext = false;

function countingMount(counter: Map<string, number>): Mount {
  return (app, rt) => {
    const router = webhookRouter(rt, {
      async onHandled(inbound) {
        counter.set(inbound.dedupKey, (counter.get(inbound.dedupKey) ?? 0) + 1);
        if (slowMs) await new Promise((r) => setTimeout(r, slowMs));
        if (failNext) {
          failNext = false;
          throw new Error('flow step crashed');
        }
      },
    });
    app.use(router.routes() as Koa.Middleware).use(router.allowedMethods() as Koa.Middleware);
  };
}

let a: WechatTestClient;
let b: WechatTestClient;

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'pipeline_once', env: { ...WECOM_TEST_ENV } });
  // A second process's runtime: its own connections to the same Redis and database.
  rt2 = await createRuntime(t.config, { log: t.rt.log });
  const sa = await serveApp(createApp(t.rt, [countingMount(runs.a)]));
  const sb = await serveApp(createApp(rt2, [countingMount(runs.b)]));
  servers.push(sa, sb);
  a = wechatClient(sa.url, t.config);
  b = wechatClient(sb.url, t.config);
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await rt2?.close();
  await t?.close();
});

beforeEach(() => {
  slowMs = 0;
  failNext = false;
});

const totalRuns = (key: string) => (runs.a.get(key) ?? 0) + (runs.b.get(key) ?? 0);

/** The plaintext reply XML of an answer, CreateTime blanked (encrypted ones are decrypted first). */
function replyXml(res: PushAnswer): string {
  expect(res.status).toBe(200);
  if (res.reply?.kind !== 'reply') throw new Error(`expected a passive reply, got ${JSON.stringify(res.body)}`);
  return withoutCreateTime(res.reply.xml);
}

describe.each(['plain', 'safe', 'wecom'] as WireMode[])('one message, three deliveries (%s)', (mode) => {
  it('three concurrent deliveries: the handler runs once, all three get the same reply', async () => {
    slowMs = 300;
    const openid = `oConcurrent-${mode}`;
    const msg = a.build({ type: 'text', content: 'English' }, { mode, openid });
    const answers = await Promise.all([a.send(mode, msg), a.send(mode, msg), a.send(mode, msg)]);
    const key = `msg:${openid}:${msg.meta.msgId}`;
    expect(runs.a.get(key)).toBe(1);
    const xmls = answers.map(replyXml);
    expect(new Set(xmls).size).toBe(1);
    expect(xmls[0]).toContain('Switched to English.');
    if (mode !== 'plain') expect(new Set(answers.map((r) => r.body)).size).toBe(3); // fresh envelopes, same content
    const resident = await t.rt.models.Resident.findOne({ openid }).lean();
    expect(resident?.language).toBe('en');
    expect(await t.rt.redis.exists(`wx:inbound:${key}`)).toBe(1);
  });

  it('three sequential deliveries: the handler runs once, all three get the same reply', async () => {
    const openid = `oSequential-${mode}`;
    const msg = a.build({ type: 'text', content: '2' }, { mode, openid });
    const answers: PushAnswer[] = [];
    for (let i = 0; i < 3; i++) answers.push(await a.send(mode, msg));
    expect(runs.a.get(`msg:${openid}:${msg.meta.msgId}`)).toBe(1);
    const xmls = answers.map(replyXml);
    expect(new Set(xmls).size).toBe(1);
    expect(xmls[0]).toMatch(/物资求助/);
  });
});

describe('across processes', () => {
  it('concurrent retries spread over two app instances (two runtimes, one Redis) run the handler once', async () => {
    slowMs = 300;
    const openid = 'oTwoInstances';
    const msg = a.build({ type: 'text', content: '3' }, { mode: 'safe', openid });
    const answers = await Promise.all([a.send('safe', msg), b.send('safe', msg), b.send('safe', msg)]);
    const key = `msg:${openid}:${msg.meta.msgId}`;
    expect(totalRuns(key)).toBe(1);
    expect(new Set(answers.map(replyXml)).size).toBe(1);
  });

  it('a sequential retry to the other instance answers the recorded reply without running again', async () => {
    const openid = 'oTwoInstancesSeq';
    const msg = a.build({ type: 'text', content: '4' }, { openid });
    const first = await a.send('plain', msg);
    const retry = await b.send('plain', msg);
    const key = `msg:${openid}:${msg.meta.msgId}`;
    expect(runs.a.get(key)).toBe(1);
    expect(runs.b.get(key)).toBeUndefined();
    expect(replyXml(retry)).toBe(replyXml(first));
  });
});

describe('events and failures', () => {
  it('an event (no MsgId) is deduplicated on sender + CreateTime: three subscribes, one welcome run', async () => {
    const openid = 'oSubscribeTwice';
    const createTime = Math.floor(Date.now() / 1000);
    const ev = a.build({ type: 'subscribe' }, { openid, createTime });
    const answers = await Promise.all([a.send('plain', ev), b.send('plain', ev), a.send('plain', ev)]);
    expect(totalRuns(`evt:${openid}:${createTime}:subscribe:`)).toBe(1);
    expect(new Set(answers.map(replyXml)).size).toBe(1);
    // A different event from the same user in the same second is a different push.
    await a.push({ type: 'click', key: 'HEALTH_REPORT' }, { openid, createTime });
    expect(totalRuns(`evt:${openid}:${createTime}:CLICK:HEALTH_REPORT`)).toBe(1);
  });

  it("a run that fails answers 500 and releases its claim, so WeChat's next retry runs it again", async () => {
    const openid = 'oFailedOnce';
    const msg = a.build({ type: 'text', content: '1' }, { openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    failNext = true;
    const failed = await a.send('plain', msg);
    expect(failed.status).toBe(500);
    expect(failed.body).not.toMatch(/crashed/); // internal errors never leak
    expect(await t.rt.redis.exists(`wx:inbound:${key}`)).toBe(0);
    const retry = await b.send('plain', msg);
    expect(retry.status).toBe(200);
    expect(replyXml(retry)).toMatch(/健康上报/);
    expect(totalRuns(key)).toBe(2);
  });

  it('a duplicate waiting on a run that fails takes over and answers; later retries get its reply', async () => {
    slowMs = 300;
    const openid = 'oFailedConcurrent';
    const msg = a.build({ type: 'text', content: '5' }, { openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    failNext = true;
    const [first, dup] = await Promise.all([a.send('plain', msg), new Promise((r) => setTimeout(r, 50)).then(() => b.send('plain', msg))]);
    expect(first.status).toBe(500);
    expect(dup.status).toBe(200);
    expect(replyXml(dup)).toMatch(/需要做什么/); // my account
    expect(totalRuns(key)).toBe(2); // the failed run and the takeover
    slowMs = 0;
    const retries = await Promise.all([a.send('plain', msg), b.send('plain', msg)]);
    expect(retries.map((r) => r.status)).toEqual([200, 200]);
    expect(retries.map(replyXml)).toEqual([replyXml(dup), replyXml(dup)]);
    expect(totalRuns(key)).toBe(2);
  });

  it('the claim of a process that died mid-run lapses, and a retry runs the message itself', async () => {
    const openid = 'oOwnerDied';
    const msg = a.build({ type: 'text', content: '1' }, { openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    // What a process leaves behind when it dies after claiming: a running claim nobody renews.
    await t.rt.redis.set(`wx:inbound:${key}`, JSON.stringify({ state: 'running', owner: 'dead-process' }), 'PX', 3000);
    const started = Date.now();
    const retry = await a.send('plain', msg);
    expect(retry.status).toBe(200);
    expect(replyXml(retry)).toMatch(/健康上报/);
    expect(Date.now() - started).toBeLessThan(4000); // within the reply deadline
    expect(totalRuns(key)).toBe(1);
  });

  it('a live run slower than a claim lifetime keeps its claim: a duplicate waits instead of running it again', async () => {
    slowMs = 3500; // longer than the 3 s claim, shorter than the 4 s deadline
    const openid = 'oSlowOwner';
    const msg = a.build({ type: 'text', content: '3' }, { openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    const [first, dup] = await Promise.all([a.send('plain', msg), new Promise((r) => setTimeout(r, 200)).then(() => b.send('plain', msg))]);
    expect([first.status, dup.status]).toEqual([200, 200]);
    expect(totalRuns(key)).toBe(1);
    expect(replyXml(dup)).toEqual(replyXml(first));
  });
});
