import os from 'node:os';
import type { Runtime } from '../runtime.js';
import type { BroadcastDeps } from '../../handlers/broadcast/ports.js';
import { bullBroadcastJobs } from './jobs.js';
import { redisBroadcastStore } from './store.js';
import { cachedNoticeLoader } from './notice-cache.js';

let claims = 0;
/** `host:pid#n`: which worker holds a claim, unique per claim. */
const claimOwner = () => `${os.hostname()}:${process.pid}#${++claims}`;

/** The broadcast use cases' ports, built from the runtime. */
export function broadcastDeps(rt: Runtime, opts: { noticeTtlMs?: number } = {}): BroadcastDeps {
  return {
    models: rt.models,
    clock: rt.clock,
    jobs: bullBroadcastJobs(rt.queues),
    store: redisBroadcastStore(rt.redis),
    sender: rt.wechat,
    templateId: rt.config.WECHAT_NOTICE_TEMPLATE_ID,
    templateFields: rt.config.WECHAT_NOTICE_TEMPLATE_FIELDS,
    notice: cachedNoticeLoader(rt.models, opts.noticeTtlMs),
    owner: claimOwner,
    log: rt.log,
  };
}
