/**
 * The promise: 50 volunteers answering a 5-place task at the same moment — real
 * concurrent webhook calls through the whole pipeline, half with `1` and half with `接 T1` —
 * give exactly 5 confirmations and 45 waitlist places (1..45), in the replies and the records.
 * Then the 5 leave at once and the first 5 of the waitlist move up, each told once; and the
 * ledger, lost from Redis, is rebuilt from the records as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentIdFor } from '../../../models/resident.js';
import type { TaskSignup } from '../../../models/volunteer-task.js';
import { openids } from '../../handlers/broadcast/helpers.js';
import { waitFor } from '../../support/wait-for.js';
import { staffToken } from '../../support/runtime.js';
import { answerOf, seedVolunteers, sentTo, staffApi, volunteerEnv, type VolunteerEnv } from '../../support/volunteers.js';

const N = 50;
const SLOTS = 5;
let env: VolunteerEnv;
let api: ReturnType<typeof staffApi>;
let task: { id: string; code: string };
const people = openids('oSlot', N);

beforeAll(async () => {
  env = await volunteerEnv('volunteer_slots');
  await seedVolunteers(
    env.rt,
    people.map((openid) => ({ openid })),
  );
  api = staffApi(env.base, await staffToken(env.rt.models, { role: 'volunteer_lead', community: 'c1' }));
  const startsAt = new Date(Date.now() + 3 * 24 * 3600_000);
  const created = await api.post('/volunteer-tasks', {
    title: '核酸检测点引导',
    place: '社区服务中心门口',
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 3 * 3600_000).toISOString(),
    slots: SLOTS,
    community: 'c1',
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  task = created.body;
  expect((await api.post(`/volunteer-tasks/${task.id}/release`)).body).toMatchObject({ prompted: N });
  await waitFor('every prompt sent', async () => people.every((o) => sentTo(env.mock, o).some((m) => m.includes(`志愿任务 ${task.code}`))), 60_000, 100);
}, 120_000);

afterAll(async () => {
  await env?.close();
});

const records = () => env.rt.models.TaskSignup.find({ taskId: task.id }).lean<TaskSignup[]>();
const say = (openid: string, text: string) => answerOf(env, openid, () => env.player(openid).push({ type: 'text', content: text }));

describe('slots under concurrency', () => {
  it('50 concurrent replies to a 5-place task: exactly 5 confirmed and 45 waitlisted, in the replies and the records', async () => {
    const replies = await Promise.all(people.map((o, i) => say(o, i % 2 ? '1' : `接 ${task.code}`)));
    const confirmed = people.filter((_, i) => replies[i]!.includes('报名成功'));
    const waitlisted = people.filter((_, i) => replies[i]!.includes('候补第'));
    expect(confirmed).toHaveLength(SLOTS);
    expect(waitlisted).toHaveLength(N - SLOTS);
    const positions = waitlisted.map((o) => Number(/候补第 (\d+) 位/.exec(replies[people.indexOf(o)]!)![1]));
    expect([...positions].sort((a, b) => a - b)).toEqual(Array.from({ length: N - SLOTS }, (_, i) => i + 1));

    const stored = await records();
    expect(stored).toHaveLength(N);
    const of = (status: string) => stored.filter((r) => r.status === status);
    expect(
      of('confirmed')
        .map((r) => String(r.residentId))
        .sort(),
    ).toEqual(confirmed.map((o) => String(residentIdFor('wechat', o))).sort());
    expect(of('waitlisted')).toHaveLength(N - SLOTS);
    expect(new Set(stored.map((r) => r.seq)).size).toBe(N); // one join order, no ties
    // The waitlist's queue order (seq) is the order of the positions told.
    const bySeq = of('waitlisted').sort((a, b) => a.seq - b.seq);
    for (const [i, r] of bySeq.entries())
      expect(positions[waitlisted.indexOf(people.find((o) => String(residentIdFor('wechat', o)) === String(r.residentId))!)]).toBe(i + 1);

    const view = await api.get(`/volunteer-tasks/${task.id}`);
    expect(view.body.roster).toHaveLength(SLOTS);
    expect(view.body.waitlist.map((p: { position: number }) => p.position)).toEqual(Array.from({ length: N - SLOTS }, (_, i) => i + 1));
  }, 180_000);

  it('the five confirmed leave at once: the first five on the waitlist move up, each told once', async () => {
    const stored = await records();
    const confirmed = people.filter((o) => stored.find((r) => String(r.residentId) === String(residentIdFor('wechat', o)))?.status === 'confirmed');
    const firstFive = stored
      .filter((r) => r.status === 'waitlisted')
      .sort((a, b) => a.seq - b.seq)
      .slice(0, SLOTS)
      .map((r) => people.find((o) => String(residentIdFor('wechat', o)) === String(r.residentId))!);
    const replies = await Promise.all(confirmed.map((o) => say(o, `退 ${task.code}`)));
    for (const r of replies) expect(r).toContain('已为您退出任务');
    for (const o of firstFive) await waitFor(`${o} told`, async () => sentTo(env.mock, o).some((m) => m.includes('候补转为正式')), 30_000, 50);
    const view = await api.get(`/volunteer-tasks/${task.id}`);
    expect(view.body.roster.map((p: { name: string }) => p.name).sort()).toEqual([...firstFive].sort());
    expect(view.body.waitlist).toHaveLength(N - 2 * SLOTS);
    // Nobody else was told they moved up, and nobody twice.
    await waitFor('the bulk queue drained', async () => (await env.rt.queues.bulkMessages.count()) === 0, 30_000, 100);
    const told = people.filter((o) => sentTo(env.mock, o).some((m) => m.includes('候补转为正式')));
    expect(told.sort()).toEqual([...firstFive].sort());
    for (const o of firstFive) expect(sentTo(env.mock, o).filter((m) => m.includes('候补转为正式'))).toHaveLength(1);
  }, 120_000);

  it('Redis loses the ledger: it is rebuilt from the records as it was, and the next join queues after the rest', async () => {
    const before = (await api.get(`/volunteer-tasks/${task.id}`)).body;
    await env.rt.redis.del(`linli:task:{${task.id}}:meta`, `linli:task:{${task.id}}:roster`, `linli:task:{${task.id}}:wait`);
    const after = (await api.get(`/volunteer-tasks/${task.id}`)).body;
    expect(after.roster).toEqual(before.roster);
    expect(after.waitlist).toEqual(before.waitlist);
    const leaver = people.find(
      (o) => !before.roster.some((p: { name: string }) => p.name === o) && !before.waitlist.some((p: { name: string }) => p.name === o),
    )!;
    expect(await say(leaver, `接 ${task.code}`)).toContain(`候补第 ${before.waitlist.length + 1} 位`);
  }, 60_000);
});
