/**
 * The slot ledger on Redis: one Lua script per decision, so a task's places are decided one at a
 * time however many volunteers answer at once (50 at a 5-place task: exactly 5 confirmed, 45 on
 * the waitlist in arrival order). Per task, under one hash tag so a Redis Cluster keeps them
 * together:
 *   linli:task:{<id>}:meta    hash  capacity, open (1/0), seq (joins so far), ver (changes so far)
 *   linli:task:{<id>}:roster  zset  residentId → seq (the order places were taken)
 *   linli:task:{<id>}:wait    zset  residentId → seq (the waitlist's queue)
 * The keys expire 90 days after their last change; the ledger is rebuilt from MongoDB's records
 * whenever it does not hold a task (`load`).
 */
import type { Redis } from 'ioredis';
import type { JoinOutcome, LeaveOutcome, LedgerEntry, LedgerState, ResizeOutcome, SlotLedger } from '../../handlers/volunteers/ports.js';

const TTL_MS = 90 * 24 * 3600_000;
const keys = (taskId: string) => [`linli:task:{${taskId}}:meta`, `linli:task:{${taskId}}:roster`, `linli:task:{${taskId}}:wait`];

const TOUCH = `local function touch() for _, k in ipairs(KEYS) do redis.call('PEXPIRE', k, ${TTL_MS}) end end
local function cap() return tonumber(redis.call('HGET', KEYS[1], 'capacity')) end
local function promote(out)
  while redis.call('ZCARD', KEYS[2]) < cap() do
    local p = redis.call('ZPOPMIN', KEYS[3])
    if not p[1] then break end
    redis.call('ZADD', KEYS[2], p[2], p[1])
    table.insert(out, p[1]); table.insert(out, p[2])
  end
  return out
end
`;

const SCRIPTS = {
  /** ARGV: capacity, open, seq, ver, roster count, then residentId seq pairs (roster, then waitlist). */
  linliTaskLoad: `${TOUCH}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], 'capacity', ARGV[1], 'open', ARGV[2], 'seq', ARGV[3], 'ver', ARGV[4])
local i = 6
for _ = 1, tonumber(ARGV[5]) do redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i]); i = i + 2 end
while i <= #ARGV do redis.call('ZADD', KEYS[3], ARGV[i + 1], ARGV[i]); i = i + 2 end
touch()
return 1`,
  /** ARGV: residentId. */
  linliTaskJoin: `${TOUCH}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
local r = redis.call('ZSCORE', KEYS[2], ARGV[1])
if r then return {'already_confirmed', r} end
local w = redis.call('ZSCORE', KEYS[3], ARGV[1])
if w then return {'already_waitlisted', w, redis.call('ZRANK', KEYS[3], ARGV[1]) + 1} end
if redis.call('HGET', KEYS[1], 'open') ~= '1' then return {'closed'} end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local ver = redis.call('HINCRBY', KEYS[1], 'ver', 1)
touch()
if redis.call('ZCARD', KEYS[2]) < cap() then
  redis.call('ZADD', KEYS[2], seq, ARGV[1])
  return {'confirmed', seq, ver}
end
redis.call('ZADD', KEYS[3], seq, ARGV[1])
return {'waitlisted', seq, ver, redis.call('ZCARD', KEYS[3])}`,
  /** ARGV: residentId. The first on the waitlist takes a freed place while the task is open. */
  linliTaskLeave: `${TOUCH}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then
  local out = {'left', redis.call('HINCRBY', KEYS[1], 'ver', 1)}
  touch()
  if redis.call('HGET', KEYS[1], 'open') == '1' then return promote(out) end
  return out
end
if redis.call('ZREM', KEYS[3], ARGV[1]) == 1 then
  touch()
  return {'left_waitlist', redis.call('HINCRBY', KEYS[1], 'ver', 1)}
end
return {'not_signed_up'}`,
  /** ARGV: capacity. */
  linliTaskResize: `${TOUCH}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
local confirmed = redis.call('ZCARD', KEYS[2])
if tonumber(ARGV[1]) < confirmed then return {'too_small', confirmed} end
redis.call('HSET', KEYS[1], 'capacity', ARGV[1])
local out = {'resized', redis.call('HINCRBY', KEYS[1], 'ver', 1)}
touch()
if redis.call('HGET', KEYS[1], 'open') == '1' then return promote(out) end
return out`,
  linliTaskClose: `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'open', '0')
return 1`,
} as const;

