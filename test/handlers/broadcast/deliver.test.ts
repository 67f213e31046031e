/**
 * A batch run called directly (no queue): the channel per member, every WeChat outcome in one
 * batch, retries of only the open members, leases, crash recovery from the log, sent-notes,
 * cancel and stop. Real Redis (leases, tally, budget), FerretDB and the mock WeChat API; the
 * batch jobs are only recorded.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { broadcastEnv, cancel, deliveries, openids, releasedNotice, seedResidents, successfulSends, type BroadcastEnv } from './helpers.js';
import { broadcastDeps } from '../../../bot/broadcast/deps.js';
import { kfBudgetKey } from '../../../bot/broadcast/kf-budget.js';
import { cachedResidentStore } from '../../../bot/residents/cache.js';
import { residentKey } from '../../../bot/residents/keys.js';
import { parseTemplateFields } from '../../../handlers/broadcast/message.js';
import { runFanout } from '../../../handlers/broadcast/fanout.js';
import { deliverBatch } from '../../../handlers/broadcast/deliver.js';
import { BatchLog, LeaseLostError } from '../../../handlers/broadcast/batch-log.js';
import { readBatch } from '../../../handlers/broadcast/batch-read.js';
import { sendSlots } from '../../../handlers/broadcast/slots.js';
import { markUnsubscribed, UPDATE_BATCH } from '../../../handlers/broadcast/send-batch.js';
import type { BatchJobSpec, BroadcastDeps } from '../../../handlers/broadcast/ports.js';
import { residentIdFor } from '../../../models/resident.js';
import { batchIdFor } from '../../../models/delivery.js';
import { logEntryIdFor, type Delivery } from '../../../models/delivery-log.js';
import { createWechatApi } from '../../../bot/wechat/api-client.js';
import type { NoticeTargets } from '../../../models/notice.js';

let env: BroadcastEnv;
const hourAgo = () => new Date(Date.now() - 3600_000);
const daysAgo = (n: number) => new Date(Date.now() - n * 24 * 3600_000);

interface Recorded extends BroadcastDeps {
  queued: BatchJobSpec[];
  sweeps: string[];
}

/** The real ports, except that batch jobs and sweeps are recorded, not queued. */
function deps(over: Partial<BroadcastDeps> = {}): Recorded {
  const d = { ...broadcastDeps(env.rt, { noticeTtlMs: 0 }), queued: [] as BatchJobSpec[], sweeps: [] as string[], ...over } as Recorded;
  d.jobs = {
    addBatches: async (jobs) => void d.queued.push(...jobs),
    requeueBatches: async () => 0,
    removeBatches: async () => 0,
    requestSweep: async (id) => void d.sweeps.push(id),
  };
  return d;
}

const byOpenid = async (id: string) => new Map((await deliveries(env.rt, id)).map((x) => [x.openid, x]));
const resident = (openid: string) => env.rt.models.Resident.findById(residentIdFor('wechat', openid)).lean();
const kfUsed = async (openid: string) => Number(await env.rt.redis.hget(kfBudgetKey(String(residentIdFor('wechat', openid))), 'used'));
const callsTo = (openid: string) =>
  env.mock
    .calls()
    .filter((c) => (c.body as { touser?: string } | undefined)?.touser === openid)
    .map((c) => `${c.endpoint}:${c.errcode}`);

/** A released notice fanned out into batches of `batchSize`; returns its id and recording deps. */
async function fannedOut(targets: NoticeTargets, batchSize = 100, title?: string) {
  const id = await releasedNotice(env.rt, { targets, ...(title ? { title } : {}) });
  const d = deps();
  await runFanout(d, id, { batchSize });
  env.mock.clearCalls();
  return { id, d };
}

beforeAll(async () => {
  env = await broadcastEnv('bc_deliver');
  await seedResidents(env.rt.models, [
    // One batch with every outcome (tag `mix`).
    { openid: 'mKf', tags: ['mix'], lastInboundAt: hourAgo() },
    { openid: 'mSpent', tags: ['mix'], lastInboundAt: hourAgo(), kfSent: 5 },
    { openid: 'mClosed', tags: ['mix'], lastInboundAt: daysAgo(3) },
    { openid: 'm45015', tags: ['mix'], lastInboundAt: hourAgo() },
    { openid: 'm45047', tags: ['mix'], lastInboundAt: hourAgo(), kfSent: 1 },
    { openid: 'm43004', tags: ['mix'] },
    { openid: 'mBusy', tags: ['mix'] },
    // Single residents for the other cases.
    { openid: 'oRetry', tags: ['retry'] },
    { openid: 'oCancel', tags: ['cancel-mid'] },
    { openid: 'oWindow', tags: ['claims'], lastInboundAt: hourAgo() },
    ...openids('oClaim', 4).map((openid) => ({ openid, tags: ['claims'] })),
    ...openids('oStop', 3).map((openid) => ({ openid, tags: ['stop'] })),
    { openid: 'cWrote', tags: ['cached'] },
    { openid: 'cSpent', tags: ['cached'] },
    ...openids('oUnsub', UPDATE_BATCH * 2 + 1).map((openid) => ({ openid, tags: ['unsub'] })),
  ]);
});

