/**
 * The fan-out and the completion, called directly (no queue): recipients into numbered batches,
 * resuming after a crash, the tally per batch, completion. Real Redis, FerretDB and the mock
 * WeChat API; the batch jobs are only recorded.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { broadcastEnv, deliveries, notice, openids, releasedNotice, seedResidents, type BroadcastEnv } from './helpers.js';
import { broadcastDeps } from '../../../bot/broadcast/deps.js';
import { runFanout } from '../../../handlers/broadcast/fanout.js';
import { deliverBatch } from '../../../handlers/broadcast/deliver.js';
import { checkCompletion } from '../../../handlers/broadcast/complete.js';
import { fanoutStates } from '../../../handlers/broadcast/state.js';
import type { BatchJobSpec, BroadcastDeps } from '../../../handlers/broadcast/ports.js';
import { tallyKey } from '../../../bot/broadcast/store.js';
import { residentIdFor } from '../../../models/resident.js';
import { exportTable } from '../../../handlers/exports/tables.js';
import { placeDirectory } from '../../../handlers/places/directory.js';
import { Types } from 'mongoose';

let env: BroadcastEnv;

interface Recorded extends BroadcastDeps {
  queued: BatchJobSpec[];
}

/** The real ports, except that batch jobs are recorded, not queued. */
function deps(): Recorded {
  const d = { ...broadcastDeps(env.rt, { noticeTtlMs: 0 }), queued: [] as BatchJobSpec[] } as Recorded;
  d.jobs = {
    addBatches: async (jobs) => void d.queued.push(...jobs),
    requeueBatches: async (jobs) => (d.queued.push(...jobs), jobs.length),
    removeBatches: async () => 0,
    requestSweep: async () => {},
  };
  return d;
}

beforeAll(async () => {
  env = await broadcastEnv('bc_fanout');
  await seedResidents(env.rt.models, [
    { openid: 'oMany', building: 'b1', tags: ['dialysis'], vulnerable: true, volunteer: true },
    ...openids('oFan', 11).map((openid) => ({ openid, building: 'b2' })),
    { openid: 'oOtherCommunity', community: 'c2', tags: ['dialysis'] },
  ]);
  await env.rt.models.Resident.insertMany([
    { _id: residentIdFor('wechat', 'oGone'), channel: 'wechat', openid: 'oGone', subscribed: false, registration: { communityCode: 'c1', buildingCode: 'b1' } },
  ]);
});

afterAll(async () => {
  await env?.close();
});

beforeEach(() => env.mock.clearCalls());

describe('fan-out', () => {
  it('one delivery per recipient, however many groups they are in; scope and subscription respected', async () => {
    const id = await releasedNotice(env.rt, {
      targets: { buildings: [{ community: 'c1', building: 'b1' }], tags: ['dialysis'], vulnerable: true, volunteers: true },
    });
    const d = deps();
    expect(await runFanout(d, id)).toMatchObject({ outcome: 'watching', total: 1 });
    expect((await deliveries(env.rt, id)).map((x) => x.openid)).toEqual(['oMany']);
    expect(d.queued).toEqual([{ noticeId: id, batchNo: 0, urgent: false }]);
    expect((await notice(env.rt, id))?.status).toBe('sending');
  });

  it('writes numbered batches of BROADCAST_BATCH_SIZE, one job each', async () => {
    const id = await releasedNotice(env.rt, { targets: { all: true } });
    const d = deps();
    expect(await runFanout(d, id, { batchSize: 5 })).toMatchObject({ outcome: 'watching', total: 12 });
    expect(d.queued.map((j) => j.batchNo)).toEqual([0, 1, 2]);
    const ds = await deliveries(env.rt, id);
    expect(ds.map((x) => x.batchNo)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2]);
    expect(new Set(ds.map((x) => x.openid)).size).toBe(12);
    expect(await fanoutStates(env.rt.models).findById(id).lean()).toMatchObject({ batches: 3, batchSize: 5, created: 12, total: 12, done: true });
  });

  it('resumes after a crash: batches written after the last save are taken as they are, nobody twice, newcomers included', async () => {
    const id = await releasedNotice(env.rt, { targets: { all: true } });
    let rounds = 0;
    const crashing = deps();
    const add = crashing.jobs.addBatches;
    // Batch size 2: a round is five batches (10 recipients); the second round dies after writing its batch.
    crashing.jobs.addBatches = async (jobs) => {
      if (++rounds === 2) throw new Error('worker died');
      await add(jobs);
    };
    await expect(runFanout(crashing, id, { batchSize: 2 })).rejects.toThrow('worker died');
    expect(await fanoutStates(env.rt.models).findById(id).lean()).toMatchObject({ created: 10, batches: 5, done: false, runs: 1 });
    expect(await deliveries(env.rt, id)).toHaveLength(12); // batch 5 written, its job not queued
    await seedResidents(env.rt.models, [{ openid: 'oLate', building: 'b3' }]); // registered meanwhile

    const again = deps();
    expect(await runFanout(again, id, { batchSize: 2 })).toMatchObject({ outcome: 'watching', total: 13 });
    expect(await fanoutStates(env.rt.models).findById(id).lean()).toMatchObject({ created: 13, batches: 7, total: 13, done: true, runs: 2 });
    expect(again.queued.map((j) => j.batchNo)).toEqual([5, 6]); // batch 5 found and queued again; the newcomer in 6
    const all = await deliveries(env.rt, id);
    expect(all).toHaveLength(13);
    expect(new Set(all.map((x) => x.openid)).size).toBe(13);
    expect(all.at(-1)?.openid).toBe('oLate');
  });
});

