import { Worker } from 'bullmq';
import { askStillNeeded } from '../../handlers/supplies/still-needed.js';
import { inboundDeps } from '../conversation.js';
import { tellDeps } from '../messenger.js';
import { QUEUE_NAMES } from '../queues.js';
import type { Runtime } from '../runtime.js';

/** Thin adapter: the repeatable `still-needed` job → askStillNeeded. */
export function supplyOverdueWorker(rt: Runtime): Worker {
  const conversation = inboundDeps(rt);
  const deps = { ...tellDeps(rt), conversations: conversation.conversations, log: rt.log, translate: conversation.translate, owner: conversation.owner };
  return new Worker(QUEUE_NAMES.supplyOverdue, async () => askStillNeeded(deps), { connection: rt.redis, prefix: 'linli', concurrency: 1 });
}