afterAll(async () => {
  await env?.close();
});

beforeEach(() => {
  env.mock.clearCalls();
  env.mock.clearFaults();
});

describe('a batch with every outcome', () => {
  it('records kf, template, 45015 and 45047 fallbacks, 43004 and -1 each correctly, then retries only the open member', async () => {
    const { id, d } = await fannedOut({ tags: ['mix'] });
    expect(d.queued).toEqual([{ noticeId: id, batchNo: 0, urgent: false }]);
    env.mock.setFault('custom_send', [
      { errcode: 45015, openids: ['m45015'] },
      { errcode: 45047, openids: ['m45047'] },
    ]);
    env.mock.setFault('template_send', [
      { errcode: 43004, openids: ['m43004'] },
      { errcode: -1, openids: ['mBusy'] },
    ]);
    expect(await deliverBatch(d, { noticeId: id, batchNo: 0, lastAttempt: false })).toMatchObject({ outcome: 'retry', retrying: 1 });

    const r = await byOpenid(id);
    expect(r.get('mKf')).toMatchObject({ status: 'sent', channel: 'kf', attempts: 1, claimedBy: expect.stringMatching(/#\d+$/) });
    expect(r.get('mSpent')).toMatchObject({ status: 'sent', channel: 'template', msgid: expect.any(Number) });
    expect(r.get('mClosed')).toMatchObject({ status: 'sent', channel: 'template', msgid: expect.any(Number) });
    expect(r.get('m45015')).toMatchObject({ status: 'sent', channel: 'template', kfFallback: true });
    expect(r.get('m45047')).toMatchObject({ status: 'sent', channel: 'template', kfFallback: true });
    expect(r.get('m43004')).toMatchObject({ status: 'failed', failReason: 'unsubscribed', errcode: 43004 });
    expect(r.get('mBusy')).toMatchObject({ status: 'pending', attempts: 1, errcode: -1 });
    expect(callsTo('mKf')).toEqual(['custom_send:0']);
    expect(callsTo('m45015')).toEqual(['custom_send:45015', 'template_send:0']);
    expect(callsTo('m45047')).toEqual(['custom_send:45047', 'template_send:0']);
    expect(callsTo('mSpent')).toEqual(['template_send:0']);
    // The budget in Redis: one spent for mKf, mSpent's five (from its record) untouched, 45047 spends the rest.
    expect(await kfUsed('mKf')).toBe(1);
    expect(await kfUsed('mSpent')).toBe(5);
    expect(await kfUsed('m45047')).toBe(5);
    expect(await resident('m43004')).toMatchObject({ subscribed: false, unsubscribedAt: expect.any(Date) });
    expect(await d.store.tally(id)).toMatchObject({ sent: 5, failed: 1, finished: 6 });

    env.mock.clearCalls();
    expect(await deliverBatch(d, { noticeId: id, batchNo: 0, lastAttempt: true })).toMatchObject({ outcome: 'done', sent: 5, failed: 2 });
    expect(env.mock.calls().map((c) => (c.body as { touser: string }).touser)).toEqual(['mBusy']); // only the open member
    expect((await byOpenid(id)).get('mBusy')).toMatchObject({ status: 'failed', failReason: 'attempts_exhausted', errcode: -1, attempts: 2 });
    expect(await d.store.tally(id)).toMatchObject({ sent: 5, failed: 2, finished: 7, total: 7 });
  });

  it('template fields are filled as WECHAT_NOTICE_TEMPLATE_FIELDS says', async () => {
    const { id, d } = await fannedOut({ tags: ['retry'] }, 100, 'channels');
    await deliverBatch({ ...d, templateFields: parseTemplateFields('thing1=title:4,time2=time') }, { noticeId: id, batchNo: 0, lastAttempt: false });
    const china = expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(env.mock.calls().map((c) => (c.body as { data: unknown }).data)).toEqual([{ thing1: { value: 'cha…' }, time2: { value: china } }]);
  });
});

describe('the customer-service budget of residents the webhook has cached', () => {
  it('is read and spent in the resident cache: a window MongoDB does not know yet is used, and the count is shared', async () => {
    const store = cachedResidentStore({ redis: env.rt.redis, models: env.rt.models, writeBackMs: 60_000 });
    // cWrote wrote an hour ago: only the cache knows (its write-back is pending); cSpent spent all five there.
    const wrote = { toUser: 'gh_test', createTime: Math.floor(Date.now() / 1000) - 3600, dedupKey: 'x', type: 'text' as const, content: '你好' };
    await store.touch('wechat', { ...wrote, fromUser: 'cWrote' }, hourAgo());
    await store.touch('wechat', { ...wrote, fromUser: 'cSpent' }, hourAgo());
    await env.rt.redis.hset(residentKey('wechat', 'cSpent'), 'kf', 5);
    expect((await resident('cWrote'))?.lastInboundAt ?? null).toBeNull();
    const { id, d } = await fannedOut({ tags: ['cached'] });
    expect(await deliverBatch(d, { noticeId: id, batchNo: 0, lastAttempt: false })).toMatchObject({ outcome: 'done', sent: 2 });
    const r = await byOpenid(id);
    expect(r.get('cWrote')).toMatchObject({ status: 'sent', channel: 'kf' });
    expect(r.get('cSpent')).toMatchObject({ status: 'sent', channel: 'template' });
    expect(await env.rt.redis.hget(residentKey('wechat', 'cWrote'), 'kf')).toBe('1'); // counted where the webhook counts
    expect(await env.rt.redis.hget(residentKey('wechat', 'cWrote'), 'p:kf')).toBe('1'); // and on its way to MongoDB
    expect(await env.rt.redis.exists(kfBudgetKey(String(residentIdFor('wechat', 'cWrote'))))).toBe(0);
  });
});

describe('retries', () => {
  it('a transient error leaves the member open; a timeout counts as uncertain; the last attempt fails it', async () => {
    const { id, d } = await fannedOut({ tags: ['retry'] });
    const run = (dd: BroadcastDeps, lastAttempt: boolean) => deliverBatch(dd, { noticeId: id, batchNo: 0, lastAttempt });
    env.mock.setFault('template_send', { errcode: -1 });
    expect((await run(d, false)).outcome).toBe('retry');
    expect((await byOpenid(id)).get('oRetry')).toMatchObject({ status: 'pending', attempts: 1, errcode: -1 });
    // A timeout: WeChat may have taken it (the mock does, later), so the attempt is counted as uncertain.
    env.mock.setFault('template_send', { latencyMs: 400 });
    const impatient = {
      ...d,
      sender: createWechatApi({
        base: env.mock.url,
        appId: env.t.config.WECHAT_APP_ID,
        appSecret: env.t.config.WECHAT_APP_SECRET,
        redis: env.rt.redis,
        timeoutMs: 100,
      }),
    };
    expect((await run(impatient, false)).outcome).toBe('retry');
    expect((await byOpenid(id)).get('oRetry')).toMatchObject({ status: 'pending', attempts: 2, uncertainAttempts: 1 });
    env.mock.setFault('template_send', { errcode: -1 });
    expect(await run(d, true)).toMatchObject({ outcome: 'done', failed: 1 });
    expect((await byOpenid(id)).get('oRetry')).toMatchObject({ status: 'failed', attempts: 3, failReason: 'attempts_exhausted', errcode: -1 });
    // The timed-out send did reach "WeChat" (the mock answers it late): why such attempts are counted.
    const late = Date.now();
    while (!successfulSends(env.mock.calls()).get('oRetry') && Date.now() - late < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(successfulSends(env.mock.calls()).get('oRetry')).toHaveLength(1);
  });

  it('a transient error on a notice cancelled meanwhile closes the delivery instead of queueing a retry', async () => {
    const { id, d } = await fannedOut({ tags: ['cancel-mid'] });
    env.mock.setFault('template_send', { errcode: -1 });
    const sender = {
      ...d.sender,
      sendTemplate: async (...a: Parameters<typeof d.sender.sendTemplate>) => (await cancel(env.rt, id), d.sender.sendTemplate(...a)),
    };
    expect(await deliverBatch({ ...d, sender }, { noticeId: id, batchNo: 0, lastAttempt: false })).toEqual({ outcome: 'cancelled' });
    expect((await byOpenid(id)).get('oCancel')).toMatchObject({ status: 'cancelled', attempts: 1, errcode: -1 });
    expect(d.sweeps).toEqual([id]);
  });
});

describe('leases and recovery', () => {
  let id: string;
  let d: Recorded;
  let records: Map<string, Delivery>;
  const ref = () => ({ noticeId: id, batchNo: 0 });
  beforeAll(async () => {
    ({ id, d } = await fannedOut({ tags: ['claims'] }, 100, 'claims'));
    records = await byOpenid(id);
  });

  it('a batch whose lease another run holds is left alone (busy, look again after the lease)', async () => {
    expect((await d.store.acquire(ref(), 'someone-else', 5000)).ok).toBe(true);
    const r = await deliverBatch(d, { ...ref(), lastAttempt: false });
    expect(r.outcome).toBe('busy');
    expect(r.outcome === 'busy' && r.retryInMs).toBeGreaterThan(4000);
    expect(env.mock.calls()).toEqual([]);
    await d.store.release(ref(), 'someone-else', false);
  });

  it('sends WeChat took but the log never got are recorded from their notes, not sent again; a member in flight when its run died is sent again and flagged', async () => {
    const batchId = batchIdFor(id, 0);
    const member = (o: string) => records.get(o)!.member;
    // A run that died: it claimed oClaim00000 and oClaim00001, then noted oClaim00001's send in Redis.
    await env.rt.models.DeliveryLog.insertMany([
      {
        _id: logEntryIdFor(batchId, 0),
        batchId,
        noticeId: new Types.ObjectId(id),
        batchNo: 0,
        seq: 0,
        run: 'dead:1#1',
        at: new Date(),
        claims: [member('oClaim00000'), member('oClaim00001')],
        outcomes: [],
      },
    ]);
    await d.store.noteSent(ref(), [{ m: member('oClaim00001'), at: new Date().toISOString(), channel: 'template', msgid: 4242 }]);
    expect(await deliverBatch(d, { ...ref(), lastAttempt: false })).toMatchObject({ outcome: 'done', sent: 5, recovered: 1 });
    const r = await byOpenid(id);
    expect(r.get('oClaim00000')).toMatchObject({ status: 'sent', recoveredFromCrash: true, attempts: 2 });
    expect(r.get('oClaim00001')).toMatchObject({ status: 'sent', msgid: 4242, attempts: 1 });
    expect(r.get('oClaim00001')?.recoveredFromCrash).toBeUndefined();
    expect(r.get('oClaim00002')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(r.get('oClaim00002')?.recoveredFromCrash).toBeUndefined();
    expect([...successfulSends(env.mock.calls()).keys()].sort()).toEqual(['oClaim00000', 'oClaim00002', 'oClaim00003', 'oWindow']);
  });

  it('a run whose next log entry another run already wrote stops claiming: the sequence number is taken', async () => {
    const { id: id2, d: d2 } = await fannedOut({ tags: ['claims'] }, 100, 'fenced');
    const batch = { noticeId: id2, batchNo: 0 };
    const read = (await readBatch(env.rt.models, batch))!;
    const log = new BatchLog(d2, batch, read, 'late:1#1', 20_000);
    const batchId = batchIdFor(id2, 0);
    await env.rt.models.DeliveryLog.insertMany([
      {
        _id: logEntryIdFor(batchId, 0),
        batchId,
        noticeId: new Types.ObjectId(id2),
        batchNo: 0,
        seq: 0,
        run: 'other:1#1',
        at: new Date(),
        claims: [0],
        outcomes: [],
      },
    ]);
    await expect(log.commit([1], [])).rejects.toBeInstanceOf(LeaseLostError);
    expect(log.leaseLost).toBe(true);
    await expect(log.commit([2], [])).rejects.toBeInstanceOf(LeaseLostError);
    log.close();
    // The entry that won stays as it was.
    expect((await deliveries(env.rt, id2)).map((x) => x.status)).toEqual(['sending', 'pending', 'pending', 'pending', 'pending']);
  });
  it('a run overtaken mid-batch by another run stops, notes what it sent, and waits (busy) instead of using an attempt', async () => {
    const { id: id3, d: d3 } = await fannedOut({ tags: ['stop'] }, 100, 'overtaken');
    const ref3 = { noticeId: id3, batchNo: 0 };
    const batchId = batchIdFor(id3, 0);
    let overtaken = false;
    const sender = {
      ...d3.sender,
      sendTemplate: async (...a: Parameters<typeof d3.sender.sendTemplate>) => {
        if (!overtaken) {
          overtaken = true; // meanwhile another run writes the entry this one would write next
          const seq = (await readBatch(env.rt.models, ref3))!.entries.length;
          await env.rt.models.DeliveryLog.collection.insertOne({
            _id: logEntryIdFor(batchId, seq),
            batchId,
            noticeId: new Types.ObjectId(id3),
            batchNo: 0,
            seq,
            run: 'other:1#1',
            at: new Date(),
            claims: [],
            outcomes: [],
          });
        }
        return d3.sender.sendTemplate(...a);
      },
    };
    expect(await deliverBatch({ ...d3, sender, slots: sendSlots(1) }, { ...ref3, lastAttempt: false })).toMatchObject({ outcome: 'busy' });
    expect(successfulSends(env.mock.calls()).size).toBe(1);
    const lease = await d3.store.acquire(ref3, 'next:1#1', 1000);
    expect(lease.ok && lease.sentNotes.map((n) => n.m)).toEqual([0]); // the next run records it instead of sending again
  });
});

describe('no template, cancel, stop', () => {
  it('no template configured: outside the window the member fails no_template; inside, customer service still works', async () => {
    const { id, d } = await fannedOut({ tags: ['claims'] }, 100, 'no template');
    expect(await deliverBatch({ ...d, templateId: '' }, { noticeId: id, batchNo: 0, lastAttempt: false })).toMatchObject({
      outcome: 'done',
      sent: 1,
      failed: 4,
    });
    const r = await byOpenid(id);
    expect(r.get('oWindow')).toMatchObject({ status: 'sent', channel: 'kf' });
    expect(r.get('oClaim00000')).toMatchObject({ status: 'failed', failReason: 'no_template' });
    expect(env.mock.calls().map((c) => c.endpoint)).toEqual(['custom_send']);
  });

  it('a cancelled notice: nothing is sent, the deliveries read cancelled and a sweep is requested', async () => {
    const { id, d } = await fannedOut({ tags: ['claims'] }, 100, 'cancelled');
    await cancel(env.rt, id);
    expect(await deliverBatch(d, { noticeId: id, batchNo: 0, lastAttempt: false })).toEqual({ outcome: 'cancelled' });
    expect(d.sweeps).toEqual([id]);
    expect(env.mock.calls()).toEqual([]);
    expect((await deliveries(env.rt, id)).map((x) => x.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });

  it('a stopping worker sends to nobody new: the batch ends `stopped` and the rest stay open for the next run', async () => {
    const { id, d } = await fannedOut({ tags: ['stop'] });
    const stop = new AbortController();
    const sender = { ...d.sender, sendTemplate: async (...a: Parameters<typeof d.sender.sendTemplate>) => (stop.abort(), d.sender.sendTemplate(...a)) };
    const one = { ...d, sender, slots: sendSlots(1) };
    expect(await deliverBatch(one, { noticeId: id, batchNo: 0, lastAttempt: false, signal: stop.signal })).toEqual({ outcome: 'stopped', left: 2 });
    // Members go in batch order: the first was sent, the other two were never claimed.
    expect((await deliveries(env.rt, id)).map((x) => `${x.status}:${x.attempts}`)).toEqual(['sent:1', 'pending:0', 'pending:0']);
    expect(await deliverBatch(d, { noticeId: id, batchNo: 0, lastAttempt: false })).toMatchObject({ outcome: 'done', sent: 3 });
    expect(successfulSends(env.mock.calls()).size).toBe(3);
  });
});

describe('updates stay under FerretDB’s 100-statement limit', () => {
  it(`marks ${UPDATE_BATCH * 2 + 1} unfollowed residents in commands of at most ${UPDATE_BATCH}`, async () => {
    expect(UPDATE_BATCH).toBeLessThan(100);
    const ids = openids('oUnsub', UPDATE_BATCH * 2 + 1).map((o) => String(residentIdFor('wechat', o)));
    // One command of 101 statements would wedge the server and time this test out.
    await markUnsubscribed(deps(), ids);
    expect(await env.rt.models.Resident.countDocuments({ tags: 'unsub', subscribed: false })).toBe(ids.length);
  });

  it('a full batch of 100 unfollowed residents is recorded and marked', async () => {
    await env.rt.models.Resident.updateMany({ tags: 'unsub' }, { $set: { subscribed: true } });
    const { id, d } = await fannedOut({ tags: ['unsub'] }, 100, 'all gone');
    env.mock.setFault('template_send', { errcode: 43004 });
    expect(await deliverBatch(d, { noticeId: id, batchNo: 0, lastAttempt: false })).toMatchObject({ outcome: 'done', sent: 0, failed: 100 });
    expect(await env.rt.models.Resident.countDocuments({ tags: 'unsub', subscribed: false })).toBe(100);
  });
});
