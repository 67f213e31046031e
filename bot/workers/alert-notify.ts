import { Worker } from 'bullmq';
import { notifyAlert } from '../../handlers/alerts/notify-alert.js';
import { placesOf } from '../conversation.js';
import { QUEUE_NAMES } from '../queues.js';
import type { Runtime } from '../runtime.js';

/** Thin adapter: `{alertId}` → notifyAlert (WeCom app message to the building's staff). */
export function alertNotifyWorker(rt: Runtime): Worker {
  const wecom = rt.wecom;
  const deps = {
    models: rt.models,
    places: placesOf(rt),
    clock: rt.clock,
    translate: rt.i18n.getFixedT('zh-CN'),
    ...(wecom ? { sendWecom: (users: string[], text: string) => wecom.sendText({ touser: users }, text) } : {}),
  };
  return new Worker(QUEUE_NAMES.alertNotify, async (job) => notifyAlert(deps, String(job.data.alertId)), {
    connection: rt.redis,
    prefix: 'linli',
    concurrency: Math.min(4, rt.config.WORKER_CONCURRENCY),
  });
}
