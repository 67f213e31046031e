/**
 * Who was prompted for which task, in Redis: a set per task of everyone prompted (so a second
 * release reaches only newcomers) and, per resident, the latest prompt for 24 hours — what a bare
 * `1` answers.
 *   linli:task:{<id>}:prompted   set of residentIds (90 days)
 *   linli:task-prompt:<resident> JSON {taskId, code, title} (24 hours)
 */
import type { Redis } from 'ioredis';
import type { TaskPromptFact } from '../../flows/engine/facts.js';
import type { TaskPrompts } from '../../handlers/volunteers/ports.js';

export const LATEST_PROMPT_TTL_S = 24 * 3600;
const PROMPTED_TTL_S = 90 * 24 * 3600;
const promptedKey = (taskId: string) => `linli:task:{${taskId}}:prompted`;
const latestKey = (residentId: string) => `linli:task-prompt:${residentId}`;

export function redisTaskPrompts(redis: Redis): TaskPrompts {
  return {
    async remember(taskId, residentIds, prompt: TaskPromptFact) {
      if (!residentIds.length) return [];
      const added = await redis
        .pipeline(residentIds.map((id) => ['sadd', promptedKey(taskId), id]))
        .expire(promptedKey(taskId), PROMPTED_TTL_S)
        .exec();
      const fresh = residentIds.filter((_, i) => added?.[i]?.[1] === 1);
      if (fresh.length) await redis.pipeline(fresh.map((id) => ['set', latestKey(id), JSON.stringify(prompt), 'EX', LATEST_PROMPT_TTL_S])).exec();
      return fresh;
    },
    async latest(residentId) {
      const raw = await redis.get(latestKey(residentId));
      return raw ? (JSON.parse(raw) as TaskPromptFact) : null;
    },
  };
}
