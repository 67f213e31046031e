/**
 * WeChat re-sends a push it got no answer for, up to three times, possibly while the first is
 * still running (§5). The handler must run once per message across every server process, and
 * every delivery must get the same answer. Handler runs are counted through the webhook's
 * `onHandled` hook, where a test can also hold a run at a gate until the duplicates it races are
 * seen waiting (their claims, through Redis MONITOR); the pipeline itself runs for real against
 * Redis and FerretDB.
 */
import type Koa from 'koa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type Mount } from '../../../bot/app.js';
import { webhookRouter } from '../../../bot/pipeline/index.js';
import { createRuntime, type Runtime } from '../../../bot/runtime.js';
import type { WireMode } from '../../../scripts/chat/wechat-request.js';
import { createTestRuntime, serveApp, writeBackResidents, type TestRuntime } from '../../support/runtime.js';
import { WECOM_TEST_ENV, wechatClient, withoutCreateTime, type PushAnswer, type WechatTestClient } from '../../support/wechat-client.js';
import { claimOf, watchRedis, type RedisWatch } from '../../support/redis-watch.js';
import { gate, waitFor, type Gate } from '../../support/wait-for.js';

let t: TestRuntime;
let rt2: Runtime;
let watch: RedisWatch;
const servers: Array<{ close(): Promise<void> }> = [];
/** Handler runs per dedup key, per app instance. */
const runs = { a: new Map<string, number>(), b: new Map<string, number>() };
/** Runs held per openid: a run waits at its gate until the test opens (or fails) it. */
const held = new Map<string, Gate>();

function countingMount(counter: Map<string, number>): Mount {
  return (app, rt) => {
    const router = webhookRouter(rt, {
      onHandled(inbound) {
        counter.set(inbound.dedupKey, (counter.get(inbound.dedupKey) ?? 0) + 1);
        return held.get(inbound.fromUser)?.pass();
      },
    });
    app.use(router.routes() as Koa.Middleware).use(router.allowedMethods() as Koa.Middleware);
  };
}

/** Hold the runs of `openid`'s messages until the test opens (or fails) the gate. */
function hold(openid: string): Gate {
  const g = gate();
  held.set(openid, g);
  return g;
}

/** Wait until `n` deliveries have tried to claim the message (those that failed now wait for it). */
const claimsSeen = (key: string, n: number) => waitFor(`${n} claims of ${key}`, () => watch.count(claimOf(`wx:inbound:${key}`)) >= n);

let a: WechatTestClient;
let b: WechatTestClient;

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'pipeline_once', env: { ...WECOM_TEST_ENV } });
  // A second process's runtime: its own connections to the same Redis and database.
  rt2 = await createRuntime(t.config, { log: t.rt.log });
  const sa = await serveApp(createApp(t.rt, [countingMount(runs.a)]));
  const sb = await serveApp(createApp(rt2, [countingMount(runs.b)]));
  servers.push(sa, sb);
  watch = await watchRedis(t.config.REDIS_URL);
  a = wechatClient(sa.url, t.config);
  b = wechatClient(sb.url, t.config);
});

afterAll(async () => {
  watch?.close();
  for (const s of servers) await s.close();
  await rt2?.close();
  await t?.close();
});

afterEach(() => {
  for (const g of held.values()) g.open(); // never leave a run hanging
  held.clear();
});

const totalRuns = (key: string) => (runs.a.get(key) ?? 0) + (runs.b.get(key) ?? 0);

/** The plaintext reply XML of an answer, CreateTime blanked (encrypted ones are decrypted first). */
function replyXml(res: PushAnswer): string {
  expect(res.status).toBe(200);
  if (res.reply?.kind !== 'reply') throw new Error(`expected a passive reply, got ${JSON.stringify(res.body)}`);
  return withoutCreateTime(res.reply.xml);
}

/** What a delivery was told: the reply (CreateTime blanked) or `success` (the reply goes out later). */
const answerOf = (res: PushAnswer): string => (res.reply?.kind === 'late' ? 'success' : replyXml(res));

