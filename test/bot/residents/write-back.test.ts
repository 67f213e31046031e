/**
 * The write-back from the resident cache to MongoDB: small batches, one writer at a time (FerretDB
 * 1.x wedges on big or concurrent multi-statement updates), a change made during a write kept for the next round,
 * a failed write losing nothing, and the loop the worker processes run.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedResidentStore } from '../../../bot/residents/cache.js';
import { residentKey } from '../../../bot/residents/keys.js';
import {
  WRITE_BACK_BATCH,
  drainResidentChanges,
  flushResidentChanges,
  pendingResidents,
  startResidentWriteBack,
  type WriteBackDeps,
} from '../../../bot/residents/write-back.js';
import type { ResidentStore } from '../../../handlers/inbound/touch-resident.js';
import { bindModels, type Models } from '../../../models/index.js';
import { residentIdFor } from '../../../models/resident.js';
import { eventFrom, textFrom } from '../../support/inbound.js';
import { createTestRuntime, type TestRuntime } from '../../support/runtime.js';

let t: TestRuntime;
let store: ResidentStore;
/** A second connection to the same database that reports every command it sends. */
let watched: mongoose.Connection;
let watchedModels: Models;
/** Statements per `update` command on the residents collection, in order. */
let updates: number[] = [];

const text = (fromUser: string) => textFrom(fromUser);
const deps = (models: Models = watchedModels): WriteBackDeps => ({ redis: t.rt.redis, models, writeBackMs: 0 });
const stored = (openid: string) => t.rt.models.Resident.findById(residentIdFor('wechat', openid)).lean();

/** `n` residents known to MongoDB and the cache, each with one pending touch at `at`. */
async function pendingTouches(prefix: string, n: number, at: Date): Promise<string[]> {
  const openids = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  await t.rt.models.Resident.insertMany(openids.map((openid) => ({ _id: residentIdFor('wechat', openid), channel: 'wechat', openid })));
  for (const openid of openids) await store.touch('wechat', text(openid), at);
  return openids;
}

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'write_back' });
  store = cachedResidentStore({ redis: t.rt.redis, models: t.rt.models, writeBackMs: 0 });
  watched = await mongoose.createConnection(t.config.MONGODB_URI, { monitorCommands: true }).asPromise();
  watchedModels = bindModels(watched);
  watched.getClient().on('commandStarted', (e) => {
    if (e.commandName === 'update' && e.command.update === 'residents') updates.push((e.command.updates as unknown[]).length);
  });
});
afterAll(async () => {
  await watched?.close();
  await t?.close();
});

describe('batches', () => {
  it('60 residents go out in update commands of 25 statements at most (FerretDB 1.x wedges on big ones), and all arrive', async () => {
    const at = new Date('2026-11-28T10:00:00Z');
    const openids = await pendingTouches('oBatch', 60, at);
    updates = [];
    expect(await drainResidentChanges(deps())).toBe(60);
    expect(WRITE_BACK_BATCH).toBe(25);
    expect(updates).toEqual([WRITE_BACK_BATCH, WRITE_BACK_BATCH, 60 - 2 * WRITE_BACK_BATCH]);
    expect(await t.rt.models.Resident.countDocuments({ openid: { $in: openids }, lastInboundAt: at })).toBe(60);
    expect(await pendingResidents(t.rt.redis)).toBe(0);
  });

  it('two writers at once: one writes, the other waits for the lease (never two update commands at a time); each resident written once', async () => {
    const at = new Date('2026-11-28T11:00:00Z');
    await pendingTouches('oShared', 40, at);
    updates = [];
    const results = await Promise.all([flushResidentChanges(deps()), flushResidentChanges(deps())]);
    expect([...results].sort()).toEqual([WRITE_BACK_BATCH, 'busy']);
    expect(await drainResidentChanges(deps())).toBe(40 - WRITE_BACK_BATCH);
    expect(updates).toEqual([WRITE_BACK_BATCH, 40 - WRITE_BACK_BATCH]);
    expect(await t.rt.models.Resident.countDocuments({ openid: /^oShared/, lastInboundAt: at })).toBe(40);
  });
});

describe('nothing is lost', () => {
  it('a change made while its resident is being written stays pending and goes out in the next round', async () => {
    const first = new Date('2026-11-28T12:00:00Z');
    const second = new Date('2026-11-28T12:00:30Z');
    await pendingTouches('oBusy', 1, first);
    // The resident writes again between the writer's claim and its write.
    const Resident = new Proxy(t.rt.models.Resident, {
      get(target, prop, receiver) {
        if (prop !== 'bulkWrite') return Reflect.get(target, prop, receiver);
        return async (...args: Parameters<typeof target.bulkWrite>) => {
          await store.touch('wechat', text('oBusy0'), second);
          return target.bulkWrite(...args);
        };
      },
    });
    await flushResidentChanges(deps({ ...t.rt.models, Resident }));
    expect((await stored('oBusy0'))?.lastInboundAt).toEqual(first);
    expect(await pendingResidents(t.rt.redis)).toBe(1);
    await drainResidentChanges(deps());
    expect((await stored('oBusy0'))?.lastInboundAt).toEqual(second);
  });

  it('a write that fails (MongoDB unreachable) leaves every change in Redis; the next writer delivers it', async () => {
    const at = new Date('2026-11-28T13:00:00Z');
    await pendingTouches('oOutage', 3, at);
    const gone = await mongoose.createConnection(t.config.MONGODB_URI).asPromise();
    await gone.close();
    await expect(flushResidentChanges(deps(bindModels(gone)), Infinity)).rejects.toThrow();
    expect(await pendingResidents(t.rt.redis)).toBe(3);
    expect(await t.rt.redis.hget(residentKey('wechat', 'oOutage0'), 'p:in')).toBe(String(at.getTime()));
    expect(await drainResidentChanges(deps())).toBe(3);
    expect(await t.rt.models.Resident.countDocuments({ openid: /^oOutage/, lastInboundAt: at })).toBe(3);
  });
});

describe('the loop in the worker processes', () => {
  it('writes a change once it is due, and stops on close', async () => {
    const at = new Date('2026-11-28T14:00:00Z');
    const delayed = cachedResidentStore({ redis: t.rt.redis, models: t.rt.models, writeBackMs: 300 });
    await t.rt.models.Resident.create({ _id: residentIdFor('wechat', 'oLoop'), channel: 'wechat', openid: 'oLoop' });
    await delayed.touch('wechat', text('oLoop'), new Date('2026-11-28T13:59:00Z'));
    await delayed.touch('wechat', eventFrom('oLoop', 'unsubscribe'), at);
    const running = startResidentWriteBack({ ...deps(t.rt.models), writeBackMs: 300 });
    try {
      const until = Date.now() + 10_000;
      while ((await stored('oLoop'))?.subscribed !== false) {
        if (Date.now() > until) throw new Error('the write-back loop never wrote oLoop');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await stored('oLoop')).toMatchObject({ subscribed: false, unsubscribedAt: at, lastInboundAt: at });
      expect(await pendingResidents(t.rt.redis)).toBe(0);
    } finally {
      await running.close();
    }
  });
});
