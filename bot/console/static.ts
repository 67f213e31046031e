import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Koa from 'koa';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** The checkout's root: the nearest folder above this module with a package.json (bot/ under tsx, dist/bot/ compiled). */
export function projectRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** Where `npm run build:console` writes the pages (git-ignored). */
export const CONSOLE_DIST = path.join(projectRoot(), 'dist', 'console');

/**
 * Answer a built file: `name` relative to the build folder, never outside it. Hashed assets are
 * cached for a year; pages are revalidated so a rebuild shows at the next load.
 * @returns false when there is no such file (the caller answers 404 or a hint)
 */
export async function sendBuilt(ctx: Koa.Context, name: string, root = CONSOLE_DIST): Promise<boolean> {
  const file = path.resolve(root, name);
  if (!file.startsWith(root + path.sep)) return false;
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    return false;
  }
  if (!stat.isFile()) return false;
  ctx.type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  ctx.set('cache-control', name.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  ctx.set('x-content-type-options', 'nosniff');
  ctx.length = stat.size;
  ctx.body = fs.createReadStream(file);
  return true;
}

/** A page that is not built yet: say how to build it instead of a bare 404. */
export function notBuilt(ctx: Koa.Context, page: string): void {
  ctx.status = 503;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = `The ${page} is not built yet. Run \`npm run build:console\` (npm start and npm run build do it for you).\n`;
}
