/**
 * Reading a roster (pure): header words in Chinese and English, the two ways of giving flags,
 * the forms rooms and buildings are typed in, and every bad row reported by its line.
 */
import { describe, expect, it } from 'vitest';
import { householdIdFor } from '../../../models/household.js';
import { readRoster, type RosterRow } from '../../../handlers/residents/roster.js';
import { flagsFromWords, yesNoCell } from '../../../handlers/residents/roster-columns.js';

const community = {
  code: 'c1',
  buildings: [
    { code: '1', name: '1号楼' },
    { code: '2', name: '2号楼' },
    { code: 'b3', name: 'East Tower' },
  ],
};

/** Rows as a spreadsheet has them: line 1 first. */
const sheet = (...lines: string[][]): RosterRow[] => lines.map((cells, i) => ({ line: i + 1, cells }));

describe('readRoster', () => {
  it('reads Chinese headers, flags as words, and groups the rows of one room into one household', () => {
    const r = readRoster(
      sheet(
        ['楼栋', '单元', '房号', '姓名', '手机号', '人数', '特殊人群'],
        ['1号楼', '2', '0301', '张桂兰', '138 0013 8001', '1', '独居老人'],
        ['1', '2单元', '302', '李建国', '13912345602', '3人', ''],
        ['1栋', '02', '302室', '王秀英', '+86 139-1234-5603', '三', '慢性病、婴幼儿'],
        ['East Tower', '', '2-401', '', '', '', '孕妇 残疾'],
      ),
      community,
    );
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ headerLine: 1, rows: 4, goodRows: 4, hasMobileColumn: true, ignoredColumns: [] });
    expect(r.households).toEqual([
      {
        _id: householdIdFor('c1', '1', '2', '301'),
        buildingCode: '1',
        unit: '2',
        room: '301',
        size: 1,
        flags: ['elderlyAlone'],
        members: [{ name: '张桂兰', mobileLast4: '8001' }],
        lines: [2],
      },
      {
        _id: householdIdFor('c1', '1', '2', '302'),
        buildingCode: '1',
        unit: '2',
        room: '302',
        size: 3,
        flags: ['chronicIllness', 'infant'],
        members: [
          { name: '李建国', mobileLast4: '5602' },
          { name: '王秀英', mobileLast4: '5603' },
        ],
        lines: [3, 4],
      },
      // The unit from the room cell ("2-401"); a row with no name or mobile is household data without a member.
      {
        _id: householdIdFor('c1', 'b3', '2', '401'),
        buildingCode: 'b3',
        unit: '2',
        room: '401',
        size: 1,
        flags: ['pregnancy', 'disability'],
        members: [],
        lines: [5],
      },
    ]);
  });

  it('reads English headers with one yes/no column per flag, a title row above the header, and columns it does not know', () => {
    const r = readRoster(
      sheet(
        ['Roster of Community 1 (2026-11)'],
        [],
        ['Building', 'Room No.', 'Name', 'Mobile (11 digits)', 'Household size', 'Elderly alone', 'Infant', 'Notes'],
        ['2', '101', 'Ann', '13800001111', '2', 'Y', '', 'gate code 12'],
        ['2', '102', 'Ben', '13800002222', '', '否', '√', ''],
      ),
      community,
    );
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ headerLine: 3, rows: 2, goodRows: 2, ignoredColumns: ['Notes'] });
    expect(r.households.map((h) => [h.room, h.unit, h.flags, h.size])).toEqual([
      ['101', '', ['elderlyAlone'], 2],
      ['102', '', ['infant'], 1],
    ]);
  });

  it('reports every bad row by its line with all its reasons, and keeps the good ones', () => {
    const r = readRoster(
      sheet(
        ['楼栋', '单元', '房号', '姓名', '手机', '人数', '特殊人群'],
        ['9号楼', '1', '101', 'A', '13800001111', '1', ''],
        ['1', '1', '', 'B', '13800002222', '1', ''],
        ['1', '1', 'A座', 'C', '13800003333', '1', ''],
        ['1', '1', '103', 'D', '12345', '0', '高血压、独居老人'],
        ['1', '东', '104', 'E', '1.38001E+10', '21', ''],
        ['1', '1', '2-105', 'F', '13800006666', '1', ''],
        ['', '', '', '', '', '', ''],
        ['1', '1', '106', 'G', '13800007777', '2', ''],
        ['1', '1', '0106', 'G', '13800007777', '2', ''],
        ['1', '1', '107', 'H', '13800008888', '2', '无'],
      ),
      community,
    );
    expect(r.problems).toEqual([
      { line: 2, reason: 'building "9号楼" is not a building of this community (1, 2, b3)' },
      { line: 3, reason: 'room is empty' },
      { line: 4, reason: 'room "A座" is not a room number like 301 or 2-301' },
      {
        line: 5,
        reason: expect.stringMatching(
          /^mobile is not a mobile number .*; household size "0" is not a whole number from 1 to 20; unknown vulnerable flag "高血压" \(known: 独居老人、慢性病、孕妇、残疾、婴幼儿 \/ elderly alone, chronic illness, pregnancy, disability, infant\)$/,
        ),
      },
      {
        line: 6,
        reason:
          'unit "东" is not a unit number like 2; mobile "1.38001E+10" was shortened by the spreadsheet; format the column as text; household size "21" is not a whole number from 1 to 20',
      },
      { line: 7, reason: 'room "2-105" names unit 2 but the unit column says 1' },
      { line: 10, reason: 'the same person as line 9 (building 1, unit 1, room 106)' },
    ]);
    expect(r).toMatchObject({ rows: 9, goodRows: 2 });
    expect(r.households.map((h) => h.room)).toEqual(['106', '107']);
  });

  it('takes the largest size given, and never less than the members listed', () => {
    const r = readRoster(
      sheet(
        ['building', 'room', 'name', 'size'],
        ['1', '301', 'A', '2'],
        ['1', '301', 'B', '4'],
        ['1', '301', 'C', ''],
        ['1', '302', 'D', '1'],
        ['1', '302', 'E', '1'],
      ),
      community,
    );
    expect(r.households.map((h) => h.size)).toEqual([4, 2]);
  });

  it('refuses a file without a building and a room column, naming what it found', () => {
    expect(() => readRoster(sheet(['姓名', '手机'], ['A', '13800001111']), community)).toThrow(
      /no header row.*楼栋\/building and 房号\/room.*line 1 has 姓名, 手机/,
    );
    expect(() => readRoster([], community)).toThrow(/the file has no rows/);
  });
});

describe('flag words and yes/no cells', () => {
  it.each([
    ['独居老人、慢性病', ['elderlyAlone', 'chronicIllness'], []],
    ['elderly alone; infant', ['elderlyAlone', 'infant'], []],
    ['Chronic Illness, pregnancy and disability', ['chronicIllness', 'pregnancy', 'disability'], []],
    ['孕妇和婴儿', ['pregnancy', 'infant'], []],
    ['独居老人 残疾', ['elderlyAlone', 'disability'], []],
    ['elderlyAlone', ['elderlyAlone'], []],
    ['无', [], []],
    ['none', [], []],
    ['独居老人，高血压', ['elderlyAlone'], ['高血压']],
  ])('%s', (text, flags, unknown) => {
    expect(flagsFromWords(text)).toEqual({ flags, unknown });
  });

  it.each([
    ['是', true],
    ['Y', true],
    ['1', true],
    ['√', true],
    ['', false],
    ['否', false],
    ['no', false],
    ['0', false],
    ['maybe', undefined],
  ])('%j → %s', (cell, value) => {
    expect(yesNoCell(cell)).toBe(value);
  });
});
