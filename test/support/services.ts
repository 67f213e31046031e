import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { inject } from 'vitest';
import { startLocalRedis, type LocalRedis } from '../../scripts/services/redis.js';

/** A private, memory-only redis-server for one test file. Stop it in afterAll. */
export async function startRedis(): Promise<LocalRedis> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-test-redis-'));
  const redis = await startLocalRedis({ dataDir: dir, persistent: false });
  return {
    ...redis,
    stop: async () => {
      await redis.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    // stop() removed the directory; redis-server (and its log file) need it back.
    restart: async () => {
      fs.mkdirSync(dir, { recursive: true });
      await redis.restart();
    },
  };
}

/** A MongoDB URI for a fresh database on the run's server (FerretDB, or MONGODB_URI's), unique per call. */
export function mongoUri(prefix = 'test'): string {
  return inject('mongoTemplate').replace('{db}', `${prefix}_${crypto.randomBytes(4).toString('hex')}`);
}
