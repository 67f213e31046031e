/**
 * Queue order: an urgent notice released behind a large normal one overtakes it (one worker
 * process, one job at a time, so only the order of the queue decides), and a scheduled release
 * waits for its time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockCall } from '../../../scripts/mock-wechat-api.js';
import {
  broadcastEnv,
  notice,
  openids,
  releasedNotice,
  seedResidents,
  sendCalls,
  settled,
  startWorker,
  waitFor,
  type BroadcastEnv,
  type WorkerChild,
} from '../../handlers/broadcast/helpers.js';

const NORMAL = 300;
const URGENT = 20;
const all = openids('oPrio', NORMAL);

let env: BroadcastEnv;
let worker: WorkerChild;

beforeAll(async () => {
  env = await broadcastEnv('bc_priority');
  await seedResidents(
    env.rt.models,
    all.map((openid, i) => ({ openid, tags: i < URGENT ? ['flood-zone'] : i < URGENT + 5 ? ['sched'] : [] })),
  );
  env.mock.setFault('template_send', { latencyMs: 15 });
  worker = await startWorker(env.workerEnv({ WORKER_CONCURRENCY: '1' }));
});

afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

const titleOf = (c: MockCall) => (c.body as { data?: { first?: { value?: string } } }).data?.first?.value ?? '';

describe('priority and schedule', () => {
  it('an urgent notice released after a big normal one is delivered before the normal one finishes', async () => {
    const normal = await releasedNotice(env.rt, { title: 'normal' });
    await waitFor('the normal broadcast under way', async () => sendCalls(env.mock.calls()).length >= 30, 30_000, 20);
    const urgent = await releasedNotice(env.rt, { title: 'urgent', urgent: true, targets: { tags: ['flood-zone'] } });
    await settled(env.rt, urgent, URGENT, 30_000);
    await settled(env.rt, normal, NORMAL, 40_000);

    const calls = sendCalls(env.mock.calls());
    const urgentSeqs = calls.filter((c) => titleOf(c) === 'urgent').map((c) => c.seq);
    const normalSeqs = calls.filter((c) => titleOf(c) === 'normal').map((c) => c.seq);
    expect(urgentSeqs).toHaveLength(URGENT);
    expect(normalSeqs).toHaveLength(NORMAL);
    const lastUrgent = Math.max(...urgentSeqs);
    const normalAfter = normalSeqs.filter((s) => s > lastUrgent).length;
    console.log(`priority: normal sends before the urgent release ≥30, after the last urgent send ${normalAfter} of ${NORMAL}`);
    expect(normalAfter).toBeGreaterThan(NORMAL / 3);
    // Once the urgent jobs were queued, they ran back to back (at most the one job in hand between).
    const firstUrgent = Math.min(...urgentSeqs);
    expect(normalSeqs.filter((s) => s > firstUrgent && s < lastUrgent).length).toBeLessThanOrEqual(1);
    await waitFor(
      'both completed',
      async () => (await notice(env.rt, urgent))?.status === 'completed' && (await notice(env.rt, normal))?.status === 'completed',
      15_000,
    );
  }, 50_000);

  it('a scheduled release fires at its time, not before', async () => {
    const sendAt = new Date(Date.now() + 4000);
    const id = await releasedNotice(env.rt, { title: 'scheduled', targets: { tags: ['sched'] }, sendAt });
    await new Promise((r) => setTimeout(r, 2500));
    expect((await notice(env.rt, id))?.status).toBe('released');
    expect(sendCalls(env.mock.calls()).filter((c) => titleOf(c) === 'scheduled')).toEqual([]);
    await settled(env.rt, id, 5, 20_000);
    const times = sendCalls(env.mock.calls())
      .filter((c) => titleOf(c) === 'scheduled')
      .map((c) => c.time);
    expect(times).toHaveLength(5);
    console.log(`schedule: first send ${Math.min(...times) - sendAt.getTime()} ms after sendAt`);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(sendAt.getTime());
    expect(Math.min(...times)).toBeLessThan(sendAt.getTime() + 3000);
  }, 50_000);
});
