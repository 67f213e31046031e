import os from 'node:os';
import type { Runtime } from '../runtime.js';
import type { BroadcastDeps, SendSlots } from '../../handlers/broadcast/ports.js';
import { sendSlots } from '../../handlers/broadcast/slots.js';
import { bullBroadcastJobs } from './jobs.js';
import { redisBroadcastStore } from './store.js';
import { redisKfBudget } from './kf-budget.js';
import { redisKfWindows } from '../residents/kf-window.js';
import { redisSendPace } from './rate-limit.js';
import { cachedNoticeLoader } from './notice-cache.js';

let claims = 0;
/** `host:pid#n`: which worker holds a claim, unique per claim. */
const claimOwner = () => `${os.hostname()}:${process.pid}#${++claims}`;

/** The process's send slots (WORKER_CONCURRENCY), shared by every batch it runs. */
const slotsBySize = new Map<number, SendSlots>();
const processSlots = (n: number) => slotsBySize.get(n) ?? slotsBySize.set(n, sendSlots(n)).get(n)!;

/** The broadcast use cases' ports, built from the runtime. */
export function broadcastDeps(rt: Runtime, opts: { noticeTtlMs?: number } = {}): BroadcastDeps {
  const pace = redisSendPace(rt.redis, rt.config.BROADCAST_RATE_PER_S);
  const windows = redisKfWindows(rt.redis, rt.config.RESIDENT_WRITE_BACK_MS);
  return {
    models: rt.models,
    clock: rt.clock,
    jobs: bullBroadcastJobs(rt.queues),
    store: redisBroadcastStore(rt.redis),
    sender: rt.wechat,
    budget: redisKfBudget(rt.redis, windows),
    windows,
    slots: processSlots(rt.config.WORKER_CONCURRENCY),
    ...(pace ? { pace } : {}),
    batchSize: rt.config.BROADCAST_BATCH_SIZE,
    templateId: rt.config.WECHAT_NOTICE_TEMPLATE_ID,
    templateFields: rt.config.WECHAT_NOTICE_TEMPLATE_FIELDS,
    notice: cachedNoticeLoader(rt.models, opts.noticeTtlMs),
    owner: claimOwner,
    log: rt.log,
  };
}
