/**
 * Importing a roster into FerretDB: what is created, what a second import changes (nothing),
 * residents already linked kept through re-imports, a household a resident created in chat taken
 * over by the roster, and updates past FerretDB's 100-statement limit.
 */
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindModels, householdIdFor, residentIdFor, syncIndexes, type Household, type Models } from '../../../models/index.js';
import { importRoster } from '../../../handlers/residents/import-roster.js';
import { linkHousehold } from '../../../handlers/residents/link-household.js';
import type { RosterRow } from '../../../handlers/residents/roster.js';
import { csvRows } from '../../../scripts/roster-file.js';
import { mongoUri } from '../../support/services.js';
import { seedPlaces } from '../../support/runtime.js';

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/roster/bad-rows.csv');

let conn: mongoose.Connection;
let models: Models;

beforeAll(async () => {
  conn = await mongoose.createConnection(mongoUri('import_roster')).asPromise();
  models = bindModels(conn);
  await syncIndexes(models);
  await seedPlaces(models);
});
afterAll(() => conn?.close());

const csv = (text: string) => csvRows(text);
const household = (community: string, building: string, unit: string, room: string) =>
  models.Household.findById(householdIdFor(community, building, unit, room)).lean<Household>();
const snapshot = async (community: string) =>
  (await models.Household.find({ communityCode: community }).sort({ _id: 1 }).lean<Household[]>()).map((h) => [String(h._id), h.updatedAt?.toISOString()]);

/** A registered resident, as the registration effect leaves one (flags written with the household's). */
async function registered(openid: string, flags: Record<string, boolean> = {}) {
  const _id = residentIdFor('wechat', openid);
  await models.Resident.create({ _id, channel: 'wechat', openid, vulnerable: flags });
  return String(_id);
}

