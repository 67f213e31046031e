import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalFerretdb } from '../../scripts/services/ferretdb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ferretdbPort: number;
  }
}

/**
 * One FerretDB for the whole run (each test file uses its own database); Redis is started per
 * test file by `startRedis()` because some tests stop and restart it.
 */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-test-ferretdb-'));
  const ferret = await startLocalFerretdb({ dataDir: dir });
  project.provide('ferretdbPort', ferret.port);
  return async () => {
    await ferret.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
