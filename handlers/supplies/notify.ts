/**
 * Tell the resident about one status change of their request (job `supply-event-<eventId>`),
 * exactly once as far as WeChat lets us know: the event records when it was told, and the job id
 * is the event's. (A worker dying between the send and the record sends again: the same
 * at-least-once rule as notice deliveries.)
 */
import type { SupplyRequest, SupplyRequestEvent } from '../../models/supply-request.js';
import type { Language } from '../../flows/engine/types.js';
import type { Translate } from '../../flows/engine/render.js';
import { tellResident, type TellDeps, type TellOutcome } from '../outbound/tell-resident.js';

export interface NotifyDeps extends TellDeps {
  translate(language: Language): Translate;
}

export async function notifySupplyEvent(deps: NotifyDeps, eventId: string): Promise<TellOutcome | 'already' | 'missing'> {
  const e = await deps.models.SupplyRequestEvent.findById(eventId).lean<SupplyRequestEvent>();
  if (!e) return 'missing';
  if (e.notifiedAt) return 'already';
  const q = await deps.models.SupplyRequest.findById(e.requestId).lean<SupplyRequest>();
  if (!q) return 'missing';
  const resident = await deps.models.Resident.findById(q.residentId).lean<{ language?: Language }>();
  const lang = resident?.language ?? 'zh-CN';
  const t = deps.translate(lang);
  const text = t(`supplies:notify.${e.to}`, { ticket: q.ticket, reason: e.reason ?? '', owner: e.assignee?.name ?? '' });
  const outcome = await tellResident(deps, String(q.residentId), { title: t('supplies:title'), text });
  await deps.models.SupplyRequestEvent.updateOne({ _id: e._id }, { $set: { notifiedAt: deps.clock.now() } });
  return outcome;
}
