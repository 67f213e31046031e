import type { Runtime } from '../runtime.js';
import type { Notice } from '../../models/notice.js';
import { fanoutJobId, queueBroadcastPort } from './queue-port.js';

/**
 * Make sure every released or sending notice has a live fan-out job: queue it when it is missing
 * (a release whose queue was unreachable, a Redis that lost its data) and retry it when it failed
 * for good (e.g. the database was down through all its attempts). Idempotent — the job id is the
 * notice's — so every worker process runs it at start-up and every minute. Returns how many jobs
 * it (re)started.
 */
export async function ensureFanoutJobs(rt: Runtime): Promise<number> {
  const port = queueBroadcastPort(rt.queues, rt.clock);
  const open = await rt.models.Notice.find({ status: { $in: ['released', 'sending'] } }, { _id: 1, urgent: 1, sendAt: 1 }).lean<Notice[]>();
  let started = 0;
  for (const n of open) {
    const id = String(n._id);
    const job = await rt.queues.noticeFanout.getJob(fanoutJobId(id));
    if (!job) {
      await port.startBroadcast(id, { urgent: !!n.urgent, sendAt: n.sendAt ?? null });
      started++;
    } else if ((await job.getState()) === 'failed') {
      await job.retry('failed');
      started++;
    }
  }
  return started;
}

/** Run `ensureFanoutJobs` now and every `everyMs`; the returned function stops it. */
export function keepFanoutJobsAlive(rt: Runtime, everyMs = 60_000): () => void {
  const run = () =>
    void ensureFanoutJobs(rt).then(
      (n) => n && rt.log.warn({ restarted: n }, 'restarted fan-out jobs of released or sending notices'),
      (err: unknown) => rt.log.warn({ err }, 'could not check the fan-out jobs'),
    );
  const first = setTimeout(run, 1000);
  const timer = setInterval(run, everyMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
