import { Worker, UnrecoverableError } from 'bullmq';
import { QUEUE_NAMES } from '../queues.js';
import type { Runtime } from '../runtime.js';
import { sendLateReply } from '../../handlers/inbound/late-reply.js';
import { redisInboundStore } from '../pipeline/dedup-store.js';
import { WechatApiError } from '../wechat/api-errors.js';

/** Thin adapter: `{dedupKey}` → sendLateReply; non-retryable API errors end the job. */
export function lateReplyWorker(rt: Runtime): Worker {
  const store = redisInboundStore(rt.redis);
  const deps = {
    store,
    now: () => rt.clock.now(),
    async sendText(channel: 'wechat' | 'wecom', openid: string, text: string) {
      if (channel === 'wecom') {
        if (!rt.wecom) throw new UnrecoverableError('WeCom is not configured');
        await rt.wecom.sendText({ touser: [openid] }, text);
      } else {
        await rt.wechat.sendText(openid, text);
      }
    },
  };
  return new Worker(
    QUEUE_NAMES.lateReply,
    async (job) => {
      try {
        return await sendLateReply(deps, String(job.data.dedupKey));
      } catch (err) {
        if (err instanceof WechatApiError && !err.retryable) throw new UnrecoverableError(`${err.code} ${err.message}`);
        throw err;
      }
    },
    { connection: rt.redis, prefix: 'linli', concurrency: rt.config.WORKER_CONCURRENCY },
  );
}
