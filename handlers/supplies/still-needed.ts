/**
 * Requests still open past their urgency window (a day for "today", three days otherwise): the
 * resident is asked once whether it is still needed. The question opens the `still-needed` flow
 * on their conversation, so a plain "是"/"否" answers it — unless they are in the middle of
 * another form, in which case the next run asks (nothing is interrupted).
 */
import type { Models } from '../../models/index.js';
import type { SupplyRequest } from '../../models/supply-request.js';
import type { Translate } from '../../flows/engine/render.js';
import type { Language } from '../../flows/engine/types.js';
import { stillNeededFlow } from '../../flows/supplies/still-needed.js';
import { OPEN_SUPPLY_STATUSES, URGENCY_WINDOW_H } from '../../flows/supplies/priority.js';
import { sessionKey, RESIDENT_LOCK_TTL_MS, type ResidentLocks, type SessionStore } from '../inbound/session.js';
import { tellResident, type TellDeps } from '../outbound/tell-resident.js';

export interface StillNeededDeps extends TellDeps {
  models: Models;
  sessions: SessionStore;
  locks: ResidentLocks;
  translate(language: Language): Translate;
  owner(): string;
}

export interface StillNeededRun {
  asked: string[];
  /** Residents in the middle of another form: asked on a later run. */
  deferred: string[];
}

const overdue = (q: SupplyRequest, now: Date) => now.getTime() - q.createdAt.getTime() > URGENCY_WINDOW_H[q.urgency] * 3_600_000;

export async function askStillNeeded(deps: StillNeededDeps): Promise<StillNeededRun> {
  const now = deps.clock.now();
  // A periodic scan of the open requests (on FerretDB every non-_id filter scans; they are few).
  const open = await deps.models.SupplyRequest.find({ status: { $in: OPEN_SUPPLY_STATUSES }, stillNeededAskedAt: null }).lean<SupplyRequest[]>();
  const run: StillNeededRun = { asked: [], deferred: [] };
  for (const q of open.filter((x) => overdue(x, now))) {
    const r = await deps.models.Resident.findById(q.residentId).lean<{ channel: 'wechat' | 'wecom'; openid: string; language?: Language }>();
    if (!r) continue;
    const key = sessionKey(r.channel, r.openid);
    const owner = deps.owner();
    if (!(await deps.locks.acquire(key, owner, RESIDENT_LOCK_TTL_MS))) {
      run.deferred.push(q.ticket);
      continue;
    }
    try {
      const current = await deps.sessions.get(key);
      if (current?.flow) {
        run.deferred.push(q.ticket);
        continue;
      }
      const answers = { requestId: String(q._id), ticket: q.ticket, items: q.items };
      await deps.sessions.set(key, {
        flow: stillNeededFlow.id,
        flowVersion: stillNeededFlow.version,
        step: 'needed',
        answers,
        history: [],
        misses: 0,
        updatedAt: now.toISOString(),
      });
      const t = deps.translate(r.language ?? 'zh-CN');
      await tellResident(deps, String(q.residentId), { title: t('supplies:title'), text: `${t('supplies:still_needed_ask', answers)}` });
      await deps.models.SupplyRequest.updateOne({ _id: q._id }, { $set: { stillNeededAskedAt: now } });
      run.asked.push(q.ticket);
    } finally {
      await deps.locks.release(key, owner);
    }
  }
  return run;
}
