/**
 * A returnee's registration: the return is stored (its `_id` from the message, so a retry adds
 * nothing), and a return from a risk area sets the resident's home observation — unless one
 * running already ends later (a second return never shortens it).
 */
import { Types } from 'mongoose';
import { observationIdFor, returneeIdFor, type Observation } from '../../../models/returnee.js';
import { daysBetween } from '../../../flows/engine/time.js';
import { isDuplicateKey } from '../../gates/pass-code.js';
import type { EffectHandler } from './ports.js';

export const registerReturn: EffectHandler<'registerReturn'> = async (deps, e, { resident, now, key }) => {
  const r = resident.registration;
  if (!r) throw new Error('a return needs a registered resident');
  const residentId = new Types.ObjectId(resident.id);
  const returneeId = returneeIdFor(key);
  const home = { communityCode: r.communityCode, buildingCode: r.buildingCode, unit: r.unit, room: r.room };
  try {
    await deps.models.Returnee.collection.insertOne({
      _id: returneeId,
      residentId,
      householdKey: resident.householdId ?? resident.id,
      ...home,
      from: e.from,
      arrivalDate: e.arrivalDate,
      transport: e.transport,
      ...(e.riskArea ? { riskArea: e.riskArea } : {}),
      observation: e.observation ?? null,
      createdAt: now,
    } as never);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  if (!e.observation) return undefined;
  const _id = observationIdFor(resident.id);
  const running = await deps.models.Observation.findById(_id).lean<Observation>();
  if (running && running.endDate >= e.observation.endDate) return undefined;
  await deps.models.Observation.collection.replaceOne(
    { _id },
    {
      residentId,
      returneeId,
      ...home,
      from: e.from,
      riskArea: e.riskArea ?? '',
      startDate: e.observation.startDate,
      endDate: e.observation.endDate,
      days: daysBetween(e.observation.startDate, e.observation.endDate) + 1,
      createdAt: now,
    } as never,
    { upsert: true },
  );
  return undefined;
};
