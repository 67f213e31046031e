/**
 * A resident signs up to volunteer through the real webhook, staff approve or reject through the
 * API, and the volunteer is told either way (through the mock WeChat API); an approval puts them
 * in the notices' `volunteers` group. Denials: roles, scopes, two staff deciding at once, a
 * rejection without a reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentIdFor } from '../../../models/resident.js';
import { volunteerIdFor, type Volunteer } from '../../../models/volunteer.js';
import { registerThroughChat } from '../../support/resident-player.js';
import { staffToken } from '../../support/runtime.js';
import { staffApi, volunteerEnv, waitForMessage, type VolunteerEnv } from '../../support/volunteers.js';

let env: VolunteerEnv;
let lead: ReturnType<typeof staffApi>;
let committee: ReturnType<typeof staffApi>;
let elsewhere: ReturnType<typeof staffApi>;
let government: ReturnType<typeof staffApi>;

beforeAll(async () => {
  env = await volunteerEnv('volunteer_signup');
  const token = (o: Parameters<typeof staffToken>[1]) => staffToken(env.rt.models, o);
  lead = staffApi(env.base, await token({ role: 'volunteer_lead', community: 'c1' }));
  committee = staffApi(env.base, await token({ role: 'committee', community: 'c1' }));
  elsewhere = staffApi(env.base, await token({ role: 'committee', community: 'c2' }));
  government = staffApi(env.base, await token({ role: 'government', street: 's1' }));
}, 60_000);

afterAll(async () => {
  await env?.close();
});

const volunteer = (openid: string) => env.rt.models.Volunteer.findById(volunteerIdFor(residentIdFor('wechat', openid))).lean<Volunteer>();
const resident = (openid: string) => env.rt.models.Resident.findById(residentIdFor('wechat', openid)).lean();
const idOf = (openid: string) => String(volunteerIdFor(residentIdFor('wechat', openid)));
const volunteersGroup = async () => (await committee.post('/notices/preview-targets', { targets: { volunteers: true } })).body.count as number;

/** Sign up in Chinese: registered mobile, delivery and driving, weekends, the whole community. */
async function signUp(openid: string) {
  const r = await registerThroughChat(env.player(openid));
  expect(await r.say('3')).toContain('请问您怎么称呼');
  expect(await r.say('王芳')).toContain('138****5678');
  expect(await r.say('是')).toContain('特长');
  await r.say('1、4');
  await r.say('周末');
  expect(await r.say('社区内都可以')).toContain('您同意吗');
  expect(await r.say('是')).toContain('请核对您的报名信息');
  expect(await r.say('1')).toContain('报名已提交');
  return r;
}

