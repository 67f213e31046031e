import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalFerretdb } from '../../scripts/services/ferretdb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A MongoDB URI with the database name `{db}` as a placeholder. */
    mongoTemplate: string;
  }
}

/**
 * One database server for the whole run (each test file uses its own database): MONGODB_URI's
 * server when it is set (a MongoDB the tests may use), else a FerretDB of our own. Redis is
 * started per test file by `startRedis()` because some tests stop and restart it.
 */
export default async function setup(project: TestProject) {
  const given = process.env.MONGODB_URI;
  if (given) {
    const u = new URL(given);
    u.pathname = '/{db}';
    project.provide('mongoTemplate', u.toString().replace('%7Bdb%7D', '{db}'));
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-test-ferretdb-'));
  const ferret = await startLocalFerretdb({ dataDir: dir });
  project.provide('mongoTemplate', ferret.uri('{db}'));
  return async () => {
    await ferret.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
