/**
 * The three-level audit (product.md, Staff → Notices) for any audited subject: notices and
 * rumour fact-checks. States `draft → verified → edited → released`, then (notices)
 * `sending → completed`, or `cancelled`; a reject at a pre-release stage returns to `draft`, and a
 * fact-check's correction takes a released one back to `draft` for another round.
 *
 * How one action wins, without transactions. The audit chain is the source of truth: an action
 * on a subject at version V inserts its entry as version V+1 (seq V+1, prevHash = hash of V).
 * `(subject, version)` is a unique index, so of two concurrent actions exactly one insert
 * succeeds; the other gets 409 `conflict_state`. The subject document is then brought up to date
 * with ONE conditional update `{_id, status: expected, version: V}` → `$set` (status, version
 * V+1, performer, changed fields). That update is computed from the entry alone
 * (`projectEntry`), so if the writer dies in between — or, on FerretDB 1.x, whose conditional
 * updates are not atomic under concurrency (FerretDB issue #3040), a stale write lands last —
 * the next reader replays the missing entries (`loadSubject`). Decisions are always taken on a
 * subject that matches its chain.
 *
 * Creation is the one write in the other order: the subject is inserted first (carrying its
 * create entry in `createEntry`), then the entry; a reader finding no entry 1 appends it.
 */
import type { Model, Types } from 'mongoose';
import type { Models } from '../../models/index.js';
import type { AuditDiff, AuditDraft, AuditedSubject, AuditEntry, AuditEntryFields, AuditStatus } from '../../models/audit-entry.js';
import { DUTIES, type Duty } from '../../models/staff-user.js';
import { AppError, notFound } from '../errors.js';
import type { Clock } from '../ports.js';
import { insertChained } from './chain.js';
import { plainJson } from './canonical.js';

/** Who acts: a staff `Actor` fits; the broadcast workers act as `SYSTEM_ACTOR`. */
export interface AuditActor {
  id: string;
  name: string;
  role: string;
  duties: readonly Duty[];
}

export const SYSTEM_ACTOR: AuditActor = { id: 'system', name: 'broadcast', role: 'system', duties: [] };

/** An audited collection and how its entries project onto its documents. */
export interface AuditTarget {
  subjectType: string;
  /** Display name in messages ("notice", "fact-check"). */
  noun: string;
  model: Model<any>;
  /** Subject fields an entry's `diff` sets (to its `to` value) when projected. */
  contentFields: readonly string[];
  /** Turn a diff value (plain JSON) back into the stored type, e.g. an ISO string into a Date. */
  decode?: (field: string, value: unknown) => unknown;
  /** Fields stamped with the entry's time per action, e.g. `{ release: 'releasedAt' }`. */
  stamps?: Readonly<Record<string, string>>;
  /** Fields set to the entry's actor per action, e.g. `{ correct: 'correctedBy' }`. */
  actors?: Readonly<Record<string, string>>;
}

export interface AuditDeps {
  models: Models;
  clock: Clock;
}

/** The per-round performer field of each duty on the subject document. */
export const DUTY_FIELD: Record<Duty, 'verifiedBy' | 'editedBy' | 'releasedBy'> = { verify: 'verifiedBy', edit: 'editedBy', release: 'releasedBy' };

/** The state each duty starts from and leads to. */
export const DUTY_STEP: Record<Duty, { from: AuditStatus; to: AuditStatus }> = {
  verify: { from: 'draft', to: 'verified' },
  edit: { from: 'verified', to: 'edited' },
  release: { from: 'edited', to: 'released' },
};

/** Actions that start a new audit round (the round's performers are cleared): a reject, a fact-check's correction. */
export const NEW_ROUND_ACTIONS: readonly string[] = ['reject', 'correct'];

/** States a reject may start from (pre-release). */
export const REJECTABLE: readonly AuditStatus[] = ['draft', 'verified', 'edited'];

const isObjectId = (id: string) => /^[0-9a-f]{24}$/i.test(id);

/** The subject fields an entry sets: a pure function of the entry, so it can be replayed. */
export function projectEntry(target: AuditTarget, entry: AuditEntryFields): Record<string, unknown> {
  const $set: Record<string, unknown> = { status: entry.to, version: entry.version, round: entry.round };
  if (NEW_ROUND_ACTIONS.includes(entry.action)) Object.assign($set, { verifiedBy: null, editedBy: null, releasedBy: null });
  if (entry.duty) $set[DUTY_FIELD[entry.duty as Duty]] = entry.actorId;
  for (const [field, change] of Object.entries(entry.diff ?? {})) {
    if (target.contentFields.includes(field)) $set[field] = target.decode ? target.decode(field, change.to ?? null) : (change.to ?? null);
  }
  const stamp = target.stamps?.[entry.action];
  if (stamp) $set[stamp] = entry.at;
  const who = target.actors?.[entry.action];
  if (who) $set[who] = entry.actorId;
  return $set;
}

