import pino, { type Logger } from 'pino';

export type { Logger };

/** Mainland mobile numbers (11 digits starting 1[3-9], optionally +86/86) not embedded in a longer number. */
const MOBILE = /(?<!\d)((?:\+?86)?1[3-9]\d)\d{4}(\d{4})(?!\d)/g;

/** Mask mobile numbers in a string: 13812345678 → 138****5678. */
export function maskMobiles(s: string): string {
  return s.replace(MOBILE, '$1****$2');
}

/** A JSON string literal, or a number outside one. */
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * Mask a serialized log line: strings, and mobiles logged as bare numbers (which become
 * strings, so the line stays valid JSON). This catches what the field masking cannot see:
 * error messages and stacks, child-logger bindings and numbers.
 */
function maskJsonLine(line: string): string {
  return line.replace(JSON_TOKEN, (tok) => (tok.startsWith('"') ? maskMobiles(tok) : /^1[3-9]\d{9}$/.test(tok) ? `"${maskMobiles(tok)}"` : tok));
}

function maskDeep(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return maskMobiles(v);
  if (depth > 6 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => maskDeep(x, depth + 1));
  if (v instanceof Error) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = maskDeep(x, depth + 1);
  return out;
}

/**
 * The process logger. Mobile numbers are personal data (product.md, "Rules for every part"):
 * they are masked in every message and field before anything is written.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      formatters: { log: (obj) => maskDeep(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskMobiles(a) : a)) as Parameters<typeof method>;
          return method.apply(this, masked);
        },
        streamWrite: maskJsonLine,
      },
    },
    destination,
  );
}
