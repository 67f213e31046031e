/**
 * Waiting for conditions instead of for time (the suite's rule: a test never sleeps and hopes).
 * The timeouts here are deadlines for something expected much sooner, never measurements: a
 * loaded machine makes a condition arrive later, not a test fail.
 */

/** Deadline for conditions that normally hold within a second or two. */
export const WAIT_MS = 20_000;
/**
 * Deadline for a process of ours to start (tsx compiles it on the fly): two seconds on a quiet
 * machine, and once over 20 s with the 2 cores crowded (load average 12 plus two busy loops).
 */
export const START_MS = 60_000;

/** What a probe returns once its condition holds. */
export type Truthy<T> = Exclude<T, null | undefined | false | 0 | ''>;

/**
 * Poll `probe` until it returns something truthy, and return that. Fails after `timeoutMs`
 * naming `what` and the last value seen.
 */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = WAIT_MS, everyMs = 50): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last seen: ${JSON.stringify(value)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * `promise`, or a failure naming `what` if it has not settled after `timeoutMs`: for a step
 * that, when broken, would hang (a close that waits forever) rather than answer wrongly.
 */
export function within<T>(what: string, promise: Promise<T>, timeoutMs = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A step the test holds open: the code under test awaits `pass()`, the test decides when it ends. */
export interface Gate {
  /** Awaited by the held code: resolves when the test opens the gate, rejects when it fails it. */
  pass(): Promise<void>;
  /** Resolves once the held code has reached the gate (called `pass()`). */
  readonly reached: Promise<void>;
  /** How many times `pass()` was called. */
  readonly passes: number;
  open(): void;
  fail(err: Error): void;
}

export function gate(): Gate {
  let reach!: () => void;
  const reached = new Promise<void>((r) => (reach = r));
  let open!: () => void;
  let fail!: (err: Error) => void;
  const opened = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  opened.catch(() => {}); // a gate failed before anyone reached it is not an unhandled rejection
  let passes = 0;
  return {
    pass() {
      passes += 1;
      reach();
      return opened;
    },
    reached,
    get passes() {
      return passes;
    },
    open: () => open(),
    fail: (err) => fail(err),
  };
}
