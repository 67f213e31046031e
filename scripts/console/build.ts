/**
 * `npm run build:console`: build the web pages (console/) with Vite into dist/console/, only when
 * their sources changed since the last build (a hash of console/, the shared flow modules it
 * imports and package-lock.json kept in dist/console/.source-hash). `npm start`, `npm run build` and the browser tests call
 * {@link ensureConsoleBuilt}; `--force` builds anyway. Concurrent callers (parallel test files)
 * take turns through a lock folder; the build goes to a temporary folder that then replaces the
 * old one, so a server never reads a half-written build.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../services/ferretdb.js';
import { isMain } from '../is-main.js';

const SOURCES = path.join(PROJECT_ROOT, 'console');
export const CONSOLE_OUT = path.join(PROJECT_ROOT, 'dist', 'console');
const HASH_FILE = '.source-hash';
const LOCK = path.join(PROJECT_ROOT, 'dist', '.console-build.lock');

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : e.name.endsWith('.d.ts') ? [] : [path.join(dir, e.name)]))
    .sort();
}

/**
 * Modules outside console/ that the pages import by a relative path (pure ones such as the flows'
 * lists of codes, shared with the bot), found from the sources so a change there rebuilds too.
 */
function sharedFiles(sources: string[]): string[] {
  const found = new Set<string>();
  for (const f of sources.filter((x) => /\.tsx?$/.test(x))) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/from\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = path.resolve(path.dirname(f), m[1]!).replace(/\.js$/, '');
      if (path.relative(SOURCES, target).startsWith('..')) found.add(/\.tsx?$/.test(target) ? target : `${target}.ts`);
    }
  }
  return [...found].sort();
}

/** What the build depends on: every source file (generated .d.ts types excluded), the shared modules and the lock file. */
export function sourceHash(): string {
  const h = crypto.createHash('sha256');
  const sources = listFiles(SOURCES);
  for (const f of [...sources, ...sharedFiles(sources), path.join(PROJECT_ROOT, 'package-lock.json')]) {
    h.update(path.relative(PROJECT_ROOT, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

const builtHash = () => {
  try {
    return fs.readFileSync(path.join(CONSOLE_OUT, HASH_FILE), 'utf8');
  } catch {
    return undefined;
  }
};

async function withLock<T>(run: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than three minutes belongs to a build that died.
      const age = Date.now() - (fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 180_000) fs.rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`console build lock ${LOCK} held for 3 minutes`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await run();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Build unless dist/console/ matches the sources. @returns whether it built. */
export async function ensureConsoleBuilt(opts: { force?: boolean; log?: (line: string) => void } = {}): Promise<boolean> {
  if (!opts.force && builtHash() === sourceHash()) return false;
  return withLock(async () => {
    const hash = sourceHash();
    if (!opts.force && builtHash() === hash) return false; // another caller built it while we waited
    opts.log?.('building the web console (console/ → dist/console/)…');
    const { build } = await import('vite');
    const tmp = `${CONSOLE_OUT}.tmp-${process.pid}`;
    await build({ configFile: path.join(SOURCES, 'vite.config.ts'), build: { outDir: tmp, emptyOutDir: true } });
    fs.writeFileSync(path.join(tmp, HASH_FILE), hash);
    fs.rmSync(CONSOLE_OUT, { recursive: true, force: true });
    fs.renameSync(tmp, CONSOLE_OUT);
    return true;
  });
}

if (isMain(import.meta.url)) {
  ensureConsoleBuilt({ force: process.argv.includes('--force'), log: (l) => process.stdout.write(`${l}\n`) })
    .then((built) => process.stdout.write(built ? `built ${path.relative(PROJECT_ROOT, CONSOLE_OUT)}/\n` : 'console is up to date\n'))
    .catch((err: Error) => {
      process.stderr.write(`console build failed: ${err.message}\n`);
      process.exit(1);
    });
}
