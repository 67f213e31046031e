/**
 * The `vulnerable` notice group counts the right residents whichever path wrote them: the demo
 * seed (twice), registration in chat through the webhook, a roster import that makes a household
 * (and so its linked resident) vulnerable and a later one that takes it back, the per-message
 * resident upsert, and a document saved through the model. Counted with `previewTargets`, as
 * `POST /api/notices/preview-targets` does, and with `recipientFilter` for who exactly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../bot/app.js';
import { appMounts } from '../../../bot/mounts.js';
import { residentIdFor } from '../../../models/index.js';
import { DEMO, seedDemo } from '../../../handlers/places/seed-demo.js';
import { demoFlags } from '../../../handlers/places/seed-demo-residents.js';
import { importRoster } from '../../../handlers/residents/import-roster.js';
import { previewTargets, recipientFilter } from '../../../handlers/notices/targets.js';
import type { Actor } from '../../../handlers/staff/access.js';
import { csvRows } from '../../../scripts/roster-file.js';
import { createTestRuntime, serveApp, type TestRuntime } from '../../support/runtime.js';
import { wechatClient, type WechatTestClient } from '../../support/wechat-client.js';
import { residentPlayer } from '../../support/resident-player.js';

const SAMPLE = fs.readFileSync(path.resolve(import.meta.dirname, '../../../scripts/data/roster-sample.csv'), 'utf8');
const committee: Actor = {
  id: 'committee',
  name: 'committee',
  role: 'committee',
  duties: [],
  scope: { streetCode: DEMO.street.code, communityCode: DEMO.community.code },
};

let t: TestRuntime;
let http: { url: string; close(): Promise<void> };
let wx: WechatTestClient;

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'vulnerable_group', env: { WECHAT_REPLY_DEADLINE_MS: '4900' } });
  http = await serveApp(createApp(t.rt, appMounts));
  wx = wechatClient(http.url, t.config);
});

afterAll(async () => {
  await http?.close();
  await t?.close();
});

const count = async () => (await previewTargets(t.rt.models, committee, { targets: { vulnerable: true } })).count;
const vulnerableOpenids = async () =>
  (await t.rt.models.Resident.find(await recipientFilter(t.rt.models, { vulnerable: true }, committee.scope)).lean()).map((r) => r.openid).sort();
const demoVulnerable = Array.from({ length: 30 }, (_, k) => k + 1)
  .filter((i) => demoFlags(i).length)
  .map((i) => `demo-resident-${String(i).padStart(3, '0')}`);

/** Scan building 1's poster and register in chat: room, size, flags, mobile, confirm. */
async function register(openid: string, room: string, flags: string, mobile: string) {
  const me = residentPlayer(wx, openid);
  expect(await me.subscribe('b:demo:1')).toMatch(/单元和房号/);
  for (const answer of [room, '1', flags, mobile]) await me.say(answer);
  expect(await me.say('1')).toMatch(/登记完成/);
}

describe('the vulnerable group on every write path', () => {
  it('demo seed: its vulnerable residents, the same after seeding again', async () => {
    await seedDemo(t.rt.models);
    expect(demoVulnerable).toHaveLength(9);
    expect(await vulnerableOpenids()).toEqual(demoVulnerable);
    await seedDemo(t.rt.models);
    expect(await count()).toBe(9);
    expect(await t.rt.models.Household.countDocuments({ communityCode: 'demo' })).toBe(30);
    expect(await t.rt.models.StaffUser.countDocuments({ wecomUserId: { $regex: /^demo-/ } })).toBe(8);
  });

  it('registration in chat: a resident who names a flag joins, one who names none does not', async () => {
    await register('oFlagged', '2-801', '1', '13900008001');
    await register('oPlain', '2-802', '无', '13900008002');
    expect(await count()).toBe(10);
    expect(await vulnerableOpenids()).toContain('oFlagged');
  });

  it('roster import: a resident already registered in a room the roster says has an elderly person living alone joins', async () => {
    // 张桂兰 (1号楼 2-201, mobile ending 8001, 独居老人) registers before the committee imports its roster, naming no flag.
    await register('oZhang', '2-201', '无', '13800138001');
    expect(await count()).toBe(10);
    const res = await importRoster(t.rt.models, { communityCode: 'demo', source: 'roster-sample.csv', rows: csvRows(SAMPLE) });
    expect(res.problems).toEqual([]);
    expect(res.synced.residents).toBe(1);
    expect(await count()).toBe(11);
    expect(await vulnerableOpenids()).toContain('oZhang');
    expect(await t.rt.models.Resident.findById(residentIdFor('wechat', 'oZhang')).lean()).toMatchObject({
      vulnerable: { elderlyAlone: false },
      householdVulnerable: true,
    });
  });

  it('the per-message upsert leaves the flags alone', async () => {
    await residentPlayer(wx, 'oZhang').say('菜单');
    await residentPlayer(wx, 'oFlagged').say('菜单');
    expect(await count()).toBe(11);
  });

  it('roster import again, without the flag: the resident leaves the group', async () => {
    const without = SAMPLE.replace('张桂兰,13800138001,1,独居老人', '张桂兰,13800138001,1,');
    expect(without).not.toBe(SAMPLE);
    const res = await importRoster(t.rt.models, { communityCode: 'demo', source: 'roster-sample.csv', rows: csvRows(without) });
    expect(res.households.updated).toBe(1);
    expect(await count()).toBe(10);
    expect(await vulnerableOpenids()).not.toContain('oZhang');
  });

  it('a resident saved through the model counts their household too', async () => {
    await t.rt.models.Resident.create({
      channel: 'wechat',
      openid: 'oSaved',
      registration: { communityCode: 'demo', buildingCode: '2' },
      householdVulnerable: true,
    });
    expect(await count()).toBe(11);
  });
});
