import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { i18n } from 'i18next';
import type { Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { connectMongo, connectRedis } from './connect.js';
import { createQueues, closeQueues, type Queues } from './queues.js';
import { createI18n } from './i18n.js';
import { bindModels, syncIndexes, type Models } from '../models/index.js';

/** Injected so conversation transcripts and tests are deterministic. */
export interface Clock {
  now(): Date;
}
export interface Ids {
  /** A random url-safe id (nonces, tokens' suffixes). */
  random(bytes?: number): string;
}

/** Everything the rim hands to handlers: built once per process. */
export interface Runtime {
  config: Config;
  log: Logger;
  redis: Redis;
  db: Connection;
  models: Models;
  queues: Queues;
  i18n: i18n;
  clock: Clock;
  ids: Ids;
  /** Close queues, Redis and MongoDB (after the server and workers have stopped). */
  close(): Promise<void>;
}

export const systemClock: Clock = { now: () => new Date() };
export const randomIds: Ids = { random: (bytes = 16) => crypto.randomBytes(bytes).toString('base64url') };

/** Connect to Redis and MongoDB (bounded retry), build indexes, queues and i18n. */
export async function createRuntime(config: Config, opts: { log?: Logger; clock?: Clock; ids?: Ids } = {}): Promise<Runtime> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const redis = await connectRedis(config.REDIS_URL, config.STARTUP_TIMEOUT_MS, log);
  let db: Connection;
  try {
    db = await connectMongo(config.MONGODB_URI, config.STARTUP_TIMEOUT_MS, log);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const models = bindModels(db);
  await syncIndexes(models);
  const queues = createQueues(redis);
  const i18n = await createI18n();
  return {
    config,
    log,
    redis,
    db,
    models,
    queues,
    i18n,
    clock: opts.clock ?? systemClock,
    ids: opts.ids ?? randomIds,
    async close() {
      await closeQueues(queues).catch(() => {});
      redis.disconnect();
      await db.close().catch(() => {});
    },
  };
}
