import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalRedis, type LocalRedis } from '../services/redis.js';
import { startLocalFerretdb, type LocalFerretdb } from '../services/ferretdb.js';
import { startMockWechatApi, type MockWechatApi, type MockWechatApiOptions } from '../mock-wechat-api.js';

/** Everything a benchmark runs against, started in a temp dir and stopped in reverse order. */
export interface BenchServices {
  redis: LocalRedis;
  ferret: LocalFerretdb;
  mock: MockWechatApi;
  /** Add a stop step (run before the ones already registered). */
  onStop(stop: () => Promise<void>): void;
  stopAll(): Promise<void>;
}

/**
 * Start a private redis-server, FerretDB and mock WeChat API for one benchmark run; SIGINT and
 * SIGTERM stop them too, so an interrupted benchmark leaves nothing behind.
 */
export async function startBenchServices(name: string, mockOptions: MockWechatApiOptions, say: (line: string) => void): Promise<BenchServices> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `linli-bench-${name}-`));
    stops.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    say('starting redis-server, FerretDB and the mock WeChat API…');
    const redis = await startLocalRedis({ dataDir: path.join(dir, 'redis'), persistent: false });
    stops.push(() => redis.stop());
    const ferret = await startLocalFerretdb({ dataDir: path.join(dir, 'ferretdb') });
    stops.push(() => ferret.stop());
    const mock = await startMockWechatApi(mockOptions);
    stops.push(() => mock.close());
    return { redis, ferret, mock, onStop: (stop) => stops.push(stop), stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
