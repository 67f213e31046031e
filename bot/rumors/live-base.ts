/**
 * The fact base every process holds in memory (`MemoryFactBase`), kept fresh across processes:
 * a change is announced on the Redis channel `linli:rumors` and every subscriber re-reads what it
 * names by id, so a fact-check released through one server answers residents on every server
 * within a second (README, Rumour checks). Pub/sub delivers at most once and not to a process
 * that is reconnecting, so a full reconcile also runs every `reconcileMs` and after each
 * reconnect: a lost message costs at most that long.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { Runtime } from '../runtime.js';
import type { Models } from '../../models/index.js';
import type { FactBase, RumorChange } from '../../handlers/rumors/ports.js';
import { MemoryFactBase } from './memory-base.js';

export const RUMOR_CHANNEL = 'linli:rumors';
/** The safety net: a full re-read of the fact base this often. */
export const RECONCILE_MS = 60_000;

export interface LiveFactBase extends FactBase {
  /** Resolves once the first load from MongoDB is done. */
  readonly ready: Promise<void>;
  readonly memory: MemoryFactBase;
  close(): Promise<void>;
}

export interface LiveFactBaseOptions {
  models: Models;
  /** Publishes announcements (the runtime's connection). */
  redis: Redis;
  log: Pick<Logger, 'warn' | 'info'>;
  reconcileMs?: number;
}

const parse = (raw: string): RumorChange | null => {
  try {
    const m = JSON.parse(raw) as RumorChange;
    return m.kind === 'all' || ((m.kind === 'fact-check' || m.kind === 'claim') && typeof m.id === 'string') ? m : null;
  } catch {
    return null;
  }
};

export function startLiveFactBase(o: LiveFactBaseOptions): LiveFactBase {
  const memory = new MemoryFactBase(o.models);
  const subscriber = o.redis.duplicate();
  subscriber.on('error', () => {}); // reconnects on its own; the reconcile covers the gap
  const apply = (change: RumorChange) =>
    memory.refresh(change).catch((err: Error) => o.log.warn({ err: err.message, change }, 'fact base: could not apply a change; the reconcile will'));
  subscriber.on('message', (_channel: string, raw: string) => {
    const change = parse(raw);
    if (change) void apply(change);
  });
  let connectedOnce = false;
  subscriber.on('ready', () => {
    if (connectedOnce) void apply({ kind: 'all' }); // messages sent while we were away are lost
    connectedOnce = true;
  });
  let closed = false;
  // Subscribed before the first load, so a change made during the load is not missed. The first
  // load is retried until it succeeds: a check never answers from a half-known base.
  const ready = (async () => {
    await subscriber.subscribe(RUMOR_CHANNEL);
    for (let delay = 250; !closed; delay = Math.min(delay * 2, 5000)) {
      try {
        return await memory.reconcile();
      } catch (err) {
        o.log.warn({ err: (err as Error).message, retryInMs: delay }, 'fact base: first load failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  })();
  ready.catch(() => {}); // closed before it subscribed: callers of check() see the error
  const timer = setInterval(() => void apply({ kind: 'all' }), o.reconcileMs ?? RECONCILE_MS);
  timer.unref();
  return {
    ready,
    memory,
    async check(text, lang) {
      await ready;
      return memory.check(text, lang);
    },
    async similarClaim(text, lang) {
      await ready;
      return memory.similarClaim(text, lang);
    },
    async announce(change) {
      // The others through the channel, this process at once (its own message comes back too).
      await Promise.all([o.redis.publish(RUMOR_CHANNEL, JSON.stringify(change)), memory.refresh(change)]);
    },
    async close() {
      closed = true;
      clearInterval(timer);
      subscriber.disconnect();
    },
  };
}

const bases = new WeakMap<Runtime, LiveFactBase>();

/**
 * The runtime's fact base, started on first use (a server warms it at start; a worker that never
 * runs a conversation never loads it) and closed with the runtime.
 */
export function rumorsOf(rt: Runtime, opts: { reconcileMs?: number } = {}): LiveFactBase {
  let base = bases.get(rt);
  if (!base) {
    base = startLiveFactBase({ models: rt.models, redis: rt.redis, log: rt.log, ...opts });
    bases.set(rt, base);
    rt.onClose(() => base!.close());
  }
  return base;
}

/** A `FactBase` that starts the runtime's only when first asked (for deps built eagerly). */
export function lazyFactBase(rt: Runtime): FactBase {
  return {
    check: (text, lang) => rumorsOf(rt).check(text, lang),
    similarClaim: (text, lang) => rumorsOf(rt).similarClaim(text, lang),
    announce: (change) => rumorsOf(rt).announce(change),
  };
}

/**
 * Announce a change from a process without a runtime (the import CLI): connect, publish, leave.
 * Resolves false when Redis does not answer within `timeoutMs` (the servers' periodic reconcile
 * then picks the change up).
 */
export async function announceOnce(redisUrl: string, change: RumorChange, timeoutMs = 3000): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.publish(RUMOR_CHANNEL, JSON.stringify(change));
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
