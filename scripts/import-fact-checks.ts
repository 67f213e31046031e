/**
 * `npm run import:fact-checks -- FILE.json [--operator NAME]` — the trusted bulk import: every
 * valid entry of `[{lang, claim, verdict, explanation, source?, aliases?, key?}]` is stored as a
 * released fact-check with one audit entry naming the file and the operator (see
 * handlers/rumors/import.ts). Bad entries are listed by index on stderr and the good ones kept.
 *
 * Exit codes: 0 every entry imported or already there; 1 some entries refused (the others kept),
 * or the file cannot be read, or MongoDB is unreachable; 2 a command-line mistake. Needs
 * MONGODB_URI; with REDIS_URL the running servers see the import at once, otherwise within a
 * minute (their reconcile).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCli, UsageError } from './cli.js';
import { importFactChecks } from '../handlers/rumors/import.js';
import { announceOnce } from '../bot/rumors/live-base.js';

const USAGE = `usage: npm run import:fact-checks -- FILE.json [--operator NAME]

FILE.json holds an array of {lang: "zh-CN"|"en", claim, verdict: "false"|"misleading"|"true"|"unproven",
explanation, source?, aliases?, key?}. Each good entry is stored as released, with one audit entry naming
the import and the operator (default: your login name). Needs MONGODB_URI (npm start prints it).`;

await runCli(USAGE, async ({ models, config }) => {
  let parsed;
  try {
    parsed = parseArgs({ args: process.argv.slice(2), options: { operator: { type: 'string' } }, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [file, ...extra] = parsed.positionals;
  if (!file) throw new UsageError('FILE.json is required');
  if (extra.length) throw new UsageError(`one file at a time (got ${parsed.positionals.length})`);
  const operator = parsed.values.operator?.trim() || os.userInfo().username;
  let entries: unknown;
  try {
    entries = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  const report = await importFactChecks({ models, clock: { now: () => new Date() } }, entries, { operator, source: path.basename(file) });
  for (const p of report.problems) process.stderr.write(`entry ${p.index}: ${p.field ? `${p.field} ` : ''}${p.reason}\n`);
  const total = Array.isArray(entries) ? entries.length : 0;
  process.stdout.write(
    `import:fact-checks: ${report.imported.length} imported, ${report.unchanged} already there, ${report.problems.length} refused (of ${total}) by ${operator}\n`,
  );
  if (report.imported.length && process.env.REDIS_URL) {
    const told = await announceOnce(config.REDIS_URL, { kind: 'all' });
    if (!told) process.stdout.write('import:fact-checks: Redis did not answer; running servers load the new fact-checks within a minute\n');
  }
  if (report.problems.length)
    throw new Error(`${report.problems.length} entr${report.problems.length === 1 ? 'y' : 'ies'} refused (listed above); the others were kept`);
});
