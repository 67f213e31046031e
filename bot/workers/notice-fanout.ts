import { DelayedError, Worker } from 'bullmq';
import { QUEUE_NAMES } from '../queues.js';
import type { Runtime } from '../runtime.js';
import { runFanout } from '../../handlers/broadcast/fanout.js';
import { sweepCancelled } from '../../handlers/broadcast/cancel.js';
import { broadcastDeps } from '../broadcast/deps.js';
import type { SweepJobData } from '../broadcast/jobs.js';
import type { FanoutJobData } from '../broadcast/queue-port.js';
import { keepFanoutJobsAlive } from '../broadcast/resume.js';

/** How often a finished fan-out looks at its broadcast until it is complete (the fallback path). */
export const WATCH_INTERVAL_MS = 10_000;

/**
 * Thin adapter for the fan-out queue. `fanout` (`fanout-<noticeId>`, queued by release, delayed
 * to sendAt) → runFanout; while the broadcast is still sending, the job re-delays itself as the
 * completion watcher (DelayedError uses no attempt). `sweep` (`sweep-<noticeId>`) → the cancel
 * sweep. At least two at a time, so an urgent fan-out never waits behind a long normal one.
 * While it runs it also keeps every released or sending notice's fan-out job alive (resume.ts).
 */
export function noticeFanoutWorker(rt: Runtime): Worker<FanoutJobData | SweepJobData> {
  const deps = broadcastDeps(rt);
  const worker = new Worker<FanoutJobData | SweepJobData>(
    QUEUE_NAMES.noticeFanout,
    async (job, token) => {
      const noticeId = String(job.data.noticeId);
      if (job.name === 'sweep') return { swept: await sweepCancelled(deps, noticeId) };
      const r = await runFanout(deps, noticeId);
      if (r.outcome === 'watching') {
        await job.updateProgress({ total: r.total, ...(r.progress ?? {}) });
        await job.moveToDelayed(Date.now() + WATCH_INTERVAL_MS, token);
        throw new DelayedError();
      }
      return r;
    },
    {
      connection: rt.redis,
      prefix: 'linli',
      concurrency: Math.max(2, Math.min(4, rt.config.WORKER_CONCURRENCY)),
      lockDuration: 30_000,
      stalledInterval: 10_000,
      maxStalledCount: 5,
    },
  );
  const stop = keepFanoutJobsAlive(rt);
  worker.on('closing', stop);
  return worker;
}
