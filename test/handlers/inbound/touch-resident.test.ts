import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoUri } from '../../support/services.js';
import { bindModels, syncIndexes, type Models } from '../../../models/index.js';
import { residentIdFor } from '../../../models/resident.js';
import { touchResident, touchResidentOnce } from '../../../handlers/inbound/touch-resident.js';
import { eventFrom, textFrom } from '../../support/inbound.js';

let conn: mongoose.Connection;
let models: Models;

const text = (fromUser: string) => ({ ...textFrom(fromUser), msgId: '1', dedupKey: `msg:${fromUser}:1` });
const event = eventFrom;

beforeAll(async () => {
  conn = await mongoose.createConnection(mongoUri('touch')).asPromise();
  models = bindModels(conn);
  await syncIndexes(models);
});
afterAll(() => conn?.close());

describe('touchResident', () => {
  it('creates a first-seen resident under the _id derived from (channel, openid)', async () => {
    const view = await touchResident(models, 'wechat', text('alice'), new Date('2026-11-28T10:00:00Z'));
    expect(view.id).toBe(String(residentIdFor('wechat', 'alice')));
    const doc = await models.Resident.findById(view.id).lean();
    expect(doc).toMatchObject({ channel: 'wechat', openid: 'alice', subscribed: true, language: 'zh-CN', kfSentSinceInbound: 0 });
    expect(doc?.lastInboundAt?.toISOString()).toBe('2026-11-28T10:00:00.000Z');
    expect(residentIdFor('wecom', 'alice').equals(residentIdFor('wechat', 'alice'))).toBe(false);
  });

  it('concurrent first messages create exactly one resident', async () => {
    const views = await Promise.all(Array.from({ length: 5 }, () => touchResident(models, 'wechat', text('bob'), new Date())));
    expect(new Set(views.map((v) => v.id)).size).toBe(1);
    expect(await models.Resident.countDocuments({ openid: 'bob' })).toBe(1);
  });

  it('finds a resident imported under another _id instead of failing', async () => {
    const imported = await models.Resident.create({ channel: 'wechat', openid: 'carol', language: 'en' });
    const view = await touchResident(models, 'wechat', text('carol'), new Date());
    expect(view.id).toBe(String(imported._id));
    expect(view.language).toBe('en');
    expect(await models.Resident.countDocuments({ openid: 'carol' })).toBe(1);
  });

  it('subscribe and unsubscribe update the subscribed flag and the QR scene', async () => {
    await touchResident(models, 'wechat', event('dave', 'subscribe', 'building-3'), new Date());
    expect(await models.Resident.findById(residentIdFor('wechat', 'dave')).lean()).toMatchObject({ subscribed: true, subscribeScene: 'building-3' });
    const gone = await touchResident(models, 'wechat', event('dave', 'unsubscribe'), new Date());
    expect(gone.subscribed).toBe(false);
  });
});

describe('touchResidentOnce (a message run again by the rescue job)', () => {
  const at = (s: string) => new Date(`2026-11-28T${s}Z`);

  it('leaves a resident alone when this inbound (or a newer one) is recorded already', async () => {
    await touchResident(models, 'wechat', text('erin'), at('10:00:00'));
    await models.Resident.updateOne({ _id: residentIdFor('wechat', 'erin') }, { $set: { kfSentSinceInbound: 3 } }); // replies sent since
    for (const receivedAt of [at('10:00:00'), at('09:59:00')]) {
      const view = await touchResidentOnce(models, 'wechat', text('erin'), receivedAt);
      expect(view.id).toBe(String(residentIdFor('wechat', 'erin')));
      expect(await models.Resident.findById(view.id).lean()).toMatchObject({ kfSentSinceInbound: 3, lastInboundAt: at('10:00:00') });
    }
  });

  it('records an inbound the dead run never recorded, and creates a resident never seen', async () => {
    await touchResident(models, 'wechat', text('fay'), at('10:00:00'));
    await models.Resident.updateOne({ _id: residentIdFor('wechat', 'fay') }, { $set: { kfSentSinceInbound: 5 } });
    await touchResidentOnce(models, 'wechat', text('fay'), at('10:05:00'));
    expect(await models.Resident.findById(residentIdFor('wechat', 'fay')).lean()).toMatchObject({ kfSentSinceInbound: 0, lastInboundAt: at('10:05:00') });
    await touchResidentOnce(models, 'wechat', event('gus', 'subscribe'), at('10:00:00'));
    expect(await models.Resident.findById(residentIdFor('wechat', 'gus')).lean()).toMatchObject({ subscribed: true, lastInboundAt: at('10:00:00') });
  });
});
