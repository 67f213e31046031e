import crypto from 'node:crypto';
import type { Redis } from 'ioredis';

export type LuaArg = string | number;

/**
 * A Lua script called by its SHA1 (`EVALSHA`): the body crosses the wire once per Redis server
 * (on the first `NOSCRIPT`, after a restart too), not on every call as `EVAL` does. Each script
 * is one atomic step; its keys are documented where it is defined.
 */
export function luaScript(lua: string, numberOfKeys: number): (redis: Redis, ...args: LuaArg[]) => Promise<unknown> {
  const sha = crypto.createHash('sha1').update(lua).digest('hex');
  return async (redis, ...args) => {
    try {
      return await redis.evalsha(sha, numberOfKeys, ...args);
    } catch (err) {
      if (!(err as Error).message?.startsWith('NOSCRIPT')) throw err;
      return redis.eval(lua, numberOfKeys, ...args);
    }
  };
}