describe('volunteer sign-up and approval', () => {
  it('a sign-up is stored pending; a volunteer lead approves it: the volunteer is told and joins the volunteers group', async () => {
    const groupBefore = await volunteersGroup();
    const r = await signUp('oVolWang');
    expect(await volunteer('oVolWang')).toMatchObject({
      name: '王芳',
      mobile: '+8613812345678',
      skills: ['delivery', 'driving'],
      availability: ['weekend'],
      area: 'community',
      communityCode: 'c1',
      buildingCode: 'b1',
      streetCode: 's1',
      status: 'pending',
      round: 1,
    });
    expect((await resident('oVolWang'))?.volunteerStatus).toBe('pending');
    expect(await r.say('志愿者')).toContain('正在审核中');

    const pending = await lead.get('/volunteers?status=pending');
    expect(pending.status).toBe(200);
    expect(pending.body.volunteers).toEqual([expect.objectContaining({ id: idOf('oVolWang'), name: '王芳', mobile: '+8613812345678', status: 'pending' })]);
    expect((await elsewhere.get('/volunteers?status=pending')).body.volunteers).toEqual([]); // another community's staff
    expect((await elsewhere.get('/volunteers?community=c1')).body.error).toBe('forbidden_scope');
    expect((await government.get('/volunteers')).body.error).toBe('forbidden_role');
    expect((await elsewhere.post(`/volunteers/${idOf('oVolWang')}/approve`)).body.error).toBe('forbidden_scope');

    const approved = await lead.post(`/volunteers/${idOf('oVolWang')}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: { name: expect.any(String) } });
    expect((await resident('oVolWang'))?.volunteerStatus).toBe('approved');
    expect(await volunteersGroup()).toBe(groupBefore + 1);
    await waitForMessage(env.mock, 'oVolWang', '志愿者报名已通过');
    expect(await r.say('3')).toContain('您已经是社区志愿者了');

    // The same call again answers the same; anybody else's decision now is a conflict.
    expect((await lead.post(`/volunteers/${idOf('oVolWang')}/approve`)).status).toBe(200);
    const late = await committee.post(`/volunteers/${idOf('oVolWang')}/reject`, { reason: '重复' });
    expect(late.status).toBe(409);
    expect(late.body.error).toBe('conflict_state');
  }, 90_000);

  it('a rejection needs a reason and is told in the volunteer’s language; they can sign up again, as a new round', async () => {
    const r = await registerThroughChat(env.player('oVolSam'), 'en');
    await r.say('volunteer');
    await r.say('Sam');
    await r.say('yes');
    await r.say('none');
    await r.say('any time');
    await r.say('only my building');
    await r.say('yes');
    expect(await r.say('yes')).toContain('Sign-up sent');
    const id = idOf('oVolSam');
    const noReason = await committee.post(`/volunteers/${id}/reject`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body).toMatchObject({ error: 'invalid_input', details: { field: 'reason' } });
    expect((await committee.post(`/volunteers/${id}/reject`, { reason: '   ' })).body.details).toEqual({ field: 'reason', reason: 'must not be empty' });
    expect((await committee.post(`/volunteers/${id}/approve`, { note: 'x' })).body).toMatchObject({ error: 'invalid_input', details: { field: 'note' } });
    expect((await committee.post('/volunteers/0123456789abcdef01234567/approve')).status).toBe(404);

    const rejected = await committee.post(`/volunteers/${id}/reject`, { reason: 'we need volunteers aged 18–65' });
    expect(rejected.body).toMatchObject({ status: 'rejected', reason: 'we need volunteers aged 18–65' });
    expect((await resident('oVolSam'))?.volunteerStatus).toBe('none');
    await waitForMessage(env.mock, 'oVolSam', 'not approved: we need volunteers aged 18–65');
    expect(await r.say('join T1')).toContain('Tasks are for community volunteers');

    expect(await r.say('3')).toContain('Welcome back');
    for (const answer of ['Sam Lee', 'yes', '1', 'weekends', '2', 'yes']) await r.say(answer);
    expect(await r.say('1')).toContain('Sign-up sent');
    expect(await volunteer('oVolSam')).toMatchObject({ name: 'Sam Lee', status: 'pending', round: 2, reason: null });
    expect((await lead.get('/volunteers?status=pending&community=c1')).body.volunteers.map((v: { id: string }) => v.id)).toContain(id);
  }, 90_000);

  it('two staff deciding the same sign-up at once: exactly one decision wins, the other gets 409', async () => {
    await signUp('oVolRace');
    const id = idOf('oVolRace');
    const [a, b] = await Promise.all([lead.post(`/volunteers/${id}/approve`), committee.post(`/volunteers/${id}/reject`, { reason: '名额已满' })]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? 'approved' : 'rejected';
    expect((await volunteer('oVolRace'))?.status).toBe(winner);
    expect(await env.rt.models.VolunteerDecision.countDocuments({ volunteerId: volunteerIdFor(residentIdFor('wechat', 'oVolRace')) })).toBe(1);
    await waitForMessage(env.mock, 'oVolRace', winner === 'approved' ? '已通过' : '没有通过');
  }, 90_000);
});
