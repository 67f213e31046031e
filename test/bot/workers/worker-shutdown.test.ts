/**
 * `npm run worker` on SIGTERM finishes the jobs in hand before it exits: sends that WeChat is
 * still answering complete and are recorded `sent`; nothing is left `sending`, and no job is
 * started after the signal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  broadcastEnv,
  deliveries,
  openids,
  releasedNotice,
  seedResidents,
  startWorker,
  successfulSends,
  waitFor,
  type BroadcastEnv,
  type WorkerChild,
} from '../../handlers/broadcast/helpers.js';

const N = 40;
const CONCURRENCY = 5;
const ids = openids('oTerm', N);

let env: BroadcastEnv;
let worker: WorkerChild | undefined;
let first: string;

beforeAll(async () => {
  env = await broadcastEnv('bc_sigterm');
  await seedResidents(
    env.rt.models,
    ids.map((openid) => ({ openid })),
  );
  // Slow answers, so the worker certainly has sends in flight when the signal arrives.
  env.mock.setFault('template_send', { latencyMs: 1500 });
});

afterAll(async () => {
  worker?.kill();
  await env?.close();
});

describe('worker graceful shutdown', () => {
  it('finishes the sends in flight on SIGTERM, records them, and starts no new ones', async () => {
    worker = await startWorker(env.workerEnv({ WORKER_CONCURRENCY: String(CONCURRENCY) }));
    const id = await releasedNotice(env.rt, { title: 'sigterm' });
    first = id;
    const inFlight = await waitFor(
      'sends in flight',
      async () => {
        const sending = (await deliveries(env.rt, id)).filter((d) => d.status === 'sending');
        return sending.length >= CONCURRENCY ? sending : undefined;
      },
      20_000,
      50,
    );
    await worker.stop(); // SIGTERM, then wait for the exit
    const after = await deliveries(env.rt, id);
    const byId = new Map(after.map((d) => [String(d._id), d]));
    for (const d of inFlight) expect(byId.get(String(d._id))?.status, `delivery to ${d.openid}`).toBe('sent');
    expect(after.filter((d) => d.status === 'sending')).toEqual([]);
    const sent = after.filter((d) => d.status === 'sent').length;
    expect(sent).toBeLessThan(N); // it stopped: the rest wait for the next worker
    expect(successfulSends(env.mock.calls()).size).toBe(sent); // every send WeChat took is recorded
  }, 60_000);

  it('does not wait past SHUTDOWN_TIMEOUT_MS for a job that hangs', async () => {
    env.mock.setFault('template_send', { latencyMs: 4000 });
    const w = await startWorker(env.workerEnv({ WORKER_CONCURRENCY: '2', SHUTDOWN_TIMEOUT_MS: '500' }));
    worker = w;
    const hang = await releasedNotice(env.rt, { title: 'hang' });
    // Either notice's delivery will do (the first test left the rest of its batch queued ahead of these).
    const sending = async (id: string) => (await deliveries(env.rt, id)).some((d) => d.status === 'sending');
    await waitFor('a send in flight', async () => (await sending(first)) || (await sending(hang)), 20_000, 50);
    const started = Date.now();
    await w.stop();
    expect(Date.now() - started).toBeLessThan(3000); // not the 4 s the hanging send would take
  }, 60_000);
});
