/**
 * The broadcast use cases called directly (no queue): fan-out into records, channel choice, the
 * WeChat outcomes, claims and their recovery, cancel, completion. Real Redis (the claim store),
 * FerretDB and the mock WeChat API; the deliver jobs are only recorded.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { broadcastEnv, deliveries, notice, releasedNotice, seedResidents, successfulSends, type BroadcastEnv } from './helpers.js';
import { broadcastDeps } from '../../../bot/broadcast/deps.js';
import { parseTemplateFields } from '../../../handlers/broadcast/message.js';
import { runFanout } from '../../../handlers/broadcast/fanout.js';
import { deliverNotice } from '../../../handlers/broadcast/deliver.js';
import { checkCompletion } from '../../../handlers/broadcast/complete.js';
import { fanoutStates } from '../../../handlers/broadcast/state.js';
import { SWEEP_OWNER_PREFIX, type BroadcastDeps, type DeliverJobSpec } from '../../../handlers/broadcast/ports.js';
import { residentIdFor } from '../../../models/resident.js';
import type { Delivery } from '../../../models/delivery.js';
import { createWechatApi } from '../../../bot/wechat/api-client.js';

let env: BroadcastEnv;
const hourAgo = () => new Date(Date.now() - 3600_000);
const daysAgo = (n: number) => new Date(Date.now() - n * 24 * 3600_000);

interface Recorded extends BroadcastDeps {
  queued: DeliverJobSpec[];
  sweeps: string[];
}

/** The real ports, except that deliver jobs and sweeps are recorded, not queued. */
function deps(over: Partial<BroadcastDeps> = {}): Recorded {
  const real = broadcastDeps(env.rt, { noticeTtlMs: 0 });
  const d: Recorded = {
    ...real,
    queued: [],
    sweeps: [],
    jobs: {
      addDeliveries: async (jobs) => void d.queued.push(...jobs),
      removeDeliveries: async () => 0,
      requestSweep: async (id) => void d.sweeps.push(id),
    },
    ...over,
  } as Recorded;
  return d;
}

const byOpenid = async (id: string) => new Map((await deliveries(env.rt, id)).map((x) => [x.openid, x]));
const resident = (openid: string) => env.rt.models.Resident.findById(residentIdFor('wechat', openid)).lean();

beforeAll(async () => {
  env = await broadcastEnv('bc_deliver');
  await seedResidents(env.rt.models, [
    { openid: 'oMany', building: 'b1', tags: ['dialysis'], vulnerable: true, volunteer: true },
    { openid: 'oKf', building: 'b2', lastInboundAt: hourAgo() },
    { openid: 'oSpent', building: 'b2', lastInboundAt: hourAgo(), kfSent: 5 },
    { openid: 'oClosed', building: 'b2', lastInboundAt: daysAgo(3) },
    { openid: 'oWindow45015', building: 'b2', lastInboundAt: hourAgo() },
    { openid: 'oWindow45047', building: 'b2', lastInboundAt: hourAgo(), kfSent: 1 },
    { openid: 'oOtherCommunity', community: 'c2', tags: ['dialysis'] },
  ]);
  await env.rt.models.Resident.insertMany([
    { _id: residentIdFor('wechat', 'oGone'), channel: 'wechat', openid: 'oGone', subscribed: false, registration: { communityCode: 'c1', buildingCode: 'b1' } },
  ]);
});

afterAll(async () => {
  await env?.close();
});

beforeEach(() => {
  env.mock.clearCalls();
  env.mock.clearFaults();
});

describe('fan-out', () => {
  it('one record per recipient, however many groups they are in; scope and subscription respected', async () => {
    const id = await releasedNotice(env.rt, {
      targets: { buildings: [{ community: 'c1', building: 'b1' }], tags: ['dialysis'], vulnerable: true, volunteers: true },
    });
    const d = deps();
    expect(await runFanout(d, id)).toMatchObject({ outcome: 'watching', total: 1 });
    const ds = await deliveries(env.rt, id);
    expect(ds.map((x) => x.openid)).toEqual(['oMany']);
    expect(d.queued).toEqual([{ deliveryId: String(ds[0]!._id), urgent: false }]);
    expect((await notice(env.rt, id))?.status).toBe('sending');
  });

  it('resumes after its cursor when it died mid-way, creating nobody twice', async () => {
    const id = await releasedNotice(env.rt, { targets: { all: true } });
    let batches = 0;
    const crashing = deps();
    const add = crashing.jobs.addDeliveries;
    crashing.jobs.addDeliveries = async (jobs) => {
      if (++batches === 3) throw new Error('worker died');
      await add(jobs);
    };
    await expect(runFanout(crashing, id, { batchSize: 2 })).rejects.toThrow('worker died');
    const mid = await fanoutStates(env.rt.models).findById(id).lean();
    expect(mid).toMatchObject({ created: 4, done: false, runs: 1 });
    expect(await env.rt.models.Delivery.countDocuments({ noticeId: new Types.ObjectId(id) })).toBe(6); // batch 3 inserted, not queued

    const again = deps();
    expect(await runFanout(again, id, { batchSize: 2 })).toMatchObject({ outcome: 'watching', total: 6 });
    expect(await fanoutStates(env.rt.models).findById(id).lean()).toMatchObject({ created: 6, total: 6, done: true, runs: 2 });
    expect(again.queued).toHaveLength(2); // batch 3 again: records existed, jobs re-queued
    const all = await deliveries(env.rt, id);
    expect(new Set(all.map((x) => x.openid)).size).toBe(6);
    expect(all).toHaveLength(6);
  });
});

