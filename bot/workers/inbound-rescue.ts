import { DelayedError, Worker } from 'bullmq';
import { QUEUE_NAMES } from '../queues.js';
import type { Runtime } from '../runtime.js';
import { rerunConversation, rescueInbound } from '../../handlers/inbound/rescue.js';
import { residentIdFor, type Language } from '../../models/resident.js';
import { redisInboundStore, RUNNING_TTL_MS } from '../pipeline/dedup-store.js';
import { lateReplyEnqueuer } from '../pipeline/dedup.js';
import { apologyIn } from '../pipeline/dispatch.js';
import { inboundDeps } from '../conversation.js';
import { residentKey } from '../residents/keys.js';

/** While the webhook's run is alive, look again this often… */
const RECHECK_MS = 3000;
/** …for at most this long (a step still running after 10 minutes is stuck, not slow). */
const GIVE_UP_AFTER_MS = 10 * 60_000;

/**
 * Thin adapter: `{dedupKey}` → rescueInbound. `still-running` puts the job back as delayed
 * (BullMQ's manual delay: no attempt is used up and nothing is logged as failed).
 */
export function inboundRescueWorker(rt: Runtime): Worker {
  const store = redisInboundStore(rt.redis);
  const conversation = inboundDeps(rt);
  const enqueueLateReply = lateReplyEnqueuer(rt.queues.lateReply);
  return new Worker(
    QUEUE_NAMES.inboundRescue,
    async (job, token) => {
      const dedupKey = String(job.data.dedupKey);
      const result = await rescueInbound(
        {
          store,
          owner: `rescue-${rt.ids.random(9)}`,
          renewEveryMs: RUNNING_TTL_MS / 3,
          enqueueLateReply,
          converse: (parked) => rerunConversation(conversation, parked),
          async apology({ channel, inbound }) {
            // The cached language first: a switch made a moment ago may not be written back yet.
            const cached = (await rt.hot.hget(residentKey(channel, inbound.fromUser), 'lang')) as Language | null;
            const resident = cached
              ? null
              : await rt.models.Resident.findById(residentIdFor(channel, inbound.fromUser), { language: 1 }).lean<{ language?: Language }>();
            return apologyIn(rt, cached ?? resident?.language ?? 'zh-CN');
          },
        },
        dedupKey,
      );
      if (result === 'still-running') {
        if (Date.now() - job.timestamp > GIVE_UP_AFTER_MS) {
          rt.log.error({ dedupKey }, 'an inbound run has held its claim for 10 minutes; the rescue job stops watching it');
          return 'gave-up';
        }
        await job.moveToDelayed(Date.now() + RECHECK_MS, token);
        throw new DelayedError();
      }
      if (result === 'rescued') rt.log.warn({ dedupKey }, 'ran an inbound message whose webhook run died after the reply deadline');
      return result;
    },
    { connection: rt.redis, prefix: 'linli', concurrency: rt.config.WORKER_CONCURRENCY },
  );
}