/**
 * Read a subject (404 when missing) and make it match its chain: append a create entry its
 * writer did not get to, and replay entries the document has not seen yet.
 */
export async function loadSubject<T extends AuditedSubject>(models: Models, target: AuditTarget, id: string): Promise<T> {
  let subject = isObjectId(id) ? await target.model.findById(id).lean<T>() : null;
  if (!subject) throw notFound(target.noun);
  const key = { subjectType: target.subjectType, subjectId: String(subject._id) };
  if (subject.createEntry && !(await models.AuditEntry.exists({ ...key, version: 1 }))) {
    await insertChained(models, subject.createEntry, null); // null = a concurrent reader did it
  }
  const newer = await models.AuditEntry.find({ ...key, version: { $gt: subject.version } })
    .sort({ version: 1 })
    .lean<AuditEntry[]>();
  if (!newer.length) return subject;
  for (const e of newer) await target.model.updateOne({ _id: subject._id, version: e.version - 1 }, { $set: projectEntry(target, e) });
  subject = await target.model.findById(id).lean<T>();
  if (!subject) throw notFound(target.noun);
  return subject;
}

export interface PerformedDuty {
  duty: Duty;
  actorId: string;
}

/** Duties performed on the subject in its current round, from its audit trail. */
export async function performedDuties(models: Models, target: AuditTarget, subject: AuditedSubject): Promise<PerformedDuty[]> {
  const entries = await models.AuditEntry.find({ subjectType: target.subjectType, subjectId: String(subject._id), round: subject.round }).lean<AuditEntry[]>();
  return entries.filter((e) => e.duty).map((e) => ({ duty: e.duty as Duty, actorId: e.actorId }));
}

/**
 * Separation of duties. The rule, in full:
 *  - the author never performs any duty (verify, edit, release) on their own item (nor does the
 *    author of a fact-check's correction, passed as a co-author);
 *  - within one audit round nobody performs two different duties on the same item — checked
 *    against the audit trail of the round, so it holds whatever the grants;
 *  - a reject starts a new round: the performers of earlier rounds are free again (each round
 *    still needs three different people besides the author, and the rejected round's trail stays).
 * Reject and cancel are not duties: sending back or stopping is never the unsafe direction.
 */
export function checkSeparation(
  actor: AuditActor,
  duty: Duty,
  subject: AuditedSubject,
  performed: PerformedDuty[],
  noun: string,
  coAuthors: readonly string[] = [],
): void {
  if (actor.id === subject.authorId || coAuthors.includes(actor.id)) {
    throw new AppError('separation_of_duties', `the author of a ${noun} may not ${duty} it`, { duty });
  }
  const other = performed.find((p) => p.actorId === actor.id && p.duty !== duty);
  if (other) {
    throw new AppError('separation_of_duties', `you already performed "${other.duty}" on this ${noun}; one person performs one duty per audit round`, {
      duty,
      performed: other.duty,
    });
  }
}

/** Throw 403 `forbidden_duty` unless the actor holds the duty. */
export function requireAuditDuty(actor: AuditActor, duty: Duty): void {
  if (!actor.duties.includes(duty)) throw new AppError('forbidden_duty', `you do not hold the "${duty}" audit duty`, { duty });
}

export interface TransitionSpec {
  action: string;
  /** States the action may start from. */
  from: readonly AuditStatus[];
  to: AuditStatus;
  /** The audit duty this action performs: checked (held, separation) and recorded. */
  duty?: Duty;
  comment?: string;
  /** Changes to content fields (`contentFields`); applied to the subject from here. */
  diff?: AuditDiff;
  meta?: Record<string, unknown>;
  /** Reject: start a new round (clears the performers). */
  newRound?: boolean;
  /** The version the caller saw (optional): a mismatch is 409. */
  expectedVersion?: number;
  /** Others who count as the author for separation of duties (a fact-check's corrector). */
  coAuthors?: readonly string[];
}

function conflict(message: string, subject: AuditedSubject): AppError {
  return new AppError('conflict_state', message, { status: subject.status, version: subject.version });
}

/**
 * Check and apply one audited action to a subject read by `loadSubject`. Checks in order: duty
 * held (403 forbidden_duty), version and state (409 conflict_state), separation (403
 * separation_of_duties). Then the entry insert decides (409 for the loser of a race) and one
 * conditional update applies it. Returns the updated subject.
 */
