import type { SendSlots } from './ports.js';

/**
 * `n` send slots for one process, handed out first come first served except that an urgent
 * batch's waiters go before every normal one — so an urgent notice that arrives while normal
 * batches are in hand takes the next slot that frees.
 */
export function sendSlots(n: number): SendSlots {
  let free = Math.max(1, n);
  const waiting = { urgent: [] as Array<() => void>, normal: [] as Array<() => void> };
  const release = () => {
    const next = waiting.urgent.shift() ?? waiting.normal.shift();
    if (next) next();
    else free += 1;
  };
  const once = () => {
    let done = false;
    return () => {
      if (!done) (done = true), release();
    };
  };
  return {
    size: free,
    acquire(urgent) {
      if (free > 0) {
        free -= 1;
        return Promise.resolve(once());
      }
      return new Promise((resolve) => (urgent ? waiting.urgent : waiting.normal).push(() => resolve(once())));
    },
  };
}
