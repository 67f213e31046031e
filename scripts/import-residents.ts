/**
 * `npm run import:residents -- FILE.csv|FILE.xlsx --community CODE [--dry-run]`: a committee's
 * roster into a community's households (see the README's "Roster import"). Rows that cannot be
 * used are listed by line with the reason and skipped; the others are imported. Exit 0 when
 * something could be imported (skipped rows are said), 1 when no row could, the file cannot be
 * read or the community is unknown, 2 for a command-line mistake.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCli, UsageError } from './cli.js';
import { readRosterFile, ROSTER_EXTENSIONS } from './roster-file.js';
import { importRoster, type ImportSummary } from '../handlers/residents/import-roster.js';
import { invalid } from '../handlers/errors.js';

const USAGE = `usage: npm run import:residents -- FILE.csv|FILE.xlsx --community CODE [--dry-run]

  FILE             the roster: a CSV (UTF-8, or Excel's Chinese CSV) or an .xlsx workbook (first sheet)
  --community CODE the community the roster belongs to (its buildings must exist)
  --dry-run        check the file and say what would change, without writing

Columns (a header row; Chinese or English): 楼栋/building, 单元/unit, 房号/room, 姓名/name,
手机/mobile, 人数/household size, and 特殊人群/vulnerable (words: 独居老人、慢性病、孕妇、残疾、婴幼儿 /
elderly alone, chronic illness, pregnancy, disability, infant) or one yes/no column per flag.
Needs MONGODB_URI (npm start prints it).`;

function parse(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { community: { type: 'string' }, 'dry-run': { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `one file at a time (got ${positionals.join(' ')})` : 'a roster file is required');
  const file = positionals[0]!;
  if (!(ROSTER_EXTENSIONS as readonly string[]).includes(path.extname(file).toLowerCase()))
    throw new UsageError(`${file}: the roster must be a .csv or .xlsx file (save an .xls or .numbers file as .xlsx first)`);
  if (!values.community) throw new UsageError('--community is required');
  return { file, community: values.community, dryRun: !!values['dry-run'] };
}

function report(s: ImportSummary, file: string, notes: string[]): string {
  const h = s.households;
  const lines = [
    `${path.basename(file)} → community ${s.communityCode}${s.dryRun ? ' (dry run: nothing written)' : ''}`,
    ...notes.map((n) => `  note: ${n}`),
    `  rows: ${s.rows} read, ${s.goodRows} imported, ${s.problems.length} skipped`,
    `  households: ${h.created} created, ${h.updated} updated, ${h.unchanged} unchanged${h.created + h.updated === 0 ? ' (0 changed)' : ''}`,
  ];
  if (s.synced.households || s.synced.residents)
    lines.push(`  registered residents: flags of ${s.synced.households} households and ${s.synced.residents} linked residents brought up to date`);
  if (!s.hasMobileColumn) lines.push('  note: no mobile column, so no resident can be linked to these households when they register');
  if (s.ignoredColumns.length) lines.push(`  columns left out: ${s.ignoredColumns.join(', ')}`);
  if (s.problems.length) {
    lines.push(
      s.goodRows
        ? '  skipped rows (the others are imported; fix these and import the whole file again, nothing is duplicated):'
        : '  skipped rows (fix them and import the file again):',
    );
    for (const p of s.problems) lines.push(`    line ${p.line}: ${p.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

await runCli(
  USAGE,
  async ({ models }, { args, roster }) => {
    const summary = await importRoster(models, { communityCode: args.community, source: path.basename(args.file), rows: roster.rows, dryRun: args.dryRun });
    process.stdout.write(report(summary, args.file, roster.notes));
    if (!summary.goodRows) throw invalid(`no row of ${path.basename(args.file)} could be imported`);
  },
  async () => {
    const args = parse(process.argv.slice(2));
    return { args, roster: await readRosterFile(args.file) };
  },
);
