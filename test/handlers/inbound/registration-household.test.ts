/**
 * Registration in chat, through the real webhook, against households imported from a roster:
 * a resident whose room and mobile's last four digits match a roster member is linked to that
 * household (however the room is typed, with or without the unit); one who does not match does
 * not take it over; residents of one room share a household and its flags; registering again
 * elsewhere leaves the old household.
 */
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../bot/app.js';
import { appMounts } from '../../../bot/mounts.js';
import { householdIdFor, residentIdFor, type Household } from '../../../models/index.js';
import { importRoster } from '../../../handlers/residents/import-roster.js';
import { csvRows } from '../../../scripts/roster-file.js';
import { createTestRuntime, seedPlaces, serveApp, type TestRuntime } from '../../support/runtime.js';
import { wechatClient, type WechatTestClient } from '../../support/wechat-client.js';
import { residentPlayer } from '../../support/resident-player.js';

let t: TestRuntime;
let http: { url: string; close(): Promise<void> };
let wx: WechatTestClient;

const ROSTER = `楼栋,单元,房号,姓名,手机,特殊人群
b1,3,301,Ann,13900003001,独居老人
b1,3,301,Art,13900003002,
b2,2,402,Bo,13900004002,
`;

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'registration_household', env: { WECHAT_REPLY_DEADLINE_MS: '4900' } });
  await seedPlaces(t.rt.models);
  await importRoster(t.rt.models, { communityCode: 'c1', source: 'roster.csv', rows: csvRows(ROSTER) });
  http = await serveApp(createApp(t.rt, appMounts));
  wx = wechatClient(http.url, t.config);
});

afterAll(async () => {
  await http?.close();
  await t?.close();
});

interface Answers {
  building: string;
  room: string;
  size?: string;
  flags?: string;
  mobile?: string;
}

/** Register in chat as a resident would: "登记", then answer whatever is asked until it is done. */
async function register(openid: string, a: Answers): Promise<void> {
  // The summary repeats every question's label, so it is recognised first.
  const answers: Array<[RegExp, string]> = [
    [/核对登记信息/, '1'],
    [/哪个社区/, 'c1'],
    [/哪一栋楼/, a.building],
    [/单元和房号/, a.room],
    [/几个人/, a.size ?? '2'],
    [/特别关照/, a.flags ?? '无'],
    [/手机号/, a.mobile ?? '跳过'],
  ];
  const me = residentPlayer(wx, openid);
  let say = '登记';
  for (let i = 0; i < 10; i++) {
    const text = await me.say(say);
    if (/登记完成/.test(text)) return;
    const next = answers.find(([asked]) => asked.test(text));
    if (!next) throw new Error(`unexpected reply to ${say}: ${text}`);
    say = next[1];
  }
  throw new Error('registration did not finish');
}

const residentOf = (openid: string) => t.rt.models.Resident.findById(residentIdFor('wechat', openid)).lean();
const householdOf = (id: unknown) => t.rt.models.Household.findById(id).lean<Household>();
const ROSTER_301 = householdIdFor('c1', 'b1', '3', '301');

