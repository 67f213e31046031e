/** Command line of `npm run test:repeat`. */

export const USAGE = `usage: npm run test:repeat -- N [--load K] [vitest arguments…]

  N          how many times to run the suite, one run after another (1–1000)
  --load K   keep K extra processes spinning on the CPU meanwhile (0–64; default 0), to see
             what a loaded machine does to timing; they are stopped when the script ends
  the rest   goes to \`vitest run\` as given: test files, -t NAME, --bail …

Prints each run's result, duration and failing tests, then a summary; exits 1 when any run
failed. Each run's full output is kept in a log file (its path is printed).

examples:
  npm run test:repeat -- 5 --load 2
  npm run test:repeat -- 20 --load 2 test/bot/pipeline/deadline.test.ts`;

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface RepeatOptions {
  runs: number;
  /** Busy-loop processes to keep running meanwhile. */
  load: number;
  /** Passed to `vitest run` unchanged. */
  vitestArgs: string[];
}

function count(what: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined || !/^\d+$/.test(text))
    throw new UsageError(`${what} must be a whole number, got ${text === undefined ? 'nothing' : JSON.stringify(text)}`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`${what} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/**
 * Parse argv (without node and script): N first, then `--load K` (or `--load=K`) anywhere before
 * a `--`; everything else, and all after `--`, is vitest's. `--help` answers `'help'`.
 * @throws UsageError
 */
export function parseRepeatArgs(argv: string[]): RepeatOptions | 'help' {
  if (argv[0] === '--help' || argv[0] === '-h') return 'help';
  const [first, ...rest] = argv;
  const runs = count('N (the number of runs)', first, 1, 1000);
  let load = 0;
  const vitestArgs: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--') {
      vitestArgs.push(...rest.slice(i + 1));
      break;
    }
    if (arg === '--load') load = count('--load', rest[++i], 0, 64);
    else if (arg.startsWith('--load=')) load = count('--load', arg.slice('--load='.length), 0, 64);
    else vitestArgs.push(arg);
  }
  return { runs, load, vitestArgs };
}
