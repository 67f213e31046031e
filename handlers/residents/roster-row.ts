/**
 * One roster row checked cell by cell: every reason it cannot be used, or its values in the form
 * the chat registration produces (a building code of the community, unit and room as digits
 * without leading zeros, an E.164 mobile), so a resident who registers the same room is linked.
 */
import { canonRoomPart } from '../../models/household.js';
import { VULNERABLE_FLAGS, type VulnerableFlag } from '../../models/resident.js';
import { normalizeInput } from '../../flows/engine/input.js';
import { normalizeMobile } from '../../flows/engine/phone.js';
import { parseChineseNumber } from '../../flows/engine/chinese-number.js';
import { parseRoom } from '../../flows/registration/registration.js';
import { FLAG_WORDS_HELP, flagsFromWords, fold, yesNoCell, type RosterField } from './roster-columns.js';

export interface RosterBuilding {
  code: string;
  name: string;
}

export interface RowValues {
  buildingCode: string;
  unit: string;
  room: string;
  name?: string;
  mobile?: string;
  size?: number;
  flags: VulnerableFlag[];
}

export const MAX_HOUSEHOLD_SIZE = 20;
const MAX_NAME = 40;

/** `1号楼`, `1栋`, `Building 1`, `No.1` → `1`, to compare with a building's code or name. */
const buildingKey = (s: string) =>
  fold(s)
    .replace(/^(building|bldg|block|no)/, '')
    .replace(/(号楼|号|栋|幢|座|楼)$/, '');

function building(raw: string, buildings: RosterBuilding[]): string | { reason: string } {
  const t = normalizeInput(raw);
  if (!t) return { reason: 'building is empty' };
  const exact = buildings.find((b) => b.code === t) ?? buildings.find((b) => fold(b.name) === fold(t));
  if (exact) return exact.code;
  const loose = buildings.filter((b) => buildingKey(b.code) === buildingKey(t) || buildingKey(b.name) === buildingKey(t));
  if (loose.length === 1) return loose[0]!.code;
  return { reason: `building "${t}" is not a building of this community (${buildings.map((b) => b.code).join(', ') || 'it has none'})` };
}

/** A unit column's `2`, `2单元`, `Unit 2`, `02` → `2`. */
function unit(raw: string): string | { reason: string } {
  const t = fold(raw).replace(/^unit/, '').replace(/单元$/, '');
  if (!t) return '';
  return /^\d{1,3}$/.test(t) ? canonRoomPart(t) : { reason: `unit "${normalizeInput(raw)}" is not a unit number like 2` };
}

function mobile(raw: string): string | undefined | { reason: string } {
  const t = normalizeInput(raw).replace(/\.0$/, ''); // a number cell exported as "13812345678.0"
  if (!t) return undefined;
  if (/^\d(\.\d+)?e\+?\d+$/i.test(t)) return { reason: `mobile "${t}" was shortened by the spreadsheet; format the column as text` };
  return normalizeMobile(t) ?? { reason: 'mobile is not a mobile number (11 digits starting with 1, or +country code)' };
}

function size(raw: string): number | undefined | { reason: string } {
  const t = normalizeInput(raw)
    .replace(/\s+/g, '')
    .replace(/(个人|口人|人|口|位|people|persons?)$/i, '');
  if (!t) return undefined;
  const n = /^\d+(\.0+)?$/.test(t) ? Number(t) : parseChineseNumber(t);
  if (n === undefined || !Number.isInteger(n) || n < 1 || n > MAX_HOUSEHOLD_SIZE)
    return { reason: `household size "${normalizeInput(raw)}" is not a whole number from 1 to ${MAX_HOUSEHOLD_SIZE}` };
  return n;
}

const failed = (v: unknown): v is { reason: string } => typeof v === 'object' && v !== null && 'reason' in v;

export function readRow(
  row: { cells: string[] },
  columns: Map<RosterField, number>,
  buildings: RosterBuilding[],
  headers: string[] = [],
): { ok: true; value: RowValues } | { ok: false; reasons: string[] } {
  const cell = (f: RosterField) => {
    const i = columns.get(f);
    return i === undefined ? '' : (row.cells[i] ?? '');
  };
  const reasons: string[] = [];
  const check = <T>(v: T | { reason: string }): T | undefined => {
    if (!failed(v)) return v;
    reasons.push(v.reason);
    return undefined;
  };
  const b = check(building(cell('building'), buildings));
  let u = check(unit(cell('unit')));
  let room: string | undefined;
  if (!normalizeInput(cell('room'))) reasons.push('room is empty');
  else {
    const r = parseRoom(cell('room'));
    if (!r) reasons.push(`room "${normalizeInput(cell('room'))}" is not a room number like 301 or 2-301`);
    else if (r.unit && u && canonRoomPart(r.unit) !== u)
      reasons.push(`room "${normalizeInput(cell('room'))}" names unit ${r.unit} but the unit column says ${u}`);
    else {
      room = canonRoomPart(r.room);
      if (r.unit) u = canonRoomPart(r.unit);
    }
  }
  const m = check(mobile(cell('mobile')));
  const n = check(size(cell('size')));
  const name = normalizeInput(cell('name'));
  if (name.length > MAX_NAME) reasons.push(`name is longer than ${MAX_NAME} characters`);
  const flags: VulnerableFlag[] = [];
  const words = flagsFromWords(cell('flags'));
  if (words.unknown.length) reasons.push(`unknown vulnerable flag ${words.unknown.map((w) => `"${w}"`).join(', ')} (known: ${FLAG_WORDS_HELP})`);
  flags.push(...words.flags);
  for (const f of VULNERABLE_FLAGS) {
    if (!columns.has(f)) continue;
    const yes = yesNoCell(cell(f));
    if (yes === undefined) reasons.push(`${headers[columns.get(f)!]?.trim() || f} "${normalizeInput(cell(f))}" is not yes or no (是/否, yes/no, 1/0)`);
    else if (yes) flags.push(f);
  }
  if (reasons.length || b === undefined || room === undefined) return { ok: false, reasons };
  return {
    ok: true,
    value: { buildingCode: b, unit: u ?? '', room, ...(name ? { name } : {}), ...(m ? { mobile: m } : {}), ...(n ? { size: n } : {}), flags },
  };
}
