/**
 * `npm run audit:verify` — check every audit hash chain (notices and fact-checks).
 *
 * Exit codes: 0 every chain intact (summary on stdout); 1 a chain is broken (each broken chain's
 * first bad entry on stderr: subject, seq, entry id, reason); 2 bad configuration; 3 MongoDB
 * unreachable. Needs only MONGODB_URI; read-only.
 */
import { loadCliConfig } from './cli.js';
import { connectMongo } from '../bot/connect.js';
import { createLogger } from '../bot/log.js';
import { bindModels } from '../models/index.js';
import { describeProblem, verifyAuditChains } from '../handlers/audit/verify.js';

const config = loadCliConfig();
const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);

let db;
try {
  db = await connectMongo(config.MONGODB_URI, config.STARTUP_TIMEOUT_MS, log);
} catch (err) {
  process.stderr.write(`audit:verify: ${(err as Error).message}\n`);
  process.exit(3);
}
try {
  const report = await verifyAuditChains(bindModels(db));
  if (report.problems.length) {
    for (const p of report.problems) process.stderr.write(`BROKEN ${describeProblem(p)}\n`);
    process.stderr.write(`audit:verify: ${report.problems.length} broken chain(s) among ${report.chains} (${report.entries} entries)\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`audit:verify: OK — ${report.chains} chain(s), ${report.entries} entries, all hashes and links intact\n`);
  }
} finally {
  await db.close();
}
