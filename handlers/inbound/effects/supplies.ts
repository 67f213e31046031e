/**
 * A resident's supply request: a new ticket, or — when an open request of the same category
 * exists — that request updated. The creating message's key is unique on the request, so a retry
 * of the same message finds the ticket it made instead of opening another.
 */
import { Types } from 'mongoose';
import type { Household } from '../../../models/household.js';
import type { SupplyRequest } from '../../../models/supply-request.js';
import { localDate } from '../../../flows/engine/time.js';
import { OPEN_SUPPLY_STATUSES } from '../../../flows/supplies/priority.js';
import { changeSupplyStatus, supplyEventIdFor } from '../../supplies/workflow.js';
import type { EffectHandler } from './ports.js';

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/** `S-20261128-0042`: the community's local day and a counter for that day. */
export const ticketOf = (day: string, n: number) => `S-${day.replaceAll('-', '')}-${String(n).padStart(4, '0')}`;

export const submitSupplyRequest: EffectHandler<'submitSupplyRequest'> = async (deps, e, { resident, now, timeZone, key }) => {
  const r = resident.registration;
  if (!r?.buildingCode) throw new Error('a supply request needs a registered building');
  const again = await deps.models.SupplyRequest.findOne({ sourceKey: key }).lean<SupplyRequest>();
  if (again) return { ticket: again.ticket };
  const open = await deps.models.SupplyRequest.findOne({
    residentId: resident.id,
    category: e.category,
    status: { $in: OPEN_SUPPLY_STATUSES },
  }).lean<SupplyRequest>();
  if (open) {
    await deps.models.SupplyRequest.updateOne(
      { _id: open._id },
      { $set: { items: e.items, urgency: e.urgency, address: e.address, itemsUpdatedAt: now, updatedAt: now } },
    );
    return { ticket: open.ticket };
  }
  const household = resident.householdId ? await deps.models.Household.findById(resident.householdId).lean<Household>() : null;
  const vulnerable = [...new Set([...resident.vulnerable, ...(household?.vulnerable ?? [])])];
  const day = localDate(now, timeZone);
  const _id = new Types.ObjectId();
  for (let attempt = 0; ; attempt++) {
    const ticket = ticketOf(day, await deps.tickets.next(r.communityCode, day));
    try {
      await deps.models.SupplyRequest.create({
        _id,
        ticket,
        communityCode: r.communityCode,
        buildingCode: r.buildingCode,
        ...(r.room ? { room: r.room } : {}),
        residentId: resident.id,
        ...(resident.householdId ? { householdId: resident.householdId } : {}),
        category: e.category,
        items: e.items,
        urgency: e.urgency,
        address: e.address,
        vulnerable,
        status: 'submitted',
        seq: 1,
        createdAt: now,
        updatedAt: now,
        sourceKey: key,
      });
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      const raced = await deps.models.SupplyRequest.findOne({ sourceKey: key }).lean<SupplyRequest>();
      if (raced) return { ticket: raced.ticket };
      // The counter was behind the stored tickets (a Redis restart): take the next number.
      if (attempt < 20) continue;
      throw err;
    }
    // The creation event: the resident was told by the reply itself.
    await deps.models.SupplyRequestEvent.create({
      _id: supplyEventIdFor(_id, 1),
      requestId: _id,
      seq: 1,
      from: null,
      to: 'submitted',
      actorId: resident.id,
      actorName: 'resident',
      at: now,
      notifiedAt: now,
    });
    return { ticket };
  }
};

export const answerStillNeeded: EffectHandler<'answerStillNeeded'> = async (deps, e, { resident, now }) => {
  const q = await deps.models.SupplyRequest.findById(e.requestId).lean<SupplyRequest>();
  if (!q || String(q.residentId) !== resident.id) return undefined;
  if (e.stillNeeded) {
    await deps.models.SupplyRequest.updateOne({ _id: q._id }, { $set: { stillNeededAt: now } });
    return undefined;
  }
  const supplyDeps = { models: deps.models, clock: deps.clock, notifyEvent: async () => {} };
  await changeSupplyStatus(supplyDeps, e.requestId, { to: 'cancelled', reason: 'resident: no longer needed' }, { id: resident.id, name: 'resident' }).catch(
    (err: unknown) => {
      // Staff changed it meanwhile (delivered, say): the answer no longer applies.
      if ((err as { code?: string }).code !== 'conflict_state') throw err;
    },
  );
  return undefined;
};
