/** `pretest`: build FerretDB into .tools/bin before vitest starts, with visible progress. */
import { ensureFerretdb } from './services/ferretdb.js';

if (process.env.MONGODB_URI) process.exit(0);
try {
  await ensureFerretdb((line) => process.stdout.write(`${line}\n`));
} catch (err) {
  process.stderr.write(`linli: ${(err as Error).message}\n`);
  process.exit(1);
}