describe('delivery', () => {
  let id: string;
  let d: Recorded;
  let records: Map<string, Delivery>;
  const deliver = (openid: string, lastAttempt = false, dd: BroadcastDeps = d) =>
    deliverNotice(dd, { deliveryId: String(records.get(openid)!._id), lastAttempt });

  beforeAll(async () => {
    id = await releasedNotice(env.rt, { targets: { all: true }, title: 'channels' });
    d = deps();
    await runFanout(d, id);
    records = await byOpenid(id);
  });

  it('customer-service message inside the window, reserving one of the five', async () => {
    expect(await deliver('oKf')).toMatchObject({ outcome: 'sent', channel: 'kf', kfFallback: false });
    expect((await resident('oKf'))?.kfSentSinceInbound).toBe(1);
    expect(env.mock.calls().map((c) => c.endpoint)).toContain('custom_send');
    expect((await byOpenid(id)).get('oKf')).toMatchObject({ status: 'sent', channel: 'kf', attempts: 1, claimedBy: expect.stringMatching(/#\d+$/) });
  });

  it('template when the budget is spent or the window closed, its fields filled as WECHAT_NOTICE_TEMPLATE_FIELDS says', async () => {
    expect(await deliver('oSpent')).toMatchObject({ outcome: 'sent', channel: 'template' });
    const newerTemplate = { ...d, templateFields: parseTemplateFields('thing1=title:4,time2=time') };
    expect(await deliver('oClosed', false, newerTemplate)).toMatchObject({ outcome: 'sent', channel: 'template' });
    expect((await resident('oSpent'))?.kfSentSinceInbound).toBe(5);
    const tpl = env.mock.calls().filter((c) => c.endpoint === 'template_send');
    expect(tpl).toHaveLength(2);
    const china = expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(tpl[0]!.body).toMatchObject({
      template_id: 'tmpl-notice-0001',
      data: { first: { value: 'channels' }, keyword1: { value: 'channels' }, keyword2: { value: china }, remark: { value: expect.any(String) } },
    });
    expect((tpl[1]!.body as { data: unknown }).data).toEqual({ thing1: { value: 'cha…' }, time2: { value: china } });
    expect((await byOpenid(id)).get('oClosed')).toMatchObject({ status: 'sent', channel: 'template', msgid: expect.any(Number) });
  });

  it('45015 on the customer-service send falls back to the template once', async () => {
    env.mock.setFault('custom_send', { errcode: 45015, openids: ['oWindow45015'] });
    expect(await deliver('oWindow45015')).toMatchObject({ outcome: 'sent', channel: 'template', kfFallback: true });
    expect(env.mock.calls().map((c) => `${c.endpoint}:${c.errcode}`)).toEqual(['custom_send:45015', 'template_send:0']);
    expect((await byOpenid(id)).get('oWindow45015')).toMatchObject({ status: 'sent', channel: 'template', kfFallback: true });
  });

  it('45047 (budget spent by WeChat’s count) falls back too and marks the budget spent', async () => {
    env.mock.setFault('custom_send', { errcode: 45047, openids: ['oWindow45047'] });
    expect(await deliver('oWindow45047')).toMatchObject({ outcome: 'sent', channel: 'template', kfFallback: true });
    expect((await resident('oWindow45047'))?.kfSentSinceInbound).toBe(5);
  });

  it('a finished delivery is not sent again', async () => {
    expect(await deliver('oKf')).toEqual({ outcome: 'skipped', status: 'sent' });
    expect(env.mock.calls()).toEqual([]);
  });

  it('a transient error puts the record back for the next attempt; the last attempt fails it', async () => {
    const id2 = await releasedNotice(env.rt, { targets: { buildings: [{ community: 'c1', building: 'b1' }] } });
    const dd = deps();
    await runFanout(dd, id2);
    const deliveryId = String((await byOpenid(id2)).get('oMany')!._id);
    env.mock.setFault('template_send', { errcode: -1 });
    expect((await deliverNotice(dd, { deliveryId, lastAttempt: false })).outcome).toBe('retry');
    expect((await byOpenid(id2)).get('oMany')).toMatchObject({ status: 'pending', attempts: 1, errcode: -1 });
    // A timeout: WeChat may have taken it (the mock does, later), so the attempt is counted as uncertain.
    env.mock.setFault('template_send', { latencyMs: 400 });
    const impatient = {
      ...dd,
      sender: createWechatApi({
        base: env.mock.url,
        appId: env.t.config.WECHAT_APP_ID,
        appSecret: env.t.config.WECHAT_APP_SECRET,
        redis: env.rt.redis,
        timeoutMs: 100,
      }),
    };
    expect((await deliverNotice(impatient, { deliveryId, lastAttempt: false })).outcome).toBe('retry');
    expect((await byOpenid(id2)).get('oMany')).toMatchObject({ status: 'pending', attempts: 2, uncertainAttempts: 1 });
    env.mock.setFault('template_send', { errcode: -1 });
    expect(await deliverNotice(dd, { deliveryId, lastAttempt: true })).toEqual({ outcome: 'failed', reason: 'attempts_exhausted', errcode: -1 });
    expect((await byOpenid(id2)).get('oMany')).toMatchObject({ status: 'failed', attempts: 3, failReason: 'attempts_exhausted', errcode: -1 });
    // The timed-out send did reach "WeChat" (the mock answers it late): why such attempts are counted.
    await new Promise((r) => setTimeout(r, 500));
    expect(successfulSends(env.mock.calls()).get('oMany')).toHaveLength(1);
  });

  it('a transient error on a notice cancelled meanwhile closes the record instead of queueing a retry', async () => {
    const id2 = await releasedNotice(env.rt, { targets: { buildings: [{ community: 'c1', building: 'b1' }] } });
    const dd = deps();
    await runFanout(dd, id2);
    const deliveryId = String((await byOpenid(id2)).get('oMany')!._id);
    const { cancel } = await import('./helpers.js');
    // The send fails after the cancel: the notice is read again before choosing to retry.
    env.mock.setFault('template_send', { errcode: -1 });
    const sender = {
      ...dd.sender,
      sendTemplate: async (...a: Parameters<typeof dd.sender.sendTemplate>) => (await cancel(env.rt, id2), dd.sender.sendTemplate(...a)),
    };
    expect(await deliverNotice({ ...dd, sender }, { deliveryId, lastAttempt: false })).toEqual({ outcome: 'cancelled' });
    expect((await byOpenid(id2)).get('oMany')).toMatchObject({ status: 'cancelled', attempts: 1, errcode: -1 });
  });

  it('43004 marks the resident unsubscribed and fails the delivery for good', async () => {
    env.mock.setFault('template_send', { errcode: 43004, openids: ['oMany'] });
    expect(await deliver('oMany')).toEqual({ outcome: 'failed', reason: 'unsubscribed', errcode: 43004 });
    expect((await byOpenid(id)).get('oMany')).toMatchObject({ status: 'failed', errcode: 43004, failReason: 'unsubscribed' });
    expect(await resident('oMany')).toMatchObject({ subscribed: false, unsubscribedAt: expect.any(Date) });
  });
});

describe('claims', () => {
  let id: string;
  let d: Recorded;
  let records: Map<string, Delivery>;
  beforeAll(async () => {
    await env.rt.models.Resident.updateMany({}, { $set: { subscribed: true } });
    id = await releasedNotice(env.rt, { targets: { all: true }, title: 'claims' });
    d = deps();
    await runFanout(d, id);
    records = await byOpenid(id);
  });
  const did = (openid: string) => String(records.get(openid)!._id);

  it('a delivery whose lease another sender holds is left alone (busy, retry after the lease)', async () => {
    await d.store.acquire(did('oClosed'), 'someone-else', 5000);
    const r = await deliverNotice(d, { deliveryId: did('oClosed'), lastAttempt: false });
    expect(r.outcome).toBe('busy');
    expect(r.outcome === 'busy' && r.retryInMs).toBeGreaterThan(4000);
    expect(env.mock.calls()).toEqual([]);
    await d.store.release(did('oClosed'), 'someone-else');
  });

  it('a delivery the cancel sweep holds is waited for, not parked as busy: it then reads cancelled and nothing is sent', async () => {
    const sweeper = `${SWEEP_OWNER_PREFIX}test`;
    expect((await d.store.acquire(did('oWindow45047'), sweeper, 5000)).ok).toBe(true);
    const sweeping = (async () => {
      await new Promise((r) => setTimeout(r, 100));
      await env.rt.models.Delivery.updateOne({ _id: records.get('oWindow45047')!._id }, { $set: { status: 'cancelled' } });
      await d.store.release(did('oWindow45047'), sweeper);
    })();
    expect(await deliverNotice(d, { deliveryId: did('oWindow45047'), lastAttempt: false })).toEqual({ outcome: 'skipped', status: 'cancelled' });
    await sweeping;
    expect(env.mock.calls()).toEqual([]);
  });

  it('a claim left by a dead sender (lease over) is taken over, sent and flagged', async () => {
    await env.rt.models.Delivery.updateOne(
      { _id: records.get('oSpent')!._id },
      { $set: { status: 'sending', claimedAt: new Date(Date.now() - 60_000), claimedBy: 'dead:1#1', attempts: 1 } },
    );
    expect(await deliverNotice(d, { deliveryId: did('oSpent'), lastAttempt: false })).toMatchObject({ outcome: 'sent', recovered: true });
    expect((await byOpenid(id)).get('oSpent')).toMatchObject({ status: 'sent', recoveredFromCrash: true, attempts: 2 });
  });

  it('a send that WeChat took but the database did not record is recorded, not sent again', async () => {
    await d.store.noteSent(did('oClosed'), { at: new Date().toISOString(), channel: 'template', msgid: 4242 });
    expect(await deliverNotice(d, { deliveryId: did('oClosed'), lastAttempt: false })).toMatchObject({ outcome: 'sent', channel: 'template' });
    expect(env.mock.calls()).toEqual([]);
    expect((await byOpenid(id)).get('oClosed')).toMatchObject({ status: 'sent', msgid: 4242 });
  });

  it('no template configured: outside the window the delivery fails no_template; inside, customer service still works', async () => {
    const noTemplate = { ...d, templateId: '' };
    expect(await deliverNotice(noTemplate, { deliveryId: did('oWindow45015'), lastAttempt: false })).toMatchObject({ outcome: 'sent', channel: 'kf' });
    expect(await deliverNotice(noTemplate, { deliveryId: did('oMany'), lastAttempt: false })).toEqual({ outcome: 'failed', reason: 'no_template' });
    expect(env.mock.calls().map((c) => c.endpoint)).toEqual(['custom_send']);
  });

  it('a cancelled notice: the delivery is cancelled without a send and a sweep is requested', async () => {
    const { cancel } = await import('./helpers.js');
    await cancel(env.rt, id);
    expect(await deliverNotice(d, { deliveryId: did('oKf'), lastAttempt: false })).toEqual({ outcome: 'cancelled' });
    expect(d.sweeps).toEqual([id]);
    expect(env.mock.calls()).toEqual([]);
    expect((await byOpenid(id)).get('oKf')).toMatchObject({ status: 'cancelled' });
  });
});

describe('completion', () => {
  it('is marked once every record is finished, idempotently', async () => {
    const id = await releasedNotice(env.rt, { targets: { tags: ['dialysis'] } });
    const d = deps();
    await runFanout(d, id);
    expect(await checkCompletion(d, id)).toMatchObject({ complete: false, progress: { total: 1, pending: 1 } });
    for (const job of d.queued) expect((await deliverNotice(d, { deliveryId: job.deliveryId, lastAttempt: false })).outcome).toBe('sent');
    // The last delivery saw the tally reach the total and completed the notice itself.
    const n = await notice(env.rt, id);
    expect(n?.status).toBe('completed');
    expect(await checkCompletion(d, id)).toMatchObject({ complete: true });
    const trail = await env.rt.models.AuditEntry.find({ subjectId: id }).sort({ seq: 1 }).lean();
    expect(trail.map((e) => e.action)).toEqual(['create', 'verify', 'edit', 'release', 'sending', 'complete']);
    expect(trail.at(-1)?.meta).toMatchObject({ total: 1, sent: 1, failed: 0 });
  });

  it('a notice with no recipients completes at fan-out', async () => {
    const id = await releasedNotice(env.rt, { targets: { tags: ['nobody-has-this'] } });
    expect(await runFanout(deps(), id)).toEqual({ outcome: 'completed', total: 0 });
    expect((await notice(env.rt, id))?.status).toBe('completed');
  });
});
