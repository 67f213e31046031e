/**
 * A broadcast to 2,000 residents through two worker child processes while the mock WeChat API
 * answers 5% of sends with -1 (busy) and 1% of residents have unfollowed (43004): every
 * subscribed resident gets the notice exactly once — counted from the mock's record of
 * successful sends — and the rest is recorded (failed 43004, resident marked unsubscribed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveProgress } from '../../../handlers/broadcast/progress.js';
import { redisBroadcastStore } from '../../../bot/broadcast/store.js';
import {
  broadcastEnv,
  deliveries,
  notice,
  openids,
  releasedNotice,
  seedResidents,
  settled,
  startWorker,
  successfulSends,
  waitFor,
  type BroadcastEnv,
  type WorkerChild,
} from '../../handlers/broadcast/helpers.js';

const N = 2000;
const ids = openids('oOnce', N);
const unsubscribed = ids.filter((_, i) => i % 100 === 7); // 1%
const windowOpen = new Set(ids.filter((_, i) => i % 10 === 3)); // 10% inside the 48-hour window

let env: BroadcastEnv;
const workers: WorkerChild[] = [];

beforeAll(async () => {
  env = await broadcastEnv('bc_once', { mock: { unsubscribed } });
  const hourAgo = new Date(Date.now() - 3600_000);
  await seedResidents(
    env.rt.models,
    ids.map((openid) => ({ openid, ...(windowOpen.has(openid) ? { lastInboundAt: hourAgo } : {}) })),
  );
  for (const endpoint of ['custom_send', 'template_send']) env.mock.setFault(endpoint, { errcode: -1, rate: 0.05 });
  const workerEnv = env.workerEnv({ WORKER_CONCURRENCY: '20' });
  workers.push(...(await Promise.all([startWorker(workerEnv), startWorker(workerEnv)])));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await env?.close();
});

describe('2,000 recipients, 5% transient errors, 1% unsubscribed', () => {
  it('reaches every subscribed recipient exactly once and records the rest', async () => {
    const started = Date.now();
    const id = await releasedNotice(env.rt, { title: 'exactly once' });
    const p = await settled(env.rt, id, N, 50_000);
    const elapsed = Date.now() - started;

    const sends = successfulSends(env.mock.calls());
    const twice = [...sends].filter(([, c]) => c.length > 1).map(([o]) => o);
    expect(twice).toEqual([]);
    const missing = ids.filter((o) => !unsubscribed.includes(o) && !sends.has(o));
    expect(missing).toEqual([]);
    for (const o of unsubscribed) expect(sends.has(o)).toBe(false);
    expect(env.mock.stats().byEndpoint.template_send?.errcodes['-1'] ?? 0).toBeGreaterThan(0); // the faults did happen

    expect(p).toMatchObject({ total: N, sent: N - unsubscribed.length, failed: unsubscribed.length, pending: 0, cancelled: 0 });
    // The cheap live figures (fan-out count + tally) agree with the records.
    expect(await liveProgress({ models: env.rt.models, store: redisBroadcastStore(env.rt.redis) }, id)).toEqual({ ...p, fanoutDone: true });
    const ds = await deliveries(env.rt, id);
    const failed = ds.filter((d) => d.status === 'failed');
    expect(failed.every((d) => d.errcode === 43004 && d.failReason === 'unsubscribed')).toBe(true);
    expect(failed.map((d) => d.openid).sort()).toEqual([...unsubscribed].sort());
    const gone = await env.rt.models.Resident.find({ openid: { $in: unsubscribed } }).lean();
    expect(gone.every((r) => r.subscribed === false && r.unsubscribedAt)).toBe(true);
    // Channel per resident: the window-open ones by customer-service message, the rest by template.
    const sent = ds.filter((d) => d.status === 'sent');
    expect(
      sent
        .filter((d) => d.channel === 'kf')
        .map((d) => d.openid)
        .sort(),
    ).toEqual([...windowOpen].filter((o) => !unsubscribed.includes(o)).sort());
    expect(sent.filter((d) => d.channel === 'template').every((d) => typeof d.msgid === 'number')).toBe(true);
    expect(ds.some((d) => d.attempts > 1)).toBe(true); // retried through the -1s
    expect(ds.filter((d) => d.recoveredFromCrash)).toEqual([]);

    await waitFor('notice completed', async () => (await notice(env.rt, id))?.status === 'completed', 15_000);
    console.log(`exactly-once: ${N} recipients settled in ${elapsed} ms (${Math.round((N / elapsed) * 1000)}/s)`);
  }, 60_000);
});