export async function applyTransition<T extends AuditedSubject>(
  deps: AuditDeps,
  target: AuditTarget,
  subject: T,
  actor: AuditActor,
  spec: TransitionSpec,
): Promise<T> {
  const { noun } = target;
  const subjectId = String(subject._id);
  if (spec.duty) requireAuditDuty(actor, spec.duty);
  if (spec.expectedVersion !== undefined && spec.expectedVersion !== subject.version) {
    throw conflict(`this ${noun} has changed since you read it (you saw version ${spec.expectedVersion}, it is now ${subject.version})`, subject);
  }
  if (!spec.from.includes(subject.status)) throw conflict(`cannot ${spec.action} a ${noun} that is ${subject.status}`, subject);
  if (spec.duty) checkSeparation(actor, spec.duty, subject, await performedDuties(deps.models, target, subject), noun, spec.coAuthors);

  const prev = await deps.models.AuditEntry.findOne({ subjectType: target.subjectType, subjectId, version: subject.version }).lean<AuditEntry>();
  if (!prev) throw new Error(`audit chain of ${target.subjectType} ${subjectId} has no entry for version ${subject.version}; run npm run audit:verify`);
  const draft: AuditDraft = {
    subjectType: target.subjectType,
    subjectId,
    version: subject.version + 1,
    round: spec.newRound ? subject.round + 1 : subject.round,
    actorId: actor.id,
    actorName: actor.name,
    role: actor.role,
    action: spec.action,
    ...(spec.duty ? { duty: spec.duty } : {}),
    from: subject.status,
    to: spec.to,
    at: deps.clock.now(),
    ...(spec.comment ? { comment: spec.comment } : {}),
    ...(spec.diff ? { diff: plainJson(spec.diff) } : {}),
    ...(spec.meta ? { meta: plainJson(spec.meta) } : {}),
  };
  const entry = await insertChained(deps.models, draft, prev);
  if (!entry) {
    const now = await loadSubject<T>(deps.models, target, subjectId);
    throw conflict(`this ${noun} was changed by someone else at the same time (it is now ${now.status}, version ${now.version}); reload and try again`, now);
  }
  const updated = await target.model
    .findOneAndUpdate(
      { _id: subject._id, status: subject.status, version: subject.version },
      { $set: projectEntry(target, entry) },
      { returnDocument: 'after' },
    )
    .lean<T>();
  // null: a reader replayed the entry first (or the update was lost): loadSubject converges.
  return updated && updated.version === entry.version ? updated : loadSubject<T>(deps.models, target, subjectId);
}

/**
 * Insert a new subject (version 1, round 1) and its first entry: a `create` into `draft`, unless
 * `action`/`status` say otherwise (a trusted import stores fact-checks as released at once, with
 * one entry naming the import). `doc` holds the subject's own fields; `diff` records its initial
 * content.
 */
export async function createSubject<T extends AuditedSubject>(
  deps: AuditDeps,
  target: AuditTarget,
  actor: AuditActor,
  doc: Record<string, unknown> & { _id: Types.ObjectId },
  opts: { diff?: AuditDiff; comment?: string; meta?: Record<string, unknown>; action?: string; status?: AuditStatus } = {},
): Promise<T> {
  const status = opts.status ?? 'draft';
  const createEntry: AuditDraft = {
    subjectType: target.subjectType,
    subjectId: String(doc._id),
    version: 1,
    round: 1,
    actorId: actor.id,
    actorName: actor.name,
    role: actor.role,
    action: opts.action ?? 'create',
    to: status,
    at: deps.clock.now(),
    ...(opts.comment ? { comment: opts.comment } : {}),
    ...(opts.diff ? { diff: plainJson(opts.diff) } : {}),
    ...(opts.meta ? { meta: plainJson(opts.meta) } : {}),
  };
  const created = await target.model.create({ ...doc, status, version: 1, round: 1, authorId: actor.id, authorName: actor.name, createEntry });
  await insertChained(deps.models, createEntry, null);
  return (created as unknown as { toObject(): T }).toObject();
}

/**
 * Reject (any audit duty; a comment required by the caller's schema): a pre-release subject goes
 * back to draft and a new audit round starts (see checkSeparation for what that resets).
 */
export function rejectToDraft<T extends AuditedSubject>(
  deps: AuditDeps,
  target: AuditTarget,
  subject: T,
  actor: AuditActor,
  input: { comment: string; version?: number },
): Promise<T> {
  if (!DUTIES.some((d) => actor.duties.includes(d))) throw new AppError('forbidden_duty', 'rejecting needs an audit duty (verify, edit or release)');
  return applyTransition(deps, target, subject, actor, {
    action: 'reject',
    from: REJECTABLE,
    to: 'draft',
    newRound: true,
    comment: input.comment,
    ...(input.version !== undefined ? { expectedVersion: input.version } : {}),
  });
}
