/**
 * BROADCAST_RATE_PER_S as a pace shared by every worker process: before each WeChat send a lane
 * reserves the next free moment on one Redis key (a generic cell rate algorithm: the key holds the
 * theoretical time of the next send, which each reservation moves one interval on) and waits
 * until it. One round trip per send, no polling; the clock is Redis's (`TIME`), so workers on
 * machines whose clocks differ still share one pace.
 *
 * A burst of at most a tenth of a second's budget may go at once (as BullMQ's limiter allowed
 * before batches); below 10/s, one send at a time. A lane that wakes up more than one interval
 * after its moment (its process stalled: GC, a busy machine) gives the moment up and reserves
 * again, so a stall does not release its waiting sends together. What it counts is sends: a
 * delivery is one, a 45015 fallback to the template a second, a retry another.
 */
import type { Redis } from 'ioredis';
import type { SendPace } from '../../handlers/broadcast/ports.js';
import { luaScript } from '../redis-script.js';

export const PACE_KEY = 'linli:bc:pace';

/**
 * KEYS[1] pace; ARGV[1] interval µs, ARGV[2] burst tolerance µs. Returns how many µs to wait
 * before this send. Times in µs since the epoch fit a Lua double exactly (< 2^53).
 */
const reserve = luaScript(
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.0f', tat + interval), 'PX', math.ceil((tat + interval - now) / 1000) + 1000)
local wait = tat - tonumber(ARGV[2]) - now
if wait < 0 then wait = 0 end
return wait`,
  1,
);

export interface PaceSettings {
  intervalUs: number;
  burstUs: number;
}

/** The pace for a rate per second; undefined for 0 (no limit). */
export function paceSettings(ratePerS: number): PaceSettings | undefined {
  if (!(ratePerS > 0)) return undefined;
  const intervalUs = 1_000_000 / ratePerS;
  const burst = Math.max(1, Math.floor(ratePerS / 10));
  return { intervalUs, burstUs: (burst - 1) * intervalUs };
}

export function redisSendPace(redis: Redis, ratePerS: number): SendPace | undefined {
  const s = paceSettings(ratePerS);
  if (!s) return undefined;
  const args = [String(Math.round(s.intervalUs)), String(Math.round(s.burstUs))];
  const lateMs = Math.max(20, s.intervalUs / 1000);
  return {
    async next() {
      for (let tries = 0; ; tries++) {
        const asked = performance.now(); // the moment is Redis's "now" plus the wait: count the round trip too
        const waitMs = Number(await reserve(redis, PACE_KEY, ...args)) / 1000;
        if (waitMs > 0) await new Promise((r) => setTimeout(r, Math.ceil(waitMs - (performance.now() - asked))));
        if (performance.now() - (asked + waitMs) < lateMs || tries >= 3) return;
      }
    },
  };
}
