/**
 * Volunteer sign-ups: stored from the chat (pending), listed for staff in their scope, approved
 * or rejected once per sign-up round. An approval puts the resident in the `volunteers` notice
 * group (`volunteerStatus: 'approved'`); either way the volunteer is told.
 */
import type { VolunteerSignUp } from '../../flows/engine/effects.js';
import type { Models } from '../../models/index.js';
import { volunteerDecisionIdFor, volunteerIdFor, type Volunteer, type VolunteerDecision, type VolunteerStatus } from '../../models/volunteer.js';
import { AppError, notFound } from '../errors.js';
import type { ResidentView } from '../inbound/touch-resident.js';
import type { PlaceDirectory } from '../places/directory.js';
import type { Actor } from '../staff/access.js';
import type { VolunteerDeps } from './ports.js';
import { listFilter } from './scope.js';
import { tellDecision } from './tell.js';

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * A sign-up from the chat. A new one (or one after a rejection) starts a pending round; a pending
 * or approved volunteer who signs up again (the form was open when staff decided) only updates
 * their details. A retry of the same message changes nothing.
 */
export async function submitVolunteer(
  deps: { models: Models; places: PlaceDirectory },
  resident: ResidentView,
  data: VolunteerSignUp,
  key: string,
  now: Date,
): Promise<VolunteerStatus> {
  const r = resident.registration;
  if (!r?.communityCode) throw new Error('a volunteer sign-up needs a registered community');
  const _id = volunteerIdFor(resident.id);
  const existing = await deps.models.Volunteer.findById(_id).lean<Volunteer>();
  if (existing?.sourceKey === key) return existing.status;
  const again = existing && existing.status !== 'rejected';
  const community = await deps.places.community(r.communityCode);
  const doc = {
    residentId: resident.id,
    ...data,
    ...(community ? { streetCode: community.streetCode } : {}),
    communityCode: r.communityCode,
    ...(r.buildingCode ? { buildingCode: r.buildingCode } : {}),
    status: again ? existing.status : 'pending',
    round: again ? existing.round : (existing?.round ?? 0) + 1,
    appliedAt: again ? existing.appliedAt : now,
    consentAt: now,
    decidedAt: again ? (existing.decidedAt ?? null) : null,
    decidedBy: again ? (existing.decidedBy ?? null) : null,
    reason: again ? (existing.reason ?? null) : null,
    sourceKey: key,
  };
  await deps.models.Volunteer.replaceOne({ _id }, doc, { upsert: true });
  await deps.models.Resident.updateOne({ _id: resident.id }, { $set: { volunteerStatus: doc.status } });
  return doc.status as VolunteerStatus;
}

export interface VolunteerView {
  id: string;
  residentId: string;
  name: string;
  mobile: string;
  skills: string[];
  availability: string[];
  area: string;
  community: string;
  building: string | null;
  status: VolunteerStatus;
  round: number;
  appliedAt: Date;
  decidedAt: Date | null;
  decidedBy: { id: string; name: string } | null;
  reason: string | null;
}

/** Staff see the mobile in full: the volunteer agreed to share it with them (`consentAt`). */
export const volunteerView = (v: Volunteer): VolunteerView => ({
  id: String(v._id),
  residentId: String(v.residentId),
  name: v.name,
  mobile: v.mobile,
  skills: v.skills,
  availability: v.availability,
  area: v.area,
  community: v.communityCode,
  building: v.buildingCode ?? null,
  status: v.status,
  round: v.round,
  appliedAt: v.appliedAt,
  decidedAt: v.decidedAt ?? null,
  decidedBy: v.decidedBy ?? null,
  reason: v.reason ?? null,
});

/** `GET /api/volunteers`: in the caller's scope, oldest sign-up first (who has waited longest). */
export async function listVolunteers(
  deps: Pick<VolunteerDeps, 'models' | 'places'>,
  actor: Actor,
  q: { status?: VolunteerStatus; community?: string; limit: number },
): Promise<{ volunteers: VolunteerView[] }> {
  const filter = { ...(await listFilter(deps.places, actor, q.community)), ...(q.status ? { status: q.status } : {}) };
  const list = await deps.models.Volunteer.find(filter).sort({ appliedAt: 1 }).limit(q.limit).lean<Volunteer[]>();
  return { volunteers: list.map(volunteerView) };
}

async function load(models: Models, id: string): Promise<Volunteer> {
  const v = /^[0-9a-f]{24}$/i.test(id) ? await models.Volunteer.findById(id).lean<Volunteer>() : null;
  if (!v) throw notFound('volunteer');
  return v;
}

/** The decision onto the volunteer and their resident (idempotent), then the volunteer is told. */
async function apply(deps: VolunteerDeps, v: Volunteer, d: VolunteerDecision): Promise<Volunteer> {
  const set = { status: d.decision, decidedAt: d.at, decidedBy: { id: d.actorId, name: d.actorName }, reason: d.reason ?? null };
  await deps.models.Volunteer.updateOne({ _id: v._id, round: d.round }, { $set: set });
  await deps.models.Resident.updateOne({ _id: v.residentId }, { $set: { volunteerStatus: d.decision === 'approved' ? 'approved' : 'none' } });
  await deps.residentChanged(String(v.residentId));
  await tellDecision(deps, String(d._id), String(v.residentId), d.decision, d.reason);
  return { ...v, ...set };
}

/**
 * `POST /api/volunteers/:id/approve|reject`: a pending sign-up, decided once. Two staff deciding
 * at once: the decision record's unique `_id` lets one win, the other gets 409 (the same call
 * repeated by its author answers the same).
 */
export async function decideVolunteer(
  deps: VolunteerDeps,
  actor: Actor,
  id: string,
  decision: 'approved' | 'rejected',
  reason?: string,
): Promise<VolunteerView> {
  const v = await load(deps.models, id);
  const _id = volunteerDecisionIdFor(v._id, v.round);
  if (v.status !== 'pending') {
    const d = await deps.models.VolunteerDecision.findById(_id).lean<VolunteerDecision>();
    if (d && d.actorId === actor.id && d.decision === decision) return volunteerView(v);
    throw new AppError('conflict_state', `this volunteer is ${v.status}, not pending`, { status: v.status });
  }
  const d: VolunteerDecision = {
    _id,
    volunteerId: v._id,
    round: v.round,
    decision,
    reason: reason ?? null,
    actorId: actor.id,
    actorName: actor.name,
    at: deps.clock.now(),
  };
  try {
    await deps.models.VolunteerDecision.create(d);
  } catch (err) {
    if (!isDuplicate(err)) throw err;
    const won = (await deps.models.VolunteerDecision.findById(_id).lean<VolunteerDecision>())!;
    // The winner may have died before applying its decision: apply it now, once more is harmless.
    const applied = await apply(deps, v, won);
    if (won.actorId === actor.id && won.decision === decision) return volunteerView(applied);
    throw new AppError('conflict_state', `${won.actorName} already ${won.decision} this volunteer`, { status: won.decision });
  }
  return volunteerView(await apply(deps, v, d));
}
