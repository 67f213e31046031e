/**
 * Requests still open past their urgency window (a day for "today", three days otherwise): the
 * resident is asked once whether it is still needed. The question opens the `still-needed` flow
 * on their conversation, so a plain "是"/"否" answers it — unless they are in the middle of
 * another form, in which case the next run asks (nothing is interrupted).
 */
import type { Models } from '../../models/index.js';
import type { SupplyRequest } from '../../models/supply-request.js';
import type { Translate } from '../../flows/engine/render.js';
import type { ConversationSession, Language } from '../../flows/engine/types.js';
import { stillNeededFlow } from '../../flows/supplies/still-needed.js';
import { OPEN_SUPPLY_STATUSES, URGENCY_WINDOW_H } from '../../flows/supplies/priority.js';
import { keepLease, sessionKey, RESIDENT_LOCK_TTL_MS, type ConversationStore } from '../inbound/session.js';
import { tellResident, type TellDeps } from '../outbound/tell-resident.js';
import type { HandlerLog } from '../ports.js';

export interface StillNeededDeps extends TellDeps {
  models: Models;
  /** The webhook's own store: the question is saved only while the resident's lease is still ours. */
  conversations: ConversationStore;
  translate(language: Language): Translate;
  owner(): string;
  log?: HandlerLog;
}

export interface StillNeededRun {
  asked: string[];
  /** Residents in the middle of another form: asked on a later run. */
  deferred: string[];
  /** Residents the question could not reach (unsubscribed, or no template outside the window): tried again next run. */
  unreachable: string[];
  /** The send failed (WeChat error, timeout): tried again next run; the others in this run go on. */
  failed: string[];
}

const overdue = (q: SupplyRequest, now: Date) => now.getTime() - q.createdAt.getTime() > URGENCY_WINDOW_H[q.urgency] * 3_600_000;

export async function askStillNeeded(deps: StillNeededDeps): Promise<StillNeededRun> {
  const now = deps.clock.now();
  // A periodic scan of the open requests (on FerretDB every non-_id filter scans; they are few).
  const open = await deps.models.SupplyRequest.find({ status: { $in: OPEN_SUPPLY_STATUSES }, stillNeededAskedAt: null }).lean<SupplyRequest[]>();
  const run: StillNeededRun = { asked: [], deferred: [], unreachable: [], failed: [] };
  for (const q of open.filter((x) => overdue(x, now))) {
    const r = await deps.models.Resident.findById(q.residentId).lean<{ channel: 'wechat' | 'wecom'; openid: string; language?: Language }>();
    if (!r) continue;
    const key = sessionKey(r.channel, r.openid);
    const owner = deps.owner();
    const opened = await deps.conversations.open(key, owner, RESIDENT_LOCK_TTL_MS);
    if (!opened.acquired) {
      run.deferred.push(q.ticket);
      continue;
    }
    // Saved on `close` below, after the question went out: a quick answer waits for the lease and
    // then finds the flow open; a question that could not be sent leaves the conversation as it was.
    let question: ConversationSession | undefined;
    const stopRenewing = keepLease(deps.conversations, key, owner);
    try {
      if (opened.session?.flow) {
        run.deferred.push(q.ticket);
        continue;
      }
      const answers = { requestId: String(q._id), ticket: q.ticket, items: q.items };
      const t = deps.translate(r.language ?? 'zh-CN');
      const told = await tellResident(deps, String(q.residentId), { title: t('supplies:title'), text: `${t('supplies:still_needed_ask', answers)}` }).catch(
        (err: unknown) => {
          deps.log?.warn({ err, ticket: q.ticket }, 'still-needed question not sent; asked again next run');
          return null;
        },
      );
      if (!told) {
        run.failed.push(q.ticket);
        continue;
      }
      if (!told.sent) {
        run.unreachable.push(q.ticket);
        continue;
      }
      question = {
        flow: stillNeededFlow.id,
        flowVersion: stillNeededFlow.version,
        step: 'needed',
        answers,
        history: [],
        misses: 0,
        updatedAt: now.toISOString(),
      };
      await deps.models.SupplyRequest.updateOne({ _id: q._id }, { $set: { stillNeededAskedAt: now } });
      run.asked.push(q.ticket);
    } finally {
      stopRenewing();
      const saved = await deps.conversations.close(key, owner, question);
      if (question && !saved) deps.log?.warn({ key, ticket: q.ticket }, 'still-needed question not saved: the resident lease was lost');
    }
  }
  return run;
}
