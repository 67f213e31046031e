/**
 * Residents who asked for a person (or were misunderstood three times): staff list them and
 * answer. The answer goes to the resident as one message (`tellResident`: customer-service
 * message inside the 48-hour window, else the template); the escalation is marked answered once.
 * A lease decides between two staff answering at the same moment, so the resident gets one
 * answer and the other gets 409.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Escalation } from '../../models/escalation.js';
import type { Models } from '../../models/index.js';
import type { Language } from '../../flows/engine/types.js';
import type { Translate } from '../../flows/engine/render.js';
import { isSendError } from '../broadcast/ports.js';
import { AppError, notFound } from '../errors.js';
import { buildingCode, objectId, pageLimit, placeCode, text } from '../input.js';
import { tellResident, type TellDeps } from '../outbound/tell-resident.js';
import { newestFirst } from '../paging.js';
import type { Clock, Leases } from '../ports.js';
import type { PlaceDirectory } from '../places/directory.js';
import { placeFilter } from '../places/place-filter.js';
import type { Actor, ScopeTarget } from '../staff/access.js';

export interface EscalationDeps {
  models: Models;
  places: PlaceDirectory;
  clock: Clock;
  leases: Leases;
  tell: TellDeps;
  translate(language: Language): Translate;
}

export const EscalationQuery = z.strictObject({
  status: z.enum(['open', 'answered']).optional(),
  community: placeCode.optional(),
  building: buildingCode.optional(),
  limit: pageLimit(50, 500),
  before: objectId.optional().meta({ description: 'the `next` of the previous page' }),
});
export const AnswerBody = z.strictObject({ text: text(600).meta({ description: 'what the resident receives, after "社区工作人员回复："' }) });

export const EscalationView = z
  .object({
    id: z.string(),
    residentId: z.string(),
    community: z.string().nullable().meta({ description: 'null for a resident who has not registered (only a platform admin sees those)' }),
    building: z.string().nullable(),
    reason: z.enum(['misses', 'asked']),
    flow: z.string().nullable(),
    step: z.string().nullable(),
    lastInput: z.string().nullable(),
    status: z.enum(['open', 'answered']),
    createdAt: z.date(),
    answer: z.string().nullable(),
    answeredAt: z.date().nullable(),
    answeredBy: z.object({ id: z.string(), name: z.string() }).nullable(),
    sentAs: z.enum(['kf', 'template', 'wecom']).optional().meta({ description: 'how the answer went out (in the answer’s response only)' }),
  })
  .meta({ id: 'Escalation' });
export const EscalationList = z.object({ escalations: z.array(EscalationView), next: z.string().nullable() }).meta({ id: 'EscalationList' });

const view = (e: Escalation): z.input<typeof EscalationView> => ({
  id: String(e._id),
  residentId: String(e.residentId),
  community: e.communityCode ?? null,
  building: e.buildingCode ?? null,
  reason: e.reason,
  flow: e.flow ?? null,
  step: e.step ?? null,
  lastInput: e.lastInput ?? null,
  status: e.status,
  createdAt: e.createdAt,
  answer: e.answer ?? null,
  answeredAt: e.answeredAt ?? null,
  answeredBy: e.answeredBy ? { id: e.answeredBy, name: e.answeredByName ?? '' } : null,
});

export async function listEscalations(deps: EscalationDeps, actor: Actor, q: z.output<typeof EscalationQuery>) {
  const where = (await placeFilter(deps.places, actor, q)).where();
  if (!where) return { escalations: [], next: null };
  const page = await newestFirst<Escalation>(
    deps.models.Escalation,
    { ...where, ...(q.status ? { status: q.status } : {}) },
    {
      timeField: 'createdAt',
      limit: q.limit,
      before: q.before,
    },
  );
  return { escalations: page.items.map(view), next: page.next };
}

async function loadEscalation(models: Models, id: string): Promise<Escalation> {
  const e = /^[0-9a-f]{24}$/i.test(id) ? await models.Escalation.findById(id).lean<Escalation>() : null;
  if (!e) throw notFound('escalation');
  return e;
}

/** Where an escalation lives (an unregistered resident's lives nowhere: only a platform-wide account reaches it). */
export async function escalationScope(deps: { models: Models; places: PlaceDirectory }, id: string): Promise<ScopeTarget> {
  const e = await loadEscalation(deps.models, id);
  if (!e.communityCode) return {};
  const c = await deps.places.community(e.communityCode);
  return { streetCode: c?.streetCode, communityCode: e.communityCode, ...(e.buildingCode ? { buildingCode: e.buildingCode } : {}) };
}

/** `POST /api/escalations/:id/answer`: send the text, then mark the escalation answered. */
export async function answerEscalation(deps: EscalationDeps, actor: Actor, id: string, body: z.output<typeof AnswerBody>) {
  const key = `escalation-answer:${id}`;
  const owner = crypto.randomUUID();
  if (!(await deps.leases.acquire(key, owner, 30_000))) throw new AppError('conflict_state', 'someone else is answering this resident right now');
  try {
    const e = await loadEscalation(deps.models, id);
    if (e.status === 'answered')
      throw new AppError('conflict_state', `already answered by ${e.answeredByName ?? e.answeredBy}`, { answeredBy: e.answeredBy, answeredAt: e.answeredAt });
    const message = (language: Language) => {
      const t = deps.translate(language);
      return { title: t('api:escalation_title'), text: t('api:escalation_answer', { text: body.text }) };
    };
    let outcome: Awaited<ReturnType<typeof tellResident>>;
    try {
      outcome = await tellResident(deps.tell, String(e.residentId), message);
    } catch (err) {
      if (!isSendError(err)) throw err;
      if (err.retryable) throw new AppError('unavailable', `WeChat did not take the message (${err.code}); try again shortly`, { errcode: err.code });
      throw new AppError('undeliverable', `WeChat refused the message (${err.code} ${err.kind})`, { errcode: err.code, reason: err.kind });
    }
    if (outcome.sent === false) {
      const why = {
        no_template: 'the resident has not written in the last 48 hours and no template message is configured (WECHAT_NOTICE_TEMPLATE_ID)',
        unsubscribed: 'the resident has unfollowed the account',
        unknown_resident: 'the resident no longer exists',
      }[outcome.reason];
      throw new AppError('undeliverable', `cannot reach the resident: ${why}`, { reason: outcome.reason });
    }
    const set = { status: 'answered' as const, answer: body.text, answeredAt: deps.clock.now(), answeredBy: actor.id, answeredByName: actor.name };
    await deps.models.Escalation.updateOne({ _id: e._id }, { $set: set });
    return { ...view({ ...e, ...set }), sentAs: outcome.sent };
  } finally {
    await deps.leases.release(key, owner);
  }
}