describe.each(['plain', 'safe', 'wecom'] as WireMode[])('one message, three deliveries (%s)', (mode) => {
  it('three concurrent deliveries: the handler runs once, all three get the same reply', async () => {
    const openid = `oConcurrent-${mode}`;
    const msg = a.build({ type: 'text', content: 'English' }, { mode, openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    const run = hold(openid);
    const answering = Promise.all([a.send(mode, msg), a.send(mode, msg), a.send(mode, msg)]);
    await claimsSeen(key, 3); // one claimed it and runs; two wait for it
    run.open();
    const answers = await answering;
    expect(runs.a.get(key)).toBe(1);
    const xmls = answers.map(replyXml);
    expect(new Set(xmls).size).toBe(1);
    expect(xmls[0]).toContain('Switched to English.');
    if (mode !== 'plain') expect(new Set(answers.map((r) => r.body)).size).toBe(3); // fresh envelopes, same content
    await writeBackResidents(t.rt);
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
    const openid = 'oTwoInstances';
    const msg = a.build({ type: 'text', content: '3' }, { mode: 'safe', openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    const run = hold(openid);
    const answering = Promise.all([a.send('safe', msg), b.send('safe', msg), b.send('safe', msg)]);
    await claimsSeen(key, 3);
    run.open();
    const answers = await answering;
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
    hold(openid).fail(new Error('flow step crashed'));
    const failed = await a.send('plain', msg);
    expect(failed.status).toBe(500);
    expect(failed.body).not.toMatch(/crashed/); // internal errors never leak
    expect(await t.rt.redis.exists(`wx:inbound:${key}`)).toBe(0);
    held.delete(openid);
    const retry = await b.send('plain', msg);
    expect(retry.status).toBe(200);
    expect(replyXml(retry)).toMatch(/健康上报/);
    expect(totalRuns(key)).toBe(2);
  });

  it('a duplicate waiting on a run that fails takes over and answers; later retries get its reply', async () => {
    const openid = 'oFailedConcurrent';
    const msg = a.build({ type: 'text', content: '5' }, { openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    const run = hold(openid);
    const firstAnswer = a.send('plain', msg);
    await run.reached; // the first delivery holds the claim and is in its flow step
    const dupAnswer = b.send('plain', msg);
    await claimsSeen(key, 2); // the duplicate found it claimed and waits
    held.delete(openid); // the takeover run passes straight through
    run.fail(new Error('flow step crashed'));
    const [first, dup] = await Promise.all([firstAnswer, dupAnswer]);
    expect(first.status).toBe(500);
    expect(dup.status).toBe(200);
    expect(replyXml(dup)).toMatch(/需要做什么/); // my account
    expect(totalRuns(key)).toBe(2); // the failed run and the takeover
    const retries = await Promise.all([a.send('plain', msg), b.send('plain', msg)]);
    expect(retries.map((r) => r.status)).toEqual([200, 200]);
    expect(retries.map(replyXml)).toEqual([replyXml(dup), replyXml(dup)]);
    expect(totalRuns(key)).toBe(2);
  });

  it('the claim of a process that died mid-run lapses, and a retry runs the message itself', async () => {
    const openid = 'oOwnerDied';
    const msg = a.build({ type: 'text', content: '1' }, { openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    // What a process leaves behind when it dies right after claiming: a running claim nobody
    // renews, 3 s to live. The retry waits that out and still answers within its 4 s deadline:
    // it took at most 3033 ms in 5 runs with two busy loops on the 2 cores.
    await t.rt.redis.set(`wx:inbound:${key}`, JSON.stringify({ state: 'running', owner: 'dead-process' }), 'PX', 3000);
    const retry = await a.send('plain', msg);
    expect(retry.status).toBe(200);
    expect(replyXml(retry)).toMatch(/健康上报/); // a passive reply: answered within the reply deadline
    expect(totalRuns(key)).toBe(1);
  });

  it('a live run slower than a claim lifetime keeps its claim: a duplicate waits instead of running it again', async () => {
    const openid = 'oSlowOwner';
    const msg = a.build({ type: 'text', content: '3' }, { openid });
    const key = `msg:${openid}:${msg.meta.msgId}`;
    const run = hold(openid);
    const firstAnswer = a.send('plain', msg);
    await run.reached;
    const dupAnswer = b.send('plain', msg);
    await claimsSeen(key, 2);
    // The claim lives 3 s and its owner renews it every second: after four renewals the run has
    // outlived the claim it started with by a second, time for the waiting duplicate to see a
    // lapsed claim and run the message itself if renewing did not keep it.
    const renewals = (args: string[]) => args[0] === 'eval' && args[3] === `wx:inbound:${key}`;
    await waitFor('four renewals of the claim', () => watch.count(renewals) >= 4);
    run.open();
    const [first, dup] = await Promise.all([firstAnswer, dupAnswer]);
    expect([first.status, dup.status]).toEqual([200, 200]);
    expect(totalRuns(key)).toBe(1);
    // The same answer: the reply, or `success` for both if the held run ran past the 4 s deadline.
    expect(answerOf(dup)).toEqual(answerOf(first));
  });
});
