/** Fault injection: which endpoint a fault applies to, and its compiled form. */
import { ENDPOINTS, type MockFault } from './types.js';

/** A fault ready to apply: rate, latency, how many times left, and optional recipients. */
export interface Fault {
  errcode: number | undefined;
  rate: number;
  latencyMs: number;
  remaining: number;
  openids: Set<string> | null;
}

const PATHS = new Map(Object.entries(ENDPOINTS).map(([k, v]) => [k.split(' ')[1]!, v]));

/** Normalise `custom_send`, `/cgi-bin/message/custom/send` or `*` to a fault key. */
export function faultKey(endpoint: string): string {
  if (endpoint === '*' || (Object.values(ENDPOINTS) as string[]).includes(endpoint)) return endpoint;
  const name = PATHS.get(endpoint.split('?')[0]!);
  if (!name) throw new Error(`unknown endpoint ${JSON.stringify(endpoint)}; use one of ${Object.values(ENDPOINTS).join(', ')} or *`);
  return name;
}

export const describeFault = (f: Fault) => ({
  errcode: f.errcode,
  rate: f.rate,
  latencyMs: f.latencyMs,
  remaining: Number.isFinite(f.remaining) ? f.remaining : null,
  openids: f.openids ? [...f.openids] : null,
});

export function compileFault(f: MockFault): Fault {
  return {
    errcode: f.errcode,
    rate: f.rate ?? 1,
    latencyMs: f.latencyMs ?? 0,
    remaining: f.times ?? Infinity,
    openids: f.openids ? new Set(f.openids) : null,
  };
}
