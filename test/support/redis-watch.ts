import { Redis } from 'ioredis';

/** The commands a Redis server ran since the watch began (MONITOR), lower-cased command names. */
export interface RedisWatch {
  /** How many commands so far match `match` (called with the command and its arguments). */
  count(match: (args: string[]) => boolean): number;
  close(): void;
}

/**
 * Watch a Redis server's commands through MONITOR, so a test can wait for a step it cannot see
 * otherwise: "the duplicate delivery has tried to claim the message and is now waiting".
 */
export async function watchRedis(url: string): Promise<RedisWatch> {
  const client = new Redis(url, { lazyConnect: true });
  const monitor = await client.monitor();
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[]) => {
    seen.push([String(args[0]).toLowerCase(), ...args.slice(1)]);
  });
  return {
    count: (match) => seen.filter(match).length,
    close: () => {
      monitor.disconnect();
      client.disconnect();
    },
  };
}

/** `SET key … NX`: an attempt to claim `key` (a dedup claim, a lease). */
export const claimOf =
  (key: string) =>
  (args: string[]): boolean =>
    args[0] === 'set' && args[1] === key && args.some((a) => a.toUpperCase() === 'NX');
