import type { Models } from '../../models/index.js';
import type { Notice } from '../../models/notice.js';
import { loadNotice } from '../../handlers/notices/deps.js';
import { AppError } from '../../handlers/errors.js';

/**
 * The notice as the deliver step needs it (status, title, body), read at most every `ttlMs` per
 * notice per process: a 100,000-recipient broadcast does not re-read its notice 100,000 times, and
 * a cancel still reaches every worker within `ttlMs`. Reads go through `loadNotice`, so the status
 * is the one its audit trail says.
 */
export function cachedNoticeLoader(models: Models, ttlMs = 500, now: () => number = Date.now): (id: string) => Promise<Notice | null> {
  const cache = new Map<string, { at: number; value: Promise<Notice | null> }>();
  return (id) => {
    const t = now();
    const hit = cache.get(id);
    if (hit && t - hit.at < ttlMs) return hit.value;
    const value = loadNotice(models, id).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'not_found') return null;
      cache.delete(id);
      throw err;
    });
    if (cache.size > 1000) cache.clear();
    cache.set(id, { at: t, value });
    return value;
  };
}
