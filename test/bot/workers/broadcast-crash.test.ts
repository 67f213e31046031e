/**
 * A worker process SIGKILLed in the middle of a broadcast, and a new one started: no recipient is
 * missing, and the only residents who got the notice twice are deliveries flagged
 * `recoveredFromCrash` — at most the dead worker's concurrency (the claims it held when it died).
 * The mock answers sends after 40 ms, so the dead worker had sends in flight that WeChat took.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  broadcastEnv,
  deliveries,
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

const N = 600;
const CONCURRENCY = 10;
const ids = openids('oCrash', N);

let env: BroadcastEnv;
const workers: WorkerChild[] = [];

beforeAll(async () => {
  env = await broadcastEnv('bc_crash');
  await seedResidents(
    env.rt.models,
    ids.map((openid) => ({ openid })),
  );
  env.mock.setFault('template_send', { latencyMs: 40 });
});

afterAll(async () => {
  for (const w of workers) w.kill();
  await env?.close();
});

describe('a worker killed mid-broadcast', () => {
  it('loses nobody; duplicates only among recovered deliveries, at most its concurrency', async () => {
    const workerEnv = env.workerEnv({ WORKER_CONCURRENCY: String(CONCURRENCY) });
    const first = await startWorker(workerEnv);
    workers.push(first);
    const id = await releasedNotice(env.rt, { title: 'crash' });
    await waitFor('a third of the sends', async () => successfulSends(env.mock.calls()).size >= N / 3, 30_000, 20);
    first.kill();
    const killedAt = Date.now();
    const sendingAtKill = (await deliveries(env.rt, id)).filter((d) => d.status === 'sending').length;
    workers.push(await startWorker(workerEnv));

    await settled(env.rt, id, N, 50_000);
    const recoveredIn = Date.now() - killedAt;
    const sends = successfulSends(env.mock.calls());
    expect(ids.filter((o) => !sends.has(o))).toEqual([]);

    const ds = await deliveries(env.rt, id);
    expect(ds.every((d) => d.status === 'sent')).toBe(true);
    const recovered = new Set(ds.filter((d) => d.recoveredFromCrash).map((d) => d.openid));
    const twice = [...sends].filter(([, c]) => c.length > 1).map(([o]) => o);
    for (const o of twice) expect(recovered.has(o), `${o} was sent twice without the recovered flag`).toBe(true);
    expect(twice.every((o) => sends.get(o)!.length === 2)).toBe(true);
    expect(recovered.size).toBeLessThanOrEqual(CONCURRENCY);
    // The tallies of the dead worker's claims were lost with it: the fan-out watcher completes the notice.
    await waitFor('notice completed', async () => (await env.rt.models.Notice.findById(id).lean())?.status === 'completed', 25_000, 500);
    console.log(
      `crash: ${sendingAtKill} claims open at the kill, ${recovered.size} recovered, ${twice.length} sent twice; settled ${recoveredIn} ms after the kill`,
    );
  }, 60_000);
});
