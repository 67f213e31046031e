import { pooledRandomBytes } from './random-pool.js';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { i18n } from 'i18next';
import type { Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { connectMongo, connectRedis } from './connect.js';
import { createQueues, closeQueues, type Queues } from './queues.js';
import { createI18n } from './i18n.js';
import { bindModels, syncIndexes, type Models } from '../models/index.js';
import { createWechatApi, type WechatApi } from './wechat/api-client.js';
import { createWecomApi, type WecomApi } from './wecom/api-client.js';

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
  /** Shared by BullMQ's queues and everything that is not per message. */
  redis: Redis;
  /** The same Redis with auto-pipelining, for the commands every message makes (dedup, resident, conversation). */
  hot: Redis;
  db: Connection;
  models: Models;
  queues: Queues;
  i18n: i18n;
  /** Official Account API client (tokens shared through Redis). */
  wechat: WechatApi;
  /** WeCom app client; undefined when WeCom is not configured. */
  wecom?: WecomApi;
  clock: Clock;
  ids: Ids;
  /** Close queues, Redis and MongoDB (after the server and workers have stopped). */
  close(): Promise<void>;
  /** Run `fn` first when the runtime closes (a feature's own connections, timers). */
  onClose(fn: () => Promise<void>): void;
}

export const systemClock: Clock = { now: () => new Date() };
export const randomIds: Ids = { random: (bytes = 16) => pooledRandomBytes(bytes).toString('base64url') };

/** Connect to Redis and MongoDB (bounded retry), build indexes, queues and i18n. */
export async function createRuntime(config: Config, opts: { log?: Logger; clock?: Clock; ids?: Ids } = {}): Promise<Runtime> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const redis = await connectRedis(config.REDIS_URL, config.STARTUP_TIMEOUT_MS, log);
  let hot: Redis | undefined;
  let db: Connection;
  try {
    hot = await connectRedis(config.REDIS_URL, config.STARTUP_TIMEOUT_MS, log, { autoPipelining: true });
    db = await connectMongo(config.MONGODB_URI, config.STARTUP_TIMEOUT_MS, log);
  } catch (err) {
    redis.disconnect();
    hot?.disconnect();
    throw err;
  }
  const models = bindModels(db);
  await syncIndexes(models);
  const queues = createQueues(redis);
  const i18n = await createI18n();
  const wechat = createWechatApi({
    base: config.WECHAT_API_BASE,
    appId: config.WECHAT_APP_ID,
    appSecret: config.WECHAT_APP_SECRET,
    redis,
    tokenEndpoint: config.WECHAT_TOKEN_ENDPOINT,
  });
  const wecom =
    config.WECOM_CORP_ID && config.WECOM_SECRET
      ? createWecomApi({ base: config.WECOM_API_BASE, corpId: config.WECOM_CORP_ID, secret: config.WECOM_SECRET, agentId: config.WECOM_AGENT_ID, redis })
      : undefined;
  const closers: Array<() => Promise<void>> = [];
  return {
    config,
    log,
    redis,
    hot,
    db,
    models,
    queues,
    i18n,
    wechat,
    ...(wecom ? { wecom } : {}),
    clock: opts.clock ?? systemClock,
    ids: opts.ids ?? randomIds,
    onClose: (fn) => void closers.push(fn),
    async close() {
      for (const fn of closers.splice(0)) await fn().catch(() => {});
      await closeQueues(queues).catch(() => {});
      redis.disconnect();
      hot.disconnect();
      await db.close().catch(() => {});
    },
  };
}
