/**
 * The reminder before a task starts: a delayed job per task and start time fires for the roster
 * (not the waitlist); a moved start replaces the job; a cancelled task reminds nobody; a task
 * released too late for its reminder gets none. (`VOLUNTEER_REMINDER_LEAD_MIN=1`.) Tasks start an
 * hour or half an hour away and the test brings the due job forward (BullMQ `promote`) once the
 * roster is set, so no step races the reminder's clock; the job's due time is checked instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remindTask } from '../../../handlers/volunteers/tasks.js';
import { volunteerDeps } from '../../../bot/volunteers/deps.js';
import { waitFor } from '../../support/wait-for.js';
import { staffToken } from '../../support/runtime.js';
import { seedVolunteers, sentTo, staffApi, volunteerEnv, waitForMessage, type VolunteerEnv } from '../../support/volunteers.js';

let env: VolunteerEnv;
let lead: ReturnType<typeof staffApi>;

beforeAll(async () => {
  env = await volunteerEnv('volunteer_reminders', { VOLUNTEER_REMINDER_LEAD_MIN: '1' });
  lead = staffApi(env.base, await staffToken(env.rt.models, { role: 'volunteer_lead', community: 'c1' }));
  await seedVolunteers(
    env.rt,
    ['oRemA', 'oRemB', 'oRemC', 'oRemD'].map((openid) => ({ openid })),
  );
}, 60_000);

afterAll(async () => {
  await env?.close();
});

async function openTask(startsInMs: number, slots = 1): Promise<{ id: string; code: string; startsAt: string }> {
  const startsAt = new Date(Date.now() + startsInMs);
  const made = await lead.post('/volunteer-tasks', {
    title: '送药上门',
    place: '1号楼大堂',
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(),
    slots,
    community: 'c1',
  });
  expect(made.status).toBe(201);
  expect((await lead.post(`/volunteer-tasks/${made.body.id}/release`)).status).toBe(200);
  return made.body;
}

const reminded = (openid: string, code: string) => sentTo(env.mock, openid).filter((m) => m.includes(`提醒：您报名的任务 ${code}`));
const delayedFor = async (id: string) => (await env.rt.queues.volunteerReminders.getDelayed()).filter((j) => j.data.taskId === id);

describe('reminders', () => {
  it('fire before the start for the roster, not the waitlist', async () => {
    const t = await openTask(3600_000);
    expect(await env.player('oRemA').say(`接 ${t.code}`)).toContain('报名成功');
    expect(await env.player('oRemB').say(`接 ${t.code}`)).toContain('候补');
    const [job] = await delayedFor(t.id);
    // Due a minute before the start (give or take the moment between reading the clock and adding the job).
    const early = Date.parse(t.startsAt) - 60_000 - (job!.timestamp + job!.delay);
    expect(early).toBeLessThanOrEqual(0);
    expect(early).toBeGreaterThan(-5_000);
    await job!.promote(); // due now
    await waitForMessage(env.mock, 'oRemA', `提醒：您报名的任务 ${t.code}`);
    await waitFor('the reminder job done', async () => (await env.rt.queues.volunteerReminders.getCompletedCount()) >= 1);
    expect(reminded('oRemA', t.code)).toHaveLength(1);
    expect(reminded('oRemB', t.code)).toHaveLength(0);
  });

  it('a moved start replaces the job, and the old one would remind nobody', async () => {
    const t = await openTask(3600_000);
    expect(await env.player('oRemC').say(`接 ${t.code}`)).toContain('报名成功');
    expect((await delayedFor(t.id)).map((j) => j.data.startsAtMs)).toEqual([Date.parse(t.startsAt)]);
    const soon = new Date(Date.now() + 1800_000);
    await lead.patch(`/volunteer-tasks/${t.id}`, { startsAt: soon.toISOString(), endsAt: new Date(soon.getTime() + 3600_000).toISOString() });
    const moved = await delayedFor(t.id);
    expect(moved.map((j) => j.data.startsAtMs)).toEqual([soon.getTime()]);
    await moved[0]!.promote(); // due now
    await waitForMessage(env.mock, 'oRemC', `提醒：您报名的任务 ${t.code}`);
    expect(await remindTask(volunteerDeps(env.rt), t.id, Date.parse(t.startsAt))).toEqual({ skipped: 'rescheduled' });
    expect(reminded('oRemC', t.code)).toHaveLength(1);
  });

  it('a cancelled task reminds nobody; a task released too late for its reminder gets no job', async () => {
    const t = await openTask(3600_000);
    await env.player('oRemD').say(`接 ${t.code}`);
    expect(await delayedFor(t.id)).toHaveLength(1);
    await lead.post(`/volunteer-tasks/${t.id}/cancel`);
    expect(await delayedFor(t.id)).toHaveLength(0);
    expect(await remindTask(volunteerDeps(env.rt), t.id, Date.parse(t.startsAt))).toEqual({ skipped: 'cancelled' });
    const late = await openTask(30_000);
    expect(await delayedFor(late.id)).toHaveLength(0);
  });
});