type Reply = Array<string | number>;
type Scripts = { [K in keyof typeof SCRIPTS]: (k1: string, k2: string, k3: string, ...args: Array<string | number>) => Promise<Reply | number> };

const pairs = (flat: Reply, from: number): LedgerEntry[] => {
  const out: LedgerEntry[] = [];
  for (let i = from; i + 1 < flat.length; i += 2) out.push({ residentId: String(flat[i]), seq: Number(flat[i + 1]) });
  return out;
};

export function redisSlotLedger(redis: Redis): SlotLedger {
  // defineCommand sends EVALSHA and falls back to EVAL once per server (after a restart too).
  for (const [name, lua] of Object.entries(SCRIPTS)) if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 3, lua });
  const run = redis as unknown as Scripts;
  const call = (name: keyof typeof SCRIPTS, taskId: string, ...args: Array<string | number>) => {
    const [a, b, c] = keys(taskId);
    return run[name](a!, b!, c!, ...args);
  };
  return {
    async load(taskId, s) {
      const flat = [...s.roster, ...s.waitlist].flatMap((e) => [e.residentId, e.seq]);
      return (await call('linliTaskLoad', taskId, s.capacity, s.open ? 1 : 0, s.seq, s.ver, s.roster.length, ...flat)) === 1;
    },
    async join(taskId, residentId) {
      const r = (await call('linliTaskJoin', taskId, residentId)) as Reply;
      switch (r[0]) {
        case 'confirmed':
          return { kind: 'confirmed', seq: Number(r[1]), ver: Number(r[2]) };
        case 'waitlisted':
          return { kind: 'waitlisted', seq: Number(r[1]), ver: Number(r[2]), position: Number(r[3]) };
        case 'already_confirmed':
          return { kind: 'already_confirmed', seq: Number(r[1]) };
        case 'already_waitlisted':
          return { kind: 'already_waitlisted', seq: Number(r[1]), position: Number(r[2]) };
        default:
          return { kind: r[0] as 'closed' | 'missing' } as JoinOutcome;
      }
    },
    async leave(taskId, residentId) {
      const r = (await call('linliTaskLeave', taskId, residentId)) as Reply;
      if (r[0] === 'left') return { kind: 'left', ver: Number(r[1]), ...(r.length > 2 ? { promoted: pairs(r, 2)[0]! } : {}) };
      if (r[0] === 'left_waitlist') return { kind: 'left_waitlist', ver: Number(r[1]) };
      return { kind: r[0] as 'not_signed_up' | 'missing' } as LeaveOutcome;
    },
    async resize(taskId, capacity) {
      const r = (await call('linliTaskResize', taskId, capacity)) as Reply;
      if (r[0] === 'resized') return { kind: 'resized', ver: Number(r[1]), promoted: pairs(r, 2) };
      if (r[0] === 'too_small') return { kind: 'too_small', confirmed: Number(r[1]) };
      return { kind: 'missing' } as ResizeOutcome;
    },
    close: async (taskId) => (await call('linliTaskClose', taskId)) === 1,
    async state(taskId): Promise<LedgerState | null> {
      const [meta, roster, wait] = keys(taskId);
      const res = await redis.multi().hgetall(meta!).zrange(roster!, 0, -1, 'WITHSCORES').zrange(wait!, 0, -1, 'WITHSCORES').exec();
      const m = res?.[0]?.[1] as Record<string, string> | undefined;
      if (!m?.capacity) return null;
      return {
        capacity: Number(m.capacity),
        open: m.open === '1',
        seq: Number(m.seq ?? 0),
        ver: Number(m.ver ?? 0),
        roster: pairs(res![1]![1] as Reply, 0),
        waitlist: pairs(res![2]![1] as Reply, 0),
      };
    },
  };
}
