/**
 * BROADCAST_RATE_PER_S as a BullMQ limiter. BullMQ's Worker `limiter` is global per queue: every
 * worker's fetch (the `moveToActive` script) increments one Redis counter
 * (`linli:notice-deliver:limiter`) that expires after `duration`; at `max` no worker in any
 * process takes a job until it expires. So it holds across all worker processes, as long as
 * they share the same settings — they do, all read BROADCAST_RATE_PER_S.
 *
 * The window is ~100 ms (max = rate/10) rather than 1 s so a burst is at most a tenth of a
 * second's budget; below 10/s it is one job per 1000/rate ms. What it counts is deliver jobs
 * started — each one WeChat send, two for a 45015 fallback; retries count again.
 */
export function deliverLimiter(ratePerS: number): { max: number; duration: number } | undefined {
  if (!(ratePerS > 0)) return undefined;
  const max = Math.max(1, Math.floor(ratePerS / 10));
  return { max, duration: Math.max(1, Math.round((1000 * max) / ratePerS)) };
}