describe('completion', () => {
  it('is marked by the batch that finishes last, from the tally, idempotently', async () => {
    const id = await releasedNotice(env.rt, { targets: { buildings: [{ community: 'c1', building: 'b2' }] } });
    const d = deps();
    await runFanout(d, id, { batchSize: 4 });
    expect(await checkCompletion(d, id)).toMatchObject({ complete: false, finished: 0, progress: { total: 11, pending: 11 } });
    for (const job of d.queued) expect((await deliverBatch(d, { ...job, lastAttempt: false })).outcome).toBe('done');
    expect((await notice(env.rt, id))?.status).toBe('completed');
    expect(await checkCompletion(d, id)).toMatchObject({ complete: true });
    const trail = await env.rt.models.AuditEntry.find({ subjectId: id }).sort({ seq: 1 }).lean();
    expect(trail.map((e) => e.action)).toEqual(['create', 'verify', 'edit', 'release', 'sending', 'complete']);
    expect(trail.at(-1)?.meta).toMatchObject({ total: 11, sent: 11, failed: 0 });
  });

  it('the tally is set per batch, not added to: a batch run again counts once, and rebuilds a lost tally', async () => {
    const id = await releasedNotice(env.rt, { targets: { buildings: [{ community: 'c1', building: 'b2' }] } });
    const d = deps();
    await runFanout(d, id, { batchSize: 6 });
    const first = d.queued[0]!;
    expect(await deliverBatch(d, { ...first, lastAttempt: false })).toMatchObject({ outcome: 'done', sent: 6 });
    expect(await d.store.tally(id)).toMatchObject({ finished: 6, sent: 6, total: 11 });
    env.mock.clearCalls();
    expect(await deliverBatch(d, { ...first, lastAttempt: false })).toMatchObject({ outcome: 'done', sent: 6 });
    expect(env.mock.calls()).toEqual([]); // recorded: not sent again
    expect(await d.store.tally(id)).toMatchObject({ finished: 6, sent: 6 });
    await env.rt.redis.del(tallyKey(id)); // Redis lost it
    await deliverBatch(d, { ...first, lastAttempt: false });
    expect(await d.store.tally(id)).toMatchObject({ finished: 6, sent: 6 });
    expect(await d.store.batchTallies(id)).toEqual(new Map([[0, { finished: 6, size: 6 }]]));
  });

  it('the watcher queues again the batches without progress when the broadcast stalls', async () => {
    const id = await releasedNotice(env.rt, { targets: { buildings: [{ community: 'c1', building: 'b2' }] } });
    const d = deps();
    await runFanout(d, id, { batchSize: 6 });
    await deliverBatch(d, { ...d.queued[0]!, lastAttempt: false }); // batch 0 done, batch 1's job "lost"
    d.queued.length = 0;
    expect(await runFanout(d, id)).toMatchObject({ outcome: 'watching' }); // first look: progress since none
    expect(d.queued).toEqual([]);
    expect(await runFanout(d, id)).toMatchObject({ outcome: 'watching' }); // no progress since: re-queue
    expect(d.queued).toEqual([{ noticeId: id, batchNo: 1, urgent: false }]);
  });

  it('a notice with no recipients completes at fan-out', async () => {
    const id = await releasedNotice(env.rt, { targets: { tags: ['nobody-has-this'] } });
    expect(await runFanout(deps(), id)).toEqual({ outcome: 'completed', total: 0 });
    expect((await notice(env.rt, id))?.status).toBe('completed');
  });
});

describe('the deliveries export', () => {
  it('lists every delivery of the notices released in the range, from their batches and logs', async () => {
    const id = await releasedNotice(env.rt, { title: 'exported', targets: { buildings: [{ community: 'c1', building: 'b2' }] } });
    const d = deps();
    await runFanout(d, id, { batchSize: 4 });
    await deliverBatch(d, { ...d.queued[0]!, lastAttempt: false }); // one batch sent, two still pending
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10); // around today in any time zone
    const actor = {
      id: new Types.ObjectId().toHexString(),
      name: 'exporter',
      role: 'committee' as const,
      duties: [],
      scope: { streetCode: 's1', communityCode: 'c1' },
    };
    const table = await exportTable({ models: env.rt.models, places: placeDirectory(env.rt.models, env.rt.clock), clock: env.rt.clock }, actor, 'deliveries', {
      from: day(-1),
      to: day(1),
      format: 'csv',
    });
    const rows = table.rows.filter((r) => r[0] === id);
    expect(rows).toHaveLength(11);
    const status = table.columns.indexOf('status');
    expect(rows.filter((r) => r[status] === 'sent')).toHaveLength(4);
    expect(rows.filter((r) => r[status] === 'pending')).toHaveLength(7);
  });
});
