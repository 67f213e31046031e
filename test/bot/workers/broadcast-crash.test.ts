/**
 * A worker process SIGKILLed in the middle of a batch, and a new one started. The kill must
 * catch sends in flight (members claimed in the log, outcome never written) — otherwise recovery
 * is not exercised and the test fails. Then: nobody is missing; no delivery recorded before the
 * kill is sent again; exactly the members in flight at the kill are sent again and flagged
 * `recoveredFromCrash` (at most the dead worker's WORKER_CONCURRENCY); only they may have been
 * sent twice. The mock answers sends after 40 ms, so the dead worker had sends WeChat took.
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

describe('a worker killed mid-batch', () => {
  it('loses nobody, re-sends nothing recorded, and re-sends (flagged) exactly what was in flight', async () => {
    const workerEnv = env.workerEnv({ WORKER_CONCURRENCY: String(CONCURRENCY) });
    const first = await startWorker(workerEnv);
    workers.push(first);
    const id = await releasedNotice(env.rt, { title: 'crash' });
    // Batches of 100 go one after the other: 250 sends is the middle of the third.
    await waitFor('250 sends', async () => successfulSends(env.mock.calls()).size >= 250, 30_000, 20);
    first.kill();
    const killedAt = Date.now();
    const atKill = await deliveries(env.rt, id); // the log as the dead worker left it
    const inFlight = new Set(atKill.filter((d) => d.status === 'sending').map((d) => d.openid));
    const recorded = atKill.filter((d) => d.status === 'sent').map((d) => d.openid);
    expect(inFlight.size, 'no send was in flight at the kill').toBeGreaterThan(0);
    expect(inFlight.size).toBeLessThanOrEqual(CONCURRENCY);
    const midBatch = [...new Set(atKill.map((d) => d.batchNo))].some((b) => {
      const members = atKill.filter((d) => d.batchNo === b);
      return members.some((d) => d.status === 'sent') && members.some((d) => d.status !== 'sent');
    });
    expect(midBatch, 'the kill did not land in the middle of a batch').toBe(true);
    workers.push(await startWorker(workerEnv));

    await settled(env.rt, id, N, 50_000);
    const recoveredIn = Date.now() - killedAt;
    const sends = successfulSends(env.mock.calls());
    expect(ids.filter((o) => !sends.has(o))).toEqual([]);
    for (const o of recorded) expect(sends.get(o), `${o} was recorded before the kill and sent again`).toHaveLength(1);

    const ds = await deliveries(env.rt, id);
    expect(ds.every((d) => d.status === 'sent')).toBe(true);
    const recovered = new Set(ds.filter((d) => d.recoveredFromCrash).map((d) => d.openid));
    expect([...recovered].sort()).toEqual([...inFlight].sort());
    const twice = [...sends].filter(([, c]) => c.length > 1).map(([o]) => o);
    for (const o of twice) expect(recovered.has(o), `${o} was sent twice without the recovered flag`).toBe(true);
    expect(twice.every((o) => sends.get(o)!.length === 2)).toBe(true);
    await waitFor('notice completed', async () => (await env.rt.models.Notice.findById(id).lean())?.status === 'completed', 25_000, 500);
    console.log(
      `crash: ${recorded.length} recorded and ${inFlight.size} in flight at the kill, ${recovered.size} recovered, ${twice.length} sent twice; settled ${recoveredIn} ms after the kill`,
    );
  }, 60_000);
});