describe('importRoster', () => {
  it('imports the good rows of a file with bad ones; the second import changes nothing', async () => {
    const rows = csv(fs.readFileSync(FIXTURE, 'utf8'));
    const first = await importRoster(models, { communityCode: 'c1', source: 'bad-rows.csv', rows });
    expect(first.problems.map((p) => p.line)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(first).toMatchObject({ rows: 9, goodRows: 3, households: { created: 2, updated: 0, unchanged: 0 } });
    expect(await household('c1', 'b1', '1', '101')).toMatchObject({
      source: 'roster',
      size: 2,
      rosterVulnerable: ['elderlyAlone'],
      vulnerable: ['elderlyAlone'],
      isVulnerable: true,
      importedFrom: 'bad-rows.csv line 2',
      members: [
        { name: 'Alice Wang', mobileLast4: '1111' },
        { name: 'Bob Wang', mobileLast4: '2222' },
      ],
    });
    // Only the last four digits of a roster's mobile are kept.
    expect(JSON.stringify(await models.Household.find({ communityCode: 'c1' }).lean())).not.toMatch(/13800001111|8613800001111/);
    expect(await household('c1', 'b2', '', '203')).toMatchObject({
      room: '203',
      unit: '',
      vulnerable: ['infant'],
      members: [{ name: 'Carol Li', mobileLast4: '7777' }],
    });

    const before = await snapshot('c1');
    const second = await importRoster(models, { communityCode: 'c1', source: 'bad-rows.csv', rows });
    expect(second.households).toEqual({ created: 0, updated: 0, unchanged: 2 });
    expect(second.synced).toEqual({ households: 0, residents: 0 });
    expect(await snapshot('c1')).toEqual(before);
  });

  it('keeps residents already linked through a changed roster, and their isVulnerable follows it', async () => {
    const roster = (flag: string, extra = '') => csv(`楼栋,房号,姓名,手机,特殊人群\nb1,501,Dan,13900005001,${flag}\nb1,501,Eve,13900005002,\n${extra}`);
    await importRoster(models, { communityCode: 'c1', source: 'r.csv', rows: roster('独居老人') });
    const dan = await registered('oDan');
    const registration = { communityCode: 'c1', buildingCode: 'b1', room: '0501', householdSize: 2, vulnerable: [], mobile: '+8613900005001' };
    const linked = await linkHousehold(models, dan, registration, new Date());
    expect(String(linked.household._id)).toBe(String(householdIdFor('c1', 'b1', '', '501')));
    await models.Resident.updateOne({ _id: dan }, { $set: { householdId: linked.household._id } });

    // The roster's next version adds a member: Dan stays linked and, the household being vulnerable, is in the group.
    const again = await importRoster(models, { communityCode: 'c1', source: 'r.csv', rows: roster('独居老人', 'b1,501,Fay,13900005003,\n') });
    expect(again.households).toMatchObject({ updated: 1 });
    expect(again.synced).toEqual({ households: 0, residents: 1 });
    const h = await household('c1', 'b1', '', '501');
    expect(h?.members.map((m) => [m.name, m.mobileLast4, m.residentId && String(m.residentId)])).toEqual([
      ['Dan', '5001', dan],
      ['Eve', '5002', undefined],
      ['Fay', '5003', undefined],
    ]);
    expect(await models.Resident.findById(dan).lean()).toMatchObject({ householdVulnerable: true, isVulnerable: true });

    // The flag is taken off the roster: Dan leaves the group (he gave no flag of his own).
    const off = await importRoster(models, { communityCode: 'c1', source: 'r.csv', rows: roster('', 'b1,501,Fay,13900005003,\n') });
    expect(off.synced).toEqual({ households: 1, residents: 1 });
    expect(await models.Resident.findById(dan).lean()).toMatchObject({ householdVulnerable: false, isVulnerable: false });
    expect((await household('c1', 'b1', '', '501'))?.members[0]?.residentId?.toString()).toBe(dan);
    const unchanged = await importRoster(models, { communityCode: 'c1', source: 'r.csv', rows: roster('', 'b1,501,Fay,13900005003,\n') });
    expect(unchanged).toMatchObject({ households: { created: 0, updated: 0, unchanged: 1 }, synced: { households: 0, residents: 0 } });
  });

  it('takes over a household a resident created in chat, keeping the resident and their flags', async () => {
    const gus = await registered('oGus', { infant: true });
    const linked = await linkHousehold(
      models,
      gus,
      { communityCode: 'c1', buildingCode: 'b2', unit: '3', room: '601', householdSize: 3, vulnerable: ['infant'], mobile: '+8613900006001' },
      new Date(),
    );
    await models.Resident.updateOne({ _id: gus }, { $set: { householdId: linked.household._id } });
    expect(linked.household.source).toBe('chat');
    const res = await importRoster(models, {
      communityCode: 'c1',
      source: 'r.csv',
      rows: csv('building,unit,room,name,mobile,flags\nb2,3,601,Gus,13900006001,chronic illness\n'),
    });
    expect(res.households).toMatchObject({ created: 0, updated: 1 });
    expect(await household('c1', 'b2', '3', '601')).toMatchObject({
      source: 'roster',
      rosterVulnerable: ['chronicIllness'],
      vulnerable: ['chronicIllness', 'infant'],
      isVulnerable: true,
      members: [{ name: 'Gus', mobileLast4: '6001', residentId: new mongoose.Types.ObjectId(gus) }],
    });
  });

  it('updates 150 households one by one (FerretDB wedges on a bulk update of 100), then finds them unchanged', async () => {
    const rows = (size: number) =>
      csv(
        ['building,room,name,mobile,size', ...Array.from({ length: 150 }, (_, i) => `b2,${1000 + i},P${i},1390000${String(i).padStart(4, '0')},${size}`)].join(
          '\n',
        ),
      );
    expect((await importRoster(models, { communityCode: 'c1', source: 'big.csv', rows: rows(1) })).households).toEqual({
      created: 150,
      updated: 0,
      unchanged: 0,
    });
    expect((await importRoster(models, { communityCode: 'c1', source: 'big.csv', rows: rows(2) })).households).toEqual({
      created: 0,
      updated: 150,
      unchanged: 0,
    });
    expect((await importRoster(models, { communityCode: 'c1', source: 'big.csv', rows: rows(2) })).households).toEqual({
      created: 0,
      updated: 0,
      unchanged: 150,
    });
    expect(await models.Household.countDocuments({ communityCode: 'c1', importedFrom: /^big\.csv/, size: 2 })).toBe(150);
  });

  it('a dry run says what would change and writes nothing', async () => {
    const rows: RosterRow[] = csv('楼栋,单元,房号,人数\nb1,,901,2\nb1,1,101,3\n');
    const before = await snapshot('c1');
    const res = await importRoster(models, { communityCode: 'c1', source: 'bad-rows.csv', rows, dryRun: true });
    expect(res).toMatchObject({ dryRun: true, households: { created: 1, updated: 1, unchanged: 0 } });
    expect(await snapshot('c1')).toEqual(before);
  });

  it('refuses an unknown community', async () => {
    await expect(importRoster(models, { communityCode: 'nope', source: 'x.csv', rows: csv('楼栋,房号\n1,101\n') })).rejects.toThrow(/unknown community "nope"/);
  });
});
