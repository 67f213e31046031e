/**
 * The webhook's resident store (Redis hash per resident, written back to MongoDB behind the reply):
 * what a message sees comes from Redis, what MongoDB gets comes through the write-back, and a
 * change made in between is never lost or overwritten by an older one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedResidentStore } from '../../../bot/residents/cache.js';
import { residentKey } from '../../../bot/residents/keys.js';
import { drainResidentChanges, pendingResidents } from '../../../bot/residents/write-back.js';
import type { ResidentStore } from '../../../handlers/inbound/touch-resident.js';
import { residentIdFor } from '../../../models/resident.js';
import { eventFrom, textFrom } from '../../support/inbound.js';
import { createTestRuntime, type TestRuntime } from '../../support/runtime.js';

let t: TestRuntime;
let store: ResidentStore;
const writeBack = () => drainResidentChanges({ redis: t.rt.redis, models: t.rt.models, writeBackMs: 1000 });
const stored = (openid: string) => t.rt.models.Resident.findById(residentIdFor('wechat', openid)).lean();

const text = textFrom;
const event = eventFrom;
const at = (hms: string) => new Date(`2026-11-28T${hms}Z`);

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'resident_cache' });
  store = cachedResidentStore({ redis: t.rt.redis, models: t.rt.models, writeBackMs: 60_000 });
});
afterAll(() => t?.close());

describe('a resident seen for the first time', () => {
  it('is created in MongoDB before the touch answers (first contact stays synchronous), and cached', async () => {
    const view = await store.touch('wechat', event('oNew', 'subscribe', 'building-3'), at('10:00:00'));
    expect(view).toMatchObject({
      id: String(residentIdFor('wechat', 'oNew')),
      language: 'zh-CN',
      subscribed: true,
      subscribeScene: 'building-3',
      registered: false,
    });
    expect(await stored('oNew')).toMatchObject({ subscribed: true, subscribeScene: 'building-3', lastInboundAt: at('10:00:00'), kfSentSinceInbound: 0 });
    expect(await t.rt.redis.hget(residentKey('wechat', 'oNew'), 'in')).toBe(String(at('10:00:00').getTime()));
    expect(await t.rt.redis.zscore('linli:resident-dirty', 'wechat:oNew')).toBeNull(); // nothing left to write
  });

  it('concurrent first messages create exactly one resident and one cache entry', async () => {
    const views = await Promise.all(Array.from({ length: 5 }, () => store.touch('wechat', text('oRace'), at('10:00:00'))));
    expect(new Set(views.map((v) => v.id)).size).toBe(1);
    expect(await t.rt.models.Resident.countDocuments({ openid: 'oRace' })).toBe(1);
  });
});

describe('a resident in the cache', () => {
  it('every message moves the window in Redis only; the write-back brings MongoDB level, once per resident', async () => {
    await store.touch('wechat', text('oRegular'), at('10:00:00'));
    await writeBack(); // what earlier tests left
    await t.rt.models.Resident.updateOne({ _id: residentIdFor('wechat', 'oRegular') }, { $set: { kfSentSinceInbound: 4 } });
    for (const s of ['10:01:00', '10:02:00', '10:03:00']) await store.touch('wechat', text('oRegular'), at(s));
    expect(await stored('oRegular')).toMatchObject({ lastInboundAt: at('10:00:00'), kfSentSinceInbound: 4 });
    expect(await writeBack()).toBe(1); // three touches, one resident written
    expect(await stored('oRegular')).toMatchObject({ lastInboundAt: at('10:03:00'), kfSentSinceInbound: 0 });
    expect(await pendingResidents(t.rt.redis)).toBe(0);
    expect(await t.rt.redis.hexists(residentKey('wechat', 'oRegular'), 'p:in')).toBe(0);
    expect(await t.rt.redis.pttl(residentKey('wechat', 'oRegular'))).toBeGreaterThan(0); // clean again: may expire
  });

  it('a push that arrives late does not move the window back', async () => {
    await store.touch('wechat', text('oLate'), at('11:00:00'));
    await store.touch('wechat', text('oLate'), at('10:59:00'));
    await writeBack();
    expect((await stored('oLate'))?.lastInboundAt).toEqual(at('11:00:00'));
  });

  it('unsubscribe and subscribe again reach MongoDB, with their times', async () => {
    await store.touch('wechat', text('oLeaver'), at('09:00:00'));
    expect((await store.touch('wechat', event('oLeaver', 'unsubscribe'), at('09:10:00'))).subscribed).toBe(false);
    await writeBack();
    expect(await stored('oLeaver')).toMatchObject({ subscribed: false, unsubscribedAt: at('09:10:00') });
    expect((await store.touch('wechat', event('oLeaver', 'subscribe', 'gate-2'), at('09:20:00'))).subscribed).toBe(true);
    await writeBack();
    expect(await stored('oLeaver')).toMatchObject({ subscribed: true, subscribedAt: at('09:20:00'), subscribeScene: 'gate-2' });
  });

  it('a language change is seen by the next message and is in MongoDB before the reply (other senders read it there)', async () => {
    const view = await store.touch('wechat', text('oLang'), at('10:00:00'));
    await store.setLanguage(view, 'en');
    expect((await stored('oLang'))?.language).toBe('en');
    expect((await store.touch('wechat', text('oLang'), at('10:00:05'))).language).toBe('en');
    expect((await stored('oLang'))?.lastInboundAt).toEqual(at('10:00:00')); // the window goes behind the reply
    await writeBack();
    expect(await stored('oLang')).toMatchObject({ language: 'en', lastInboundAt: at('10:00:05') });
  });

  it('a registration stored in MongoDB is picked up by `changed()` without losing changes still waiting for the write-back', async () => {
    const view = await store.touch('wechat', text('oRegistering'), at('10:00:00'));
    await store.setLanguage(view, 'en');
    await store.touch('wechat', event('oRegistering', 'unsubscribe'), at('10:05:00')); // pending, not in MongoDB yet
    await t.rt.models.Resident.updateOne(
      { _id: view.id },
      { $set: { registration: { communityCode: 'c1', buildingCode: 'b1', room: '301' }, mobile: '+8613812345678', 'vulnerable.elderlyAlone': true } },
    );
    await store.changed('wechat', 'oRegistering');
    const next = await store.touch('wechat', text('oRegistering'), at('10:06:00'));
    expect(next).toMatchObject({
      language: 'en',
      registered: true,
      registration: { communityCode: 'c1', buildingCode: 'b1', room: '301' },
      mobile: '+8613812345678',
    });
    expect(next.vulnerable).toEqual(['elderlyAlone']);
    await writeBack();
    expect(await stored('oRegistering')).toMatchObject({
      language: 'en',
      subscribed: false,
      unsubscribedAt: at('10:05:00'),
      lastInboundAt: at('10:06:00'),
      registration: { communityCode: 'c1', room: '301' },
    });
  });

  it('a resident whose cache entry is gone is read from MongoDB again, and the touch still reaches MongoDB', async () => {
    await store.touch('wechat', text('oEvicted'), at('10:00:00'));
    await t.rt.models.Resident.updateOne({ _id: residentIdFor('wechat', 'oEvicted') }, { $set: { language: 'en' } });
    await t.rt.redis.del(residentKey('wechat', 'oEvicted')); // a week without messages
    expect((await store.touch('wechat', text('oEvicted'), at('12:00:00'))).language).toBe('en');
    expect((await stored('oEvicted'))?.lastInboundAt).toEqual(at('10:00:00'));
    await writeBack();
    expect((await stored('oEvicted'))?.lastInboundAt).toEqual(at('12:00:00'));
  });

  it('a resident imported under another _id is found by (channel, openid)', async () => {
    const imported = await t.rt.models.Resident.create({ channel: 'wechat', openid: 'oImported', language: 'en' });
    const view = await store.touch('wechat', text('oImported'), at('10:00:00'));
    expect(view).toMatchObject({ id: String(imported._id), language: 'en' });
    await writeBack();
    expect((await t.rt.models.Resident.findById(imported._id).lean())?.lastInboundAt).toEqual(at('10:00:00'));
    expect(await t.rt.models.Resident.countDocuments({ openid: 'oImported' })).toBe(1);
  });
});

describe('touchOnce (a message run again by the rescue job)', () => {
  it('records nothing when this inbound or a newer one is recorded, else records it', async () => {
    await store.touch('wechat', text('oRerun'), at('10:00:00'));
    await writeBack();
    for (const receivedAt of [at('10:00:00'), at('09:59:00')]) await store.touchOnce('wechat', text('oRerun'), receivedAt);
    expect(await pendingResidents(t.rt.redis)).toBe(0);
    await store.touchOnce('wechat', text('oRerun'), at('10:05:00'));
    await writeBack();
    expect((await stored('oRerun'))?.lastInboundAt).toEqual(at('10:05:00'));
  });
});
