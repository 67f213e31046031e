import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from './log.js';

/** Startup could not reach a backing service within STARTUP_TIMEOUT_MS. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * Retry `attempt` with exponential backoff (250 ms doubling, capped at 5 s) until it succeeds or
 * `timeoutMs` has passed. Containers and `npm start` often race the database: a bounded retry
 * rides that out, and the bound turns a wrong URL into a clear exit instead of a silent hang.
 */
export async function withStartupRetry<T>(what: string, timeoutMs: number, log: Logger, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 250;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const msg = (err as Error).message;
      if (Date.now() + delay > deadline) {
        throw new StartupError(`${what} is not reachable after ${n} attempts over ${Math.round(timeoutMs / 1000)} s: ${msg}`);
      }
      log.warn({ attempt: n, retryInMs: delay, err: msg }, `${what} not reachable yet, retrying`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
}

/**
 * A Redis client that keeps reconnecting after startup (BullMQ needs maxRetriesPerRequest: null).
 * `autoPipelining`: commands issued in the same tick leave in one write (one syscall for many
 * concurrent requests); not for BullMQ, whose blocking commands must not queue behind others.
 */
export async function connectRedis(url: string, timeoutMs: number, log: Logger, opts: { autoPipelining?: boolean } = {}): Promise<Redis> {
  return withStartupRetry('Redis (REDIS_URL)', timeoutMs, log, async () => {
    const redis = new Redis(url, {
      maxRetriesPerRequest: null,
      lazyConnect: true,
      retryStrategy: (n) => Math.min(n * 200, 2000),
      enableAutoPipelining: opts.autoPipelining ?? false,
    });
    redis.on('error', () => {}); // reconnects on its own; /readyz reports the outage
    try {
      await redis.connect();
      await redis.ping();
      return redis;
    } catch (err) {
      redis.disconnect();
      throw err;
    }
  });
}

export async function connectMongo(uri: string, timeoutMs: number, log: Logger): Promise<Connection> {
  return withStartupRetry('MongoDB (MONGODB_URI)', timeoutMs, log, async () => {
    const conn = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 2000, autoIndex: false });
    try {
      await conn.asPromise();
      return conn;
    } catch (err) {
      await conn.close().catch(() => {});
      throw err;
    }
  });
}