describe('registering a room of the roster', () => {
  it('links the resident whose mobile ends in a member\'s last four digits ("3-0301" is unit 3 room 301)', async () => {
    await register('oAnn', { building: 'b1', room: '3-0301', mobile: '139 0000 3001' });
    const ann = await residentOf('oAnn');
    expect(String(ann?.householdId)).toBe(String(ROSTER_301));
    const h = await householdOf(ROSTER_301);
    expect(h?.members.map((m) => [m.name, m.residentId && String(m.residentId)])).toEqual([
      ['Ann', String(ann?._id)],
      ['Art', undefined],
    ]);
    expect(h?.members[0]?.residentId).toBeInstanceOf(Types.ObjectId);
    // Ann said nobody needs special care, but the roster says an elderly person lives alone there.
    expect(ann).toMatchObject({ householdVulnerable: true, isVulnerable: true, vulnerable: { elderlyAlone: false } });
    expect(await t.rt.models.Household.countDocuments({ communityCode: 'c1', buildingCode: 'b1' })).toBe(1);
  });

  it('does not let a resident whose mobile does not match take the roster household over', async () => {
    await register('oMallory', { building: 'b1', room: '3单元301', mobile: '13900009999', flags: '5' });
    const mallory = await residentOf('oMallory');
    expect(String(mallory?.householdId)).not.toBe(String(ROSTER_301));
    const own = await householdOf(mallory?.householdId);
    expect(own).toMatchObject({ source: 'chat', buildingCode: 'b1', unit: '3', room: '301', vulnerable: ['infant'] });
    expect(own?.members.map((m) => String(m.residentId))).toEqual([String(mallory?._id)]);
    const roster = await householdOf(ROSTER_301);
    expect(roster?.members.map((m) => m.residentId && String(m.residentId))).toEqual([String((await residentOf('oAnn'))?._id), undefined]);
    expect(roster?.vulnerable).toEqual(['elderlyAlone']);
  });

  it('a resident without a mobile is not linked either', async () => {
    await register('oNoPhone', { building: 'b1', room: '3-301' });
    expect(String((await residentOf('oNoPhone'))?.householdId)).not.toBe(String(ROSTER_301));
  });

  it('links a resident who leaves out the unit the roster has, and fills the unit in', async () => {
    await register('oBo', { building: 'b2', room: '402', mobile: '13900004002' });
    const bo = await residentOf('oBo');
    expect(String(bo?.householdId)).toBe(String(householdIdFor('c1', 'b2', '2', '402')));
    expect(bo?.registration).toMatchObject({ buildingCode: 'b2', unit: '2', room: '402' });
  });

  it("residents of a room not on the roster share one household, and one's flags count for the other", async () => {
    await register('oCy', { building: 'b2', room: '5-501', mobile: '13900005011' });
    expect(await residentOf('oCy')).toMatchObject({ isVulnerable: false });
    await register('oDi', { building: 'b2', room: '5-0501', flags: '婴幼儿', mobile: '13900005012' });
    const id = householdIdFor('c1', 'b2', '5', '501');
    expect(await householdOf(id)).toMatchObject({ source: 'chat', vulnerable: ['infant'], isVulnerable: true });
    expect((await householdOf(id))?.members).toHaveLength(2);
    expect(await residentOf('oCy')).toMatchObject({ householdVulnerable: true, isVulnerable: true });
    expect(await residentOf('oDi')).toMatchObject({ householdVulnerable: true, isVulnerable: true, vulnerable: { infant: true } });
  });

  it('registering again in another room leaves the old household (and its flags)', async () => {
    await register('oDi', { building: 'b1', room: '701', flags: '婴幼儿', mobile: '13900005012' });
    const id = householdIdFor('c1', 'b2', '5', '501');
    expect((await householdOf(id))?.members.map((m) => String(m.residentId))).toEqual([String((await residentOf('oCy'))?._id)]);
    expect(await householdOf(id)).toMatchObject({ vulnerable: [], isVulnerable: false });
    expect(await residentOf('oCy')).toMatchObject({ householdVulnerable: false, isVulnerable: false });
    expect(await residentOf('oDi')).toMatchObject({ isVulnerable: true, registration: { buildingCode: 'b1', room: '701' } });
    expect(await householdOf(householdIdFor('c1', 'b1', '', '701'))).toMatchObject({ vulnerable: ['infant'] });

    // Ann moves out of the roster household: her member row stays for the roster, without her.
    await register('oAnn', { building: 'b2', room: '702', mobile: '13900003001' });
    expect((await householdOf(ROSTER_301))?.members.map((m) => [m.name, m.residentId])).toEqual([
      ['Ann', undefined],
      ['Art', undefined],
    ]);
    expect(await residentOf('oAnn')).toMatchObject({ householdVulnerable: false, isVulnerable: false });
  });
});
