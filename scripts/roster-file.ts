/**
 * A roster file as rows of text with the spreadsheet's line numbers: `.csv` through csv-parse,
 * `.xlsx` (its first sheet) through exceljs. A CSV is read as UTF-8 (a BOM is fine); a file that
 * is not UTF-8 is read as GB18030, which is what Excel in Chinese saves as "CSV (逗号分隔)".
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { RosterRow } from '../handlers/residents/roster.js';

export class RosterFileError extends Error {
  override name = 'RosterFileError';
}

export const ROSTER_EXTENSIONS = ['.csv', '.xlsx'] as const;

export interface RosterFile {
  rows: RosterRow[];
  /** Something the operator should know about how the file was read. */
  notes: string[];
}

function decode(bytes: Buffer): { text: string; notes: string[] } {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    throw new RosterFileError('the file is UTF-16 ("Unicode text"); save it as "CSV UTF-8" or .xlsx');
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes), notes: [] };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), notes: ['the file is not UTF-8; read it as GB18030 (Excel\'s Chinese "CSV")'] };
  }
}

export function csvRows(text: string): RosterRow[] {
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  const delimiter = firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      bom: true,
      delimiter,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    }) as unknown as typeof records;
  } catch (err) {
    throw new RosterFileError(`not a readable CSV: ${(err as Error).message}`);
  }
  // csv-parse reports the line a record ends on; a quoted cell may span lines, so a row starts after the previous one.
  let end = 0;
  return records.map(({ record, info }) => {
    const row = { line: end + 1, cells: record.map(String) };
    end = info.lines;
    return row;
  });
}

async function xlsxRows(bytes: Buffer): Promise<RosterFile> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw new RosterFileError(`not a readable .xlsx workbook: ${(err as Error).message}`);
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw new RosterFileError('the workbook has no sheet');
  const rows: RosterRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: string[] = [];
    for (let i = 1; i <= row.cellCount; i++) cells.push(row.getCell(i).text ?? '');
    rows.push({ line, cells });
  });
  const notes = wb.worksheets.length > 1 ? [`read the first sheet "${sheet.name}" (the workbook has ${wb.worksheets.length})`] : [];
  return { rows, notes };
}

export async function readRosterFile(file: string): Promise<RosterFile> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new RosterFileError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (path.extname(file).toLowerCase() === '.xlsx') return xlsxRows(bytes);
  const { text, notes } = decode(bytes);
  return { rows: csvRows(text), notes };
}
