/**
 * Cancelling a notice mid-broadcast stops its sends: within the notice cache's half second no
 * worker sends it again, the queued batch jobs are swept (not worked through at the rate limit),
 * no job is left behind, and every delivery ends `sent` or `cancelled`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveProgress } from '../../../handlers/broadcast/progress.js';
import { redisBroadcastStore } from '../../../bot/broadcast/store.js';
import {
  broadcastEnv,
  cancel,
  deliveries,
  notice,
  openids,
  progress,
  releasedNotice,
  seedResidents,
  sendCalls,
  startWorker,
  waitFor,
  type BroadcastEnv,
  type WorkerChild,
} from '../../handlers/broadcast/helpers.js';

const N = 400;
const ids = openids('oCancel', N);

let env: BroadcastEnv;
let worker: WorkerChild;

beforeAll(async () => {
  env = await broadcastEnv('bc_cancel');
  await seedResidents(
    env.rt.models,
    ids.map((openid) => ({ openid })),
  );
  worker = await startWorker(env.workerEnv({ WORKER_CONCURRENCY: '10', BROADCAST_RATE_PER_S: '25' }));
});

afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

describe('cancel', () => {
  it('stops further sends and sweeps the rest', async () => {
    const id = await releasedNotice(env.rt, { title: 'cancel me' });
    await waitFor('some sends', async () => sendCalls(env.mock.calls()).length >= 40, 30_000, 20);
    const mid = await progress(env.rt, id);
    expect(mid.total).toBe(N); // progress is visible while it runs
    expect(mid.pending).toBeGreaterThan(0);
    const live = await liveProgress({ models: env.rt.models, store: redisBroadcastStore(env.rt.redis) }, id);
    expect(live).toMatchObject({ total: N, failed: 0, fanoutDone: true });
    expect(live.sent).toBeGreaterThanOrEqual(mid.sent);
    expect(live.sent + live.pending).toBe(N);
    await cancel(env.rt, id);
    const cancelledAt = Date.now();

    // Closed once no batch job of it is running or queued: nothing can send after that.
    await waitFor(
      'the deliver queue drained',
      async () => Object.values(await env.rt.queues.noticeDeliver.getJobCounts('active', 'waiting', 'delayed', 'prioritized')).every((n) => n === 0),
      20_000,
      100,
    );
    const p = await progress(env.rt, id);
    const sentCalls = sendCalls(env.mock.calls());
    const late = sentCalls.filter((c) => c.time > cancelledAt + 1000);
    console.log(
      `cancel: ${p.sent} sent (${sentCalls.filter((c) => c.time > cancelledAt).length} in the second after the cancel), ${p.cancelled} cancelled, closed ${Date.now() - cancelledAt} ms after`,
    );
    expect(late).toEqual([]);
    expect(p.sent + p.cancelled).toBe(N);
    expect(p.sent).toBe(sentCalls.length);
    expect(p.cancelled).toBeGreaterThan(N / 2);
    expect((await notice(env.rt, id))?.status).toBe('cancelled');
    expect((await deliveries(env.rt, id)).every((d) => d.status === 'sent' || d.status === 'cancelled')).toBe(true);
    // No job left behind (none parked as delayed): the deliver queue is empty.
    expect(await env.rt.queues.noticeDeliver.count()).toBe(0);
  }, 40_000);
});
