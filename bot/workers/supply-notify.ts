import { UnrecoverableError, Worker } from 'bullmq';
import { notifySupplyEvent } from '../../handlers/supplies/notify.js';
import { tellDeps } from '../messenger.js';
import { QUEUE_NAMES } from '../queues.js';
import type { Runtime } from '../runtime.js';
import { WechatApiError } from '../wechat/api-errors.js';

/**
 * Thin adapter: `{eventId}` → notifySupplyEvent; a permanent API error ends the job. One job at a
 * time, in the order the changes were queued: a resident must hear "accepted" before "assigned"
 * (with four at once, two quick changes reached the resident the other way round). Staff make
 * these changes at human pace, so one at a time keeps up.
 */
export function supplyNotifyWorker(rt: Runtime): Worker {
  const deps = { ...tellDeps(rt), translate: (lng: 'zh-CN' | 'en') => rt.i18n.getFixedT(lng) };
  return new Worker(
    QUEUE_NAMES.supplyNotify,
    async (job) => {
      try {
        return await notifySupplyEvent(deps, String(job.data.eventId));
      } catch (err) {
        if (err instanceof WechatApiError && !err.retryable) throw new UnrecoverableError(`${err.code} ${err.message}`);
        throw err;
      }
    },
    { connection: rt.redis, prefix: 'linli', concurrency: 1 },
  );
}
