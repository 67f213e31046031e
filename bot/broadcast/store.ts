/**
 * `BroadcastStore` on Redis: delivery leases, sent-notes and per-notice tallies.
 *
 * Keys (prefix `linli:bc:`; the braces keep a delivery's two keys in one Redis Cluster slot):
 *   `{<deliveryId>}:claim`  owner id, `SET NX PX lease`: one sender per delivery at a time;
 *                           expires by itself when its holder dies.
 *   `{<deliveryId>}:sent`   JSON SentNote, 7 days: a send succeeded but its record could not be
 *                           written; the next attempt records it instead of sending again.
 *   `tally:<noticeId>`      hash {finished, sent, failed, total}, 30 days: finished deliveries
 *                           and, once the fan-out is done, the recipient count.
 */
import type { Redis } from 'ioredis';
import type { BroadcastStore, ClaimResult, SentNote, Tally, TallyDetail } from '../../handlers/broadcast/ports.js';

const PREFIX = 'linli:bc:';
const SENT_NOTE_TTL_S = 7 * 24 * 3600;
const TALLY_TTL_S = 30 * 24 * 3600;

export const claimKey = (deliveryId: string) => `${PREFIX}{${deliveryId}}:claim`;
const sentKey = (deliveryId: string) => `${PREFIX}{${deliveryId}}:sent`;
const tallyKey = (noticeId: string) => `${PREFIX}tally:${noticeId}`;

/**
 * KEYS[1] claim, KEYS[2] sent-note; ARGV[1] owner, ARGV[2] lease ms.
 * Returns {1, note or ''} when the lease is ours, {0, remaining ms, holder} when someone else holds it.
 */
const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('GET', KEYS[2]) or ''}
end
return {0, redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[1]) or ''}`;

/**
 * KEYS[1] claim, KEYS[2] sent-note; ARGV[1] owner, ARGV[2] '1' when the delivery's outcome is
 * recorded (then its sent-note, if any, has served). Deletes the lease only if still ours.
 */
const RELEASE = `
if ARGV[2] == '1' then redis.call('DEL', KEYS[2]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

export function redisBroadcastStore(redis: Redis): BroadcastStore {
  return {
    async acquire(deliveryId, owner, leaseMs): Promise<ClaimResult> {
      const keys = [claimKey(deliveryId), sentKey(deliveryId)];
      const [ok, extra, holder] = (await redis.eval(ACQUIRE, 2, ...keys, owner, String(Math.ceil(leaseMs)))) as [number, string | number, string?];
      if (ok === 1) return { ok: true, sentNote: extra ? (JSON.parse(String(extra)) as SentNote) : null };
      return { ok: false, retryInMs: Math.max(50, Number(extra)), holder: String(holder ?? '') };
    },
    async release(deliveryId, owner, finished): Promise<Tally | null> {
      const p = redis.pipeline().eval(RELEASE, 2, claimKey(deliveryId), sentKey(deliveryId), owner, finished ? '1' : '0');
      if (finished) {
        const key = tallyKey(finished.noticeId);
        p.hincrby(key, 'finished', 1).hget(key, 'total').hincrby(key, finished.outcome, 1).expire(key, TALLY_TTL_S);
      }
      const res = (await p.exec()) ?? [];
      const failed = res.find(([err]) => err);
      if (failed) throw failed[0];
      if (!finished) return null;
      const total = res[2]?.[1];
      return { finished: Number(res[1]?.[1]), total: total === null || total === undefined ? null : Number(total) };
    },
    async tally(noticeId): Promise<TallyDetail> {
      const [finished, sent, failed, total] = await redis.hmget(tallyKey(noticeId), 'finished', 'sent', 'failed', 'total');
      return { finished: Number(finished ?? 0), sent: Number(sent ?? 0), failed: Number(failed ?? 0), total: total === null ? null : Number(total) };
    },
    async noteSent(deliveryId, note: SentNote) {
      await redis.set(sentKey(deliveryId), JSON.stringify(note), 'EX', SENT_NOTE_TTL_S);
    },
    async setTotal(noticeId, total) {
      await redis.pipeline().hset(tallyKey(noticeId), 'total', total).expire(tallyKey(noticeId), TALLY_TTL_S).exec();
    },
  };
}
