import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/**
 * Run a CLI from `scripts/` as an operator would: a child process (in the repository's folder)
 * with only PATH, HOME, MONGODB_URI and `env` set.
 */
export function runScript(script: string, args: string[], mongodbUri: string, env: Record<string, string> = {}) {
  const r = spawnSync(TSX, [path.join(ROOT, 'scripts', script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, MONGODB_URI: mongodbUri, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
