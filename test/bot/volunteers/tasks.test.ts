/**
 * Volunteer tasks through the staff API and the chat: input checked (400 naming the field),
 * roles and scopes (403), codes counted per community even when created at once, prompts only to
 * approved volunteers whose skills and area suit the task, replies by `1`, `接 T…`, `接`, `退 T…`
 * (also in the middle of a form), a freed place moving the waitlist up (told), more places,
 * attendance, a changed time, and a cancellation everyone on the task hears about.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffToken } from '../../support/runtime.js';
import { registerThroughChat } from '../../support/resident-player.js';
import { seedVolunteers, sentTo, staffApi, volunteerEnv, volunteerId, waitForMessage, type VolunteerEnv } from '../../support/volunteers.js';
import { waitFor } from '../../support/wait-for.js';

let env: VolunteerEnv;
let leadToken: string;
let lead: ReturnType<typeof staffApi>;
let committee: ReturnType<typeof staffApi>;
const DAY = 24 * 3600_000;

beforeAll(async () => {
  env = await volunteerEnv('volunteer_tasks');
  leadToken = await staffToken(env.rt.models, { role: 'volunteer_lead', community: 'c1' });
  lead = staffApi(env.base, leadToken);
  committee = staffApi(env.base, await staffToken(env.rt.models, { role: 'committee', community: 'c1' }));
  await seedVolunteers(env.rt, [
    { openid: 'oDriver', name: 'Driver', skills: ['driving'], area: 'community', building: 'b1' },
    { openid: 'oNurse', name: 'Nurse', skills: ['medical'], area: 'community', building: 'b2' },
    { openid: 'oB1Only', name: 'B1 only', area: 'building', building: 'b1' },
    { openid: 'oB2Only', name: 'B2 only', area: 'building', building: 'b2' },
    { openid: 'oEnglish', name: 'English', skills: ['driving', 'translation'], area: 'community', building: 'b2', language: 'en' },
    { openid: 'oOtherCommunity', name: 'Elsewhere', skills: ['driving'], community: 'c2', building: 'x1' },
  ]);
}, 60_000);

afterAll(async () => {
  await env?.close();
});

function taskBody(o: Record<string, unknown> = {}) {
  const startsAt = new Date(Date.now() + 2 * DAY);
  return {
    title: '给独居老人送药',
    place: '社区服务中心',
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 3 * 3600_000).toISOString(),
    slots: 2,
    community: 'c1',
    ...o,
  };
}

async function created(o: Record<string, unknown> = {}): Promise<{ id: string; code: string }> {
  const res = await lead.post('/volunteer-tasks', taskBody(o));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const say = (openid: string, text: string) => env.player(openid).say(text);
const promptedFor = (openid: string, code: string) =>
  sentTo(env.mock, openid).some((m) => m.includes(`志愿任务 ${code}`) || m.includes(`Volunteer task ${code}`));

describe('creating tasks', () => {
  it.each([
    ['a missing title', { title: undefined }, 'title'],
    ['an empty place', { place: '  ' }, 'place'],
    ['a start without a time zone', { startsAt: '2030-01-01T09:00:00' }, 'startsAt'],
    ['a start in the past', { startsAt: new Date(Date.now() - 3600_000).toISOString() }, 'startsAt'],
    ['an end before the start', { endsAt: new Date(Date.now() + DAY).toISOString() }, 'endsAt'],
    ['no places', { slots: 0 }, 'slots'],
    ['half a place', { slots: 1.5 }, 'slots'],
    ['an unknown skill', { skill: 'juggling' }, 'skill'],
    ['an unknown community', { community: 'nowhere' }, 'community'],
    ['an unknown building', { building: 'b9' }, 'building'],
    ['an unknown field', { colour: 'red' }, 'colour'],
  ])('refuses %s with 400 naming the field', async (_, change, field) => {
    const res = await lead.post('/volunteer-tasks', taskBody(change));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_input', details: { field } });
  });

  it('refuses other roles and places outside the scope; a body that is not JSON is 400', async () => {
    const government = staffApi(env.base, await staffToken(env.rt.models, { role: 'government', street: 's1' }));
    expect((await government.post('/volunteer-tasks', taskBody())).body.error).toBe('forbidden_role');
    const elsewhere = staffApi(env.base, await staffToken(env.rt.models, { role: 'volunteer_lead', community: 'c2' }));
    expect((await elsewhere.post('/volunteer-tasks', taskBody())).body.error).toBe('forbidden_scope');
    const b2 = staffApi(env.base, await staffToken(env.rt.models, { role: 'volunteer_lead', community: 'c1', building: 'b2' }));
    expect((await b2.post('/volunteer-tasks', taskBody({ building: 'b1' }))).body.error).toBe('forbidden_scope');
    expect((await b2.post('/volunteer-tasks', taskBody())).body.error).toBe('forbidden_scope'); // community-wide
    const headers = { authorization: `Bearer ${leadToken}`, 'content-type': 'application/json' };
    const raw = await fetch(`${env.base}/api/volunteer-tasks`, { method: 'POST', headers, body: '{"title":' });
    expect(raw.status).toBe(400);
    expect((await lead.get('/volunteer-tasks/0123456789abcdef01234567')).status).toBe(404);
    expect((await lead.get('/volunteer-tasks/not-an-id')).status).toBe(404);
  });

  it('codes count per community, and tasks created at the same moment get distinct codes', async () => {
    const many = await Promise.all(Array.from({ length: 6 }, (_, i) => lead.post('/volunteer-tasks', taskBody({ title: `并发任务 ${i}` }))));
    expect(many.map((r) => r.status)).toEqual(Array(6).fill(201));
    const codes = many.map((r) => r.body.code as string);
    expect(new Set(codes).size).toBe(6);
    for (const c of codes) expect(c).toMatch(/^T\d+$/);
    const c2 = staffApi(env.base, await staffToken(env.rt.models, { role: 'committee', community: 'c2' }));
    expect((await c2.post('/volunteer-tasks', taskBody({ community: 'c2' }))).body.code).toBe('T1');
    const list = await lead.get('/volunteer-tasks?status=draft');
    expect(list.body.tasks.map((t: { code: string }) => t.code)).toEqual(expect.arrayContaining(codes));
    expect(list.body.tasks.every((t: { community: string }) => t.community === 'c1')).toBe(true);
  });
});

describe('a task released to the volunteers it suits', () => {
  it('prompts only approved volunteers whose skill and area suit it; a second release reaches only newcomers', async () => {
    const driving = await created({ title: '接送透析病人', skill: 'driving', slots: 2 });
    expect((await lead.get(`/volunteer-tasks/${driving.id}`)).body).toMatchObject({ task: { status: 'draft' }, roster: [], waitlist: [] });
    expect(await say('oDriver', `接 ${driving.code}`)).toContain('还没开始招募');
    const released = await lead.post(`/volunteer-tasks/${driving.id}/release`);
    expect(released.body).toMatchObject({ task: { status: 'open', code: driving.code }, prompted: 2 });
    await waitFor('both prompts', async () => promptedFor('oDriver', driving.code) && promptedFor('oEnglish', driving.code));
    expect(sentTo(env.mock, 'oEnglish').find((m) => m.includes(driving.code))).toContain('volunteers with the skill \\"Driving\\"');
    for (const o of ['oNurse', 'oB1Only', 'oB2Only', 'oOtherCommunity']) expect(promptedFor(o, driving.code), o).toBe(false);
    expect((await lead.post(`/volunteer-tasks/${driving.id}/release`)).body.prompted).toBe(0);

    expect(await say('oDriver', '1')).toContain(`您已获得任务 ${driving.code}`);
    expect(await say('oEnglish', `join ${driving.code.toLowerCase()}`)).toContain(`You have a place on task ${driving.code}`);
    expect(await say('oNurse', `接 ${driving.code}`)).toContain('需要有“开车”特长');
    expect(await say('oOtherCommunity', `接 ${driving.code}`)).toContain(`没有找到任务 ${driving.code}`); // codes are per community
    expect(await say('oDriver', `接${driving.code}`)).toContain('已经在任务');
  });

  it('a building task reaches that building’s volunteers and the community-wide ones; the waitlist moves up when someone leaves', async () => {
    const b1 = await created({ title: '1号楼物资分发', building: 'b1', slots: 1 });
    expect((await lead.post(`/volunteer-tasks/${b1.id}/release`)).body.prompted).toBe(4); // Driver, Nurse, B1 only, English
    expect(promptedFor('oB2Only', b1.code)).toBe(false);
    await waitFor('the prompt to B1 only', async () => promptedFor('oB1Only', b1.code));

    expect(await say('oB1Only', '1')).toContain(`您已获得任务 ${b1.code}`);
    expect(await say('oNurse', '1')).toContain('候补第 1 位');
    expect(await say('oDriver', '接')).toContain('候补第 2 位'); // a bare 接: the latest prompt
    expect(await say('oNurse', `接 ${b1.code}`)).toContain('候补名单上，排第 1 位');

    expect(await say('oB1Only', `退 ${b1.code}`)).toContain('已为您退出任务');
    await waitForMessage(env.mock, 'oNurse', '候补转为正式');
    expect(await say('oB1Only', `退 ${b1.code}`)).toContain('没有报名任务');
    expect(await say('oDriver', `退 ${b1.code}`)).toContain('退出任务');
    const view = await committee.get(`/volunteer-tasks/${b1.id}`);
    expect(view.body.roster).toEqual([{ volunteerId: volunteerId('oNurse'), name: 'Nurse', mobile: '+8613800000000', position: 1, attended: null }]);
    expect(view.body.waitlist).toEqual([]);
  });

  it('more places move the waitlist up; fewer than confirmed is 409; attendance marks only the roster; a new time is told and reminded anew', async () => {
    const t = await created({ title: '核酸检测点引导', slots: 1 });
    await lead.post(`/volunteer-tasks/${t.id}/release`);
    expect(await say('oDriver', `接 ${t.code}`)).toContain('名额');
    expect(await say('oNurse', `接 ${t.code}`)).toContain('候补第 1 位');
    expect(await say('oEnglish', `join ${t.code}`)).toContain('number 2 on the waitlist');

    const more = await lead.patch(`/volunteer-tasks/${t.id}`, { slots: 2 });
    expect(more.body).toMatchObject({ slots: 2 });
    await waitForMessage(env.mock, 'oNurse', '候补转为正式');
    expect((await lead.patch(`/volunteer-tasks/${t.id}`, { slots: 1 })).body).toMatchObject({ error: 'conflict_state', details: { confirmed: 2 } });
    expect((await lead.patch(`/volunteer-tasks/${t.id}`, {})).status).toBe(400);
    expect((await lead.patch(`/volunteer-tasks/${t.id}`, { slots: -1 })).body.details).toEqual({ field: 'slots', reason: 'must be at least 1' });

    const marked = await lead.post(`/volunteer-tasks/${t.id}/attendance`, { volunteers: [volunteerId('oDriver')] });
    expect(marked.body.roster.map((p: { name: string; attended: boolean | null }) => [p.name, p.attended])).toEqual([
      ['Driver', true],
      ['Nurse', null],
    ]);
    const notOnRoster = await lead.post(`/volunteer-tasks/${t.id}/attendance`, { volunteers: [volunteerId('oEnglish')] });
    expect(notOnRoster.body).toMatchObject({ error: 'conflict_state', details: { volunteers: [volunteerId('oEnglish')] } });

    const later = new Date(Date.now() + 3 * DAY);
    const moved = await lead.patch(`/volunteer-tasks/${t.id}`, {
      startsAt: later.toISOString(),
      endsAt: new Date(later.getTime() + 7200_000).toISOString(),
      place: '东门',
    });
    expect(moved.body).toMatchObject({ place: '东门', startsAt: later.toISOString() });
    for (const o of ['oDriver', 'oNurse']) await waitForMessage(env.mock, o, `任务 ${t.code} 有变动`);
    await waitForMessage(env.mock, 'oEnglish', `Task ${t.code} has changed`);
    const jobs = (await env.rt.queues.volunteerReminders.getDelayed()).filter((j) => j.data.taskId === t.id);
    expect(jobs.map((j) => j.data.startsAtMs)).toEqual([later.getTime()]);
  });

  it('cancelling tells everyone on the roster and the waitlist once; the task takes nobody after', async () => {
    const t = await created({ title: '社区消杀', slots: 1 });
    await lead.post(`/volunteer-tasks/${t.id}/release`);
    await say('oDriver', `接 ${t.code}`);
    expect(await say('oEnglish', `join ${t.code}`)).toContain('waitlist');
    const cancelled = await committee.post(`/volunteer-tasks/${t.id}/cancel`, { reason: '天气原因改期' });
    expect(cancelled.body).toMatchObject({ task: { status: 'cancelled', cancelReason: '天气原因改期' }, told: 2 });
    await waitForMessage(env.mock, 'oDriver', `已取消：天气原因改期`);
    await waitForMessage(env.mock, 'oEnglish', 'is cancelled: 天气原因改期');
    expect((await committee.post(`/volunteer-tasks/${t.id}/cancel`)).body.told).toBe(0);
    expect(await say('oNurse', `接 ${t.code}`)).toContain('已取消');
    expect(await say('oDriver', `退 ${t.code}`)).toContain('已取消');
    expect((await lead.post(`/volunteer-tasks/${t.id}/release`)).body.error).toBe('conflict_state');
    expect((await lead.patch(`/volunteer-tasks/${t.id}`, { slots: 3 })).body.error).toBe('conflict_state');
    expect(await env.rt.queues.volunteerReminders.getJob(`remind-${t.id}-${Date.parse(cancelled.body.task.startsAt)}`)).toBeUndefined();
    await waitFor('the bulk queue drained', async () => (await env.rt.queues.bulkMessages.count()) === 0);
    expect(sentTo(env.mock, 'oDriver').filter((m) => m.includes('已取消'))).toHaveLength(1);
  });
});

describe('replies while a form is open', () => {
  it('接 T… and 退 T… are answered in the middle of a form, which then asks its question again; 1 answers the form', async () => {
    const t = await created({ title: '帮邻居买菜', slots: 3 });
    await seedVolunteers(env.rt, [{ openid: 'oInForm', name: 'In form', area: 'community' }]);
    await lead.post(`/volunteer-tasks/${t.id}/release`);
    await waitFor('the prompt', async () => promptedFor('oInForm', t.code));
    const r = env.player('oInForm');
    expect(await r.say('物资求助')).toContain('需要哪类物资');
    const joined = await r.say(`接 ${t.code}`);
    expect(joined).toMatch(new RegExp(`您已获得任务 ${t.code}[\\s\\S]*需要哪类物资`));
    expect(await r.say('1')).toContain('请写下需要的物品'); // the form's answer: food
    expect(await r.say(`退 ${t.code}`)).toMatch(/已为您退出任务[\s\S]*请写下需要的物品/);
    expect(await r.say('取消')).toContain('已取消');
  });

  it('an approved volunteer with no prompt in the last 24 hours: 1 is the health report, as for everyone', async () => {
    const r = await registerThroughChat(env.player('oNoPrompt'));
    await env.rt.models.Resident.updateOne({ openid: 'oNoPrompt' }, { $set: { volunteerStatus: 'approved' } });
    expect(await r.say('1')).toContain('请回复今天的体温');
  });
});
