/**
 * A committee's roster, read: spreadsheet rows → households of the community, and the rows that
 * cannot be used with the reason (`line N: …`, the spreadsheet's own line numbers). Pure: the
 * script reads the file, `importRoster` writes. Rows of one room are the members of one household.
 *
 * Personal data: names and mobiles are read, but a household keeps only each member's name and
 * the mobile's last four digits — enough to link a resident who registers with that mobile, and
 * the roster is the committee's record, not the resident's own statement of their number.
 */
import type { Types } from 'mongoose';
import { householdIdFor } from '../../models/household.js';
import type { VulnerableFlag } from '../../models/resident.js';
import { orderedFlags } from '../../models/vulnerability.js';
import { invalid } from '../errors.js';
import { fieldOfHeader, type RosterField } from './roster-columns.js';
import { readRow, type RosterBuilding } from './roster-row.js';

export type { RosterBuilding } from './roster-row.js';

/** One spreadsheet row: its line number (header = line 1 in the usual layout) and its cells as text. */
export interface RosterRow {
  line: number;
  cells: string[];
}

export interface RosterMember {
  name?: string;
  mobileLast4?: string;
}

export interface RosterHousehold {
  _id: Types.ObjectId;
  buildingCode: string;
  unit: string;
  room: string;
  /** The largest size given on its rows, and at least its number of members. */
  size: number;
  flags: VulnerableFlag[];
  members: RosterMember[];
  /** The lines it was read from, first one first. */
  lines: number[];
}

export interface RosterProblem {
  line: number;
  reason: string;
}

export interface ReadRoster {
  households: RosterHousehold[];
  problems: RosterProblem[];
  headerLine: number;
  /** Data rows (blank rows not counted) and how many of them were good. */
  rows: number;
  goodRows: number;
  /** Header cells that name no roster column (or a column already given), left out. */
  ignoredColumns: string[];
  hasMobileColumn: boolean;
}

const isBlank = (row: RosterRow) => row.cells.every((c) => !c.trim());
const HEADER_SEARCH_ROWS = 10;

/** The header: the first row naming a building and a room column (a title row above it is fine). */
function findHeader(rows: RosterRow[]) {
  for (const row of rows.filter((r) => !isBlank(r)).slice(0, HEADER_SEARCH_ROWS)) {
    const fields = row.cells.map(fieldOfHeader);
    if (!fields.includes('building') || !fields.includes('room')) continue;
    const columns = new Map<RosterField, number>();
    const ignored: string[] = [];
    fields.forEach((f, i) => {
      if (f && !columns.has(f)) columns.set(f, i);
      else if (row.cells[i]!.trim()) ignored.push(row.cells[i]!.trim());
    });
    return { line: row.line, columns, ignored, cells: row.cells };
  }
  const first = rows.find((r) => !isBlank(r));
  throw invalid(
    `no header row: the roster needs columns 楼栋/building and 房号/room (and usually 单元/unit, 姓名/name, 手机/mobile, 人数/household size, 特殊人群/vulnerable)${
      first ? `; line ${first.line} has ${first.cells.filter((c) => c.trim()).join(', ')}` : '; the file has no rows'
    }`,
  );
}

/** Read a roster for one community (its buildings given). Throws `invalid_input` only when the file has no usable header. */
export function readRoster(rows: RosterRow[], community: { code: string; buildings: RosterBuilding[] }): ReadRoster {
  const header = findHeader(rows);
  const households = new Map<string, RosterHousehold>();
  const people = new Map<string, number>(); // household + person → first line
  const problems: RosterProblem[] = [];
  let dataRows = 0;
  for (const row of rows) {
    if (row.line <= header.line || isBlank(row)) continue;
    dataRows++;
    const read = readRow(row, header.columns, community.buildings, header.cells);
    if (!read.ok) {
      problems.push({ line: row.line, reason: read.reasons.join('; ') });
      continue;
    }
    const r = read.value;
    const _id = householdIdFor(community.code, r.buildingCode, r.unit, r.room);
    const key = String(_id);
    const person = r.mobile ?? (r.name ? `name:${r.name}` : undefined);
    const seen = person && people.get(`${key}/${person}`);
    if (seen) {
      problems.push({
        line: row.line,
        reason: `the same person as line ${seen} (building ${r.buildingCode}, ${r.unit ? `unit ${r.unit}, ` : ''}room ${r.room})`,
      });
      continue;
    }
    if (person) people.set(`${key}/${person}`, row.line);
    let h = households.get(key);
    if (!h) {
      h = { _id, buildingCode: r.buildingCode, unit: r.unit, room: r.room, size: 0, flags: [], members: [], lines: [] };
      households.set(key, h);
    }
    h.lines.push(row.line);
    h.flags = orderedFlags([...h.flags, ...r.flags]);
    if (r.name || r.mobile) h.members.push({ ...(r.name ? { name: r.name } : {}), ...(r.mobile ? { mobileLast4: r.mobile.slice(-4) } : {}) });
    h.size = Math.max(h.size, r.size ?? 0, h.members.length, 1);
  }
  return {
    households: [...households.values()],
    problems,
    headerLine: header.line,
    rows: dataRows,
    goodRows: dataRows - problems.length,
    ignoredColumns: header.ignored,
    hasMobileColumn: header.columns.has('mobile'),
  };
}
