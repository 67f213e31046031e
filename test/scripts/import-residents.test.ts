/**
 * `npm run import:residents` as a committee worker runs it: a child process with only
 * MONGODB_URI set, real files (CSV in UTF-8 with a BOM and in GBK, an .xlsx made by exceljs),
 * the report it prints and its exit codes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindModels, householdIdFor, syncIndexes, type Household, type Models } from '../../models/index.js';
import { seedDemo } from '../../handlers/places/seed-demo.js';
import { mongoUri } from '../support/services.js';
import { seedPlaces } from '../support/runtime.js';
import { ROOT, runScript } from '../support/cli.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/roster');
const SAMPLE = path.join(ROOT, 'scripts/data/roster-sample.csv');

let uri: string;
let conn: mongoose.Connection;
let models: Models;
let tmp: string;

const run = (args: string[]) => runScript('import-residents.ts', args, uri);

beforeAll(async () => {
  uri = mongoUri('importcli');
  conn = await mongoose.createConnection(uri).asPromise();
  models = bindModels(conn);
  await syncIndexes(models);
  await seedPlaces(models);
  await seedDemo(models);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-roster-'));
});
afterAll(async () => {
  await conn?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('npm run import:residents', () => {
  it('imports the good rows, lists the bad ones by line, exits 0; the second run changes nothing', async () => {
    const first = run([path.join(FIXTURES, 'bad-rows.csv'), '--community', 'c1']);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('rows: 9 read, 3 imported, 6 skipped');
    expect(first.out).toContain('households: 2 created, 0 updated, 0 unchanged');
    expect(first.out).toContain('line 4: building "b9" is not a building of this community (b1, b2)');
    expect(first.out).toContain('line 5: room is empty');
    expect(first.out).toMatch(/line 6: mobile is not a mobile number/);
    expect(first.out).toContain('line 7: household size "25" is not a whole number from 1 to 20');
    expect(first.out).toContain('line 8: elderly alone "maybe" is not yes or no');
    expect(first.out).toContain('line 9: the same person as line 2');
    expect(first.out.match(/^ {4}line \d+:/gm)).toHaveLength(6);
    const stored = await models.Household.find({ communityCode: 'c1' }).lean<Household[]>();

    const second = run([path.join(FIXTURES, 'bad-rows.csv'), '--community', 'c1']);
    expect(second.code).toBe(0);
    expect(second.out).toContain('households: 0 created, 0 updated, 2 unchanged (0 changed)');
    expect(await models.Household.find({ communityCode: 'c1' }).lean()).toEqual(stored);
  });

  it('the sample roster imports cleanly into the demo community, once', () => {
    const first = run([SAMPLE, '--community', 'demo']);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('rows: 8 read, 8 imported, 0 skipped');
    expect(first.out).toContain('households: 7 created');
    expect(first.out).not.toContain('skipped rows');
    expect(run([SAMPLE, '--community', 'demo']).out).toContain('(0 changed)');
  });

  it('reads an .xlsx workbook (first sheet, a title row, numbers as cells)', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('花名册');
    sheet.addRow(['幸福里社区住户花名册']);
    sheet.addRow(['楼栋', '单元', '房号', '姓名', '手机号码', '家庭人数', '独居老人', '婴幼儿']);
    sheet.addRow(['b2', 4, 301, '钱奶奶', 13900043010, 1, '是', '']);
    sheet.addRow(['b2', 4, 302, '孙先生', 13900043020, 3, '否', '有']);
    sheet.addRow(['b2', 4, 303, '错号码', 1390004, 3, '', '']);
    wb.addWorksheet('说明').addRow(['ignored']);
    const file = path.join(tmp, 'roster.xlsx');
    await wb.xlsx.writeFile(file);
    const r = run([file, '--community', 'c1']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('note: read the first sheet "花名册" (the workbook has 2)');
    expect(r.out).toContain('rows: 3 read, 2 imported, 1 skipped');
    expect(r.out).toMatch(/line 5: mobile is not a mobile number/);
    expect(await models.Household.findById(householdIdFor('c1', 'b2', '4', '301')).lean()).toMatchObject({
      vulnerable: ['elderlyAlone'],
      members: [{ name: '钱奶奶', mobileLast4: '3010' }],
    });
    expect(await models.Household.findById(householdIdFor('c1', 'b2', '4', '302')).lean()).toMatchObject({ size: 3, vulnerable: ['infant'] });
  });

  it('reads a CSV saved by Excel in Chinese (GBK), and one with a UTF-8 BOM', async () => {
    const gbk = run([path.join(FIXTURES, 'gbk.csv'), '--community', 'c1']);
    expect(gbk.code, gbk.err).toBe(0);
    expect(gbk.out).toContain('not UTF-8; read it as GB18030');
    expect(await models.Household.findById(householdIdFor('c1', 'b1', '', '1201')).lean()).toMatchObject({
      members: [{ name: '赵大妈', mobileLast4: '2010' }],
      vulnerable: ['elderlyAlone'],
    });
    const bom = path.join(tmp, 'bom.csv');
    fs.writeFileSync(bom, `\uFEFF楼栋,房号,姓名\nb1,1301,周\n`);
    const r = run([bom, '--community', 'c1']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('1 created');
  });

  it('a dry run writes nothing', async () => {
    const before = await models.Household.countDocuments();
    const file = path.join(tmp, 'dry.csv');
    fs.writeFileSync(file, '楼栋,房号\nb1,1401\n');
    const r = run([file, '--community', 'c1', '--dry-run']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('dry run: nothing written');
    expect(r.out).toContain('1 created');
    expect(await models.Household.countDocuments()).toBe(before);
  });

  it.each([
    [[], 2, /a roster file is required/],
    [['x.csv'], 2, /--community is required/],
    [['roster.xls', '--community', 'c1'], 2, /must be a \.csv or \.xlsx file/],
    [['x.csv', '--community', 'c1', '--bogus'], 2, /Unknown option '--bogus'/],
    [['/nonexistent/roster.csv', '--community', 'c1'], 1, /cannot read \/nonexistent\/roster\.csv: ENOENT/],
    [['test/fixtures/roster/bad-rows.csv', '--community', 'nope'], 1, /unknown community "nope"/],
    [['test/fixtures/roster/no-good-rows.csv', '--community', 'c1'], 1, /no row of no-good-rows\.csv could be imported/],
    [['scripts/data/roster-sample.csv', '--community', 'c2'], 1, /no row of roster-sample\.csv could be imported/],
  ])('%j → exit %i with a message (and the usage for mistakes)', async (args, code, message) => {
    const before = await models.Household.countDocuments();
    const r = run(args as string[]);
    expect(r.code, r.err).toBe(code);
    expect(r.err).toMatch(message);
    if (code === 2) expect(r.err).toContain('usage: npm run import:residents');
    expect(await models.Household.countDocuments()).toBe(before);
  });

  it('a file without usable rows still lists why, before failing', () => {
    const r = run([path.join(FIXTURES, 'no-good-rows.csv'), '--community', 'c1']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('line 2: building "b9" is not a building of this community');
    expect(r.out).toContain('line 3: room is empty');
  });
});
