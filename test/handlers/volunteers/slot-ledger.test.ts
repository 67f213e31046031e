/**
 * The slot ledger's rules with real Redis and FerretDB, below the webhook: its scripts under
 * concurrent calls, and what happens around a crash — a retried message answers what its first
 * run decided, a decision whose record was never written is written when next seen, a record is
 * never set back by an older decision, and a ledger lost from Redis comes back from the records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { volunteerDeps } from '../../../bot/volunteers/deps.js';
import { bulkMessageId, bulkRecipients } from '../../../bot/outbound/bulk-messages.js';
import type { ResidentView } from '../../../handlers/inbound/touch-resident.js';
import { recordSignup } from '../../../handlers/volunteers/ledger.js';
import type { VolunteerDeps } from '../../../handlers/volunteers/ports.js';
import { getTask } from '../../../handlers/volunteers/task-view.js';
import { joinTask, leaveTask } from '../../../handlers/volunteers/task-replies.js';
import { createTask, releaseTask } from '../../../handlers/volunteers/tasks.js';
import type { Actor } from '../../../handlers/staff/access.js';
import { residentIdFor } from '../../../models/resident.js';
import { taskSignupIdFor, type TaskSignup } from '../../../models/volunteer-task.js';
import { seedVolunteers } from '../../support/volunteers.js';
import { createTestRuntime, seedPlaces, type TestRuntime } from '../../support/runtime.js';

let t: TestRuntime;
let deps: VolunteerDeps;
const lead: Actor = { id: 'lead-1', name: 'Lead', role: 'volunteer_lead', duties: [], scope: { streetCode: 's1', communityCode: 'c1' } };
const people = Array.from({ length: 8 }, (_, i) => `oLedger${i}`);

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'slot_ledger' });
  await seedPlaces(t.rt.models);
  await seedVolunteers(
    t.rt,
    people.map((openid) => ({ openid })),
  );
  deps = volunteerDeps(t.rt);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const rid = (openid: string) => String(residentIdFor('wechat', openid));
const view = (openid: string): ResidentView => ({
  id: rid(openid),
  channel: 'wechat',
  openid,
  language: 'zh-CN',
  subscribed: true,
  registered: true,
  registration: { communityCode: 'c1', buildingCode: 'b1' },
  vulnerable: [],
  volunteer: 'approved',
});
const record = (taskId: string, openid: string) => t.rt.models.TaskSignup.findById(taskSignupIdFor(taskId, rid(openid))).lean<TaskSignup>();

async function openTask(slots: number) {
  const startsAt = new Date(Date.now() + 86_400_000);
  const task = await createTask(deps, lead, {
    title: '分发物资',
    place: '广场',
    startsAt,
    endsAt: new Date(startsAt.getTime() + 3600_000),
    slots,
    community: 'c1',
  });
  await releaseTask(deps, task.id);
  return task;
}

describe('the ledger scripts', () => {
  it('200 concurrent joins of a 7-place task: 7 confirmed, 193 waitlisted in one queue', async () => {
    const task = await openTask(7);
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => deps.slots.join(task.id, `r${i}`)));
    expect(outcomes.filter((o) => o.kind === 'confirmed')).toHaveLength(7);
    const positions = outcomes.flatMap((o) => (o.kind === 'waitlisted' ? [o.position] : []));
    expect(positions.sort((a, b) => a - b)).toEqual(Array.from({ length: 193 }, (_, i) => i + 1));
    const state = (await deps.slots.state(task.id))!;
    expect([state.roster.length, state.waitlist.length, state.seq, state.ver]).toEqual([7, 193, 200, 200]);
  });

  it('resize never goes below the confirmed and moves the waitlist up; a closed task takes nobody and moves nobody up', async () => {
    const task = await openTask(2);
    for (const r of ['a', 'b', 'c', 'd']) await deps.slots.join(task.id, r);
    expect(await deps.slots.resize(task.id, 1)).toEqual({ kind: 'too_small', confirmed: 2 });
    expect(await deps.slots.resize(task.id, 3)).toMatchObject({ kind: 'resized', promoted: [{ residentId: 'c', seq: 3 }] });
    expect(await deps.slots.close(task.id)).toBe(true);
    expect(await deps.slots.join(task.id, 'e')).toEqual({ kind: 'closed' });
    expect(await deps.slots.leave(task.id, 'a')).toEqual({ kind: 'left', ver: expect.any(Number) }); // d stays waiting
    expect(await deps.slots.join(task.id, 'zz')).toEqual({ kind: 'closed' });
    expect(await deps.slots.close('0123456789abcdef01234567')).toBe(false);
    expect(await deps.slots.join('0123456789abcdef01234567', 'a')).toEqual({ kind: 'missing' });
  });
});

describe('around a crash', () => {
  it('a retried message answers what its first run decided; another message hears it is already done', async () => {
    const task = await openTask(1);
    const first = await joinTask(deps, view(people[0]!), { code: task.code }, 'msg-1#0');
    expect(first.key).toBe('volunteers:join.confirmed');
    expect((await joinTask(deps, view(people[0]!), { code: task.code }, 'msg-1#0')).key).toBe('volunteers:join.confirmed');
    expect((await joinTask(deps, view(people[0]!), { code: task.code }, 'msg-2#0')).key).toBe('volunteers:join.already_confirmed');
    expect(await record(task.id, people[0]!)).toMatchObject({ status: 'confirmed', sourceKey: 'msg-1#0' });
  });

  it('a decision whose record was lost is written when the volunteer asks again, or when staff read the task', async () => {
    const task = await openTask(2);
    // Redis decided; the process died before the record was written.
    await deps.slots.join(task.id, rid(people[1]!));
    await deps.slots.join(task.id, rid(people[2]!));
    expect(await record(task.id, people[1]!)).toBeNull();
    expect((await joinTask(deps, view(people[1]!), { code: task.code }, 'msg-3#0')).key).toBe('volunteers:join.confirmed');
    expect(await record(task.id, people[1]!)).toMatchObject({ status: 'confirmed', sourceKey: 'msg-3#0' });
    const seen = await getTask(deps, task.id);
    expect(seen.roster.map((p) => p.name)).toEqual([people[1], people[2]]);
    expect(await record(task.id, people[2]!)).toMatchObject({ status: 'confirmed', seq: 2 });
  });

  it('a retried leave still records and tells whoever moved up; an older decision never overwrites a newer one', async () => {
    const task = await openTask(1);
    await joinTask(deps, view(people[3]!), { code: task.code }, 'k-a');
    await joinTask(deps, view(people[4]!), { code: task.code }, 'k-b');
    expect((await leaveTask(deps, view(people[3]!), { code: task.code }, 'k-leave')).key).toBe('volunteers:leave.left');
    // The promotion's record lost: the retry of the same leave message writes it again.
    await t.rt.models.TaskSignup.deleteOne({ _id: taskSignupIdFor(task.id, rid(people[4]!)) });
    expect((await leaveTask(deps, view(people[3]!), { code: task.code }, 'k-leave')).key).toBe('volunteers:leave.left');
    const promoted = await record(task.id, people[4]!);
    expect(promoted).toMatchObject({ status: 'confirmed' });
    const told = await bulkRecipients(t.rt.redis, bulkMessageId('volunteer-promoted', `${task.id}:${rid(people[4]!)}:${promoted!.ver}`));
    expect(told).toEqual([rid(people[4]!)]);
    await recordSignup(t.rt.models, task.id, rid(people[4]!), { status: 'waitlisted', seq: 2, ver: promoted!.ver - 1 }, new Date());
    expect((await record(task.id, people[4]!))?.status).toBe('confirmed');
  });

  it('a ledger lost from Redis (emptied, as by a restart without persistence) comes back from the records', async () => {
    const task = await openTask(1);
    await joinTask(deps, view(people[5]!), { code: task.code }, 'k-5');
    await joinTask(deps, view(people[6]!), { code: task.code }, 'k-6');
    await t.rt.redis.flushall();
    expect(await deps.slots.state(task.id)).toBeNull();
    expect((await joinTask(deps, view(people[7]!), { code: task.code }, 'k-7')).params).toMatchObject({ position: 2 });
    const after = await getTask(deps, task.id);
    expect([after.roster.map((p) => p.name), after.waitlist.map((p) => p.name)]).toEqual([[people[5]], [people[6], people[7]]]);
  });
});
