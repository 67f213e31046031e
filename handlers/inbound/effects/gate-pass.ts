/**
 * A pass through a gate: the community's rules decide, in the gate's time zone (observation —
 * closed management or not — then hours, visitors and the household's outing quota, claimed
 * atomically); a granted pass gets a code unique at the gate that day and moves the resident's
 * presence; a refused one is logged and alerts the gate keepers, as does a pass after hours (a
 * resident coming in, a visitor leaving). Nothing is silently allowed. The record's `_id` comes from the message, so a retry answers the same pass.
 */
import { Types } from 'mongoose';
import { gateRecordIdFor, type Gate, type GatePresence, type GateRecord } from '../../../models/gate.js';
import { observationIdFor, type Observation } from '../../../models/returnee.js';
import { derivedId } from '../../../models/ids.js';
import { localDate, localTime } from '../../../flows/engine/time.js';
import type { Prompt } from '../../../flows/engine/types.js';
import { checkPass, periodStart } from '../../../flows/gates/rules.js';
import { claimOuting, claimPassCode, type Outing } from '../../gates/claims.js';
import { isDuplicateKey } from '../../gates/pass-code.js';
import { againPrompt, keeperPrompt, passPrompt, reasonPrompt, whoPrompt } from '../../gates/prompts.js';
import { DEFAULT_TIME_ZONE } from '../../places/directory.js';
import { loadRules } from '../../rules/community-rules.js';
import type { EffectDeps, EffectHandler } from './ports.js';

type StoredRecord = GateRecord & { reasonPrompt?: Prompt };

/** Tell the gate keepers about a record (an alert per record: a rerun adds none). */
async function alertKeepers(deps: EffectDeps, gate: Gate, r: StoredRecord, message: Prompt): Promise<void> {
  const _id = derivedId('gate-alert', r._id);
  try {
    await deps.models.Alert.collection.insertOne({
      _id,
      kind: 'gate',
      reasons: r.reason ? [r.reason] : ['after_hours'],
      residentId: r.residentId,
      communityCode: gate.communityCode,
      ...(gate.buildingCode ? { buildingCode: gate.buildingCode } : {}),
      date: r.date,
      createdAt: r.at,
      notifiedAt: null,
      details: { message, gateId: String(gate._id), recordId: String(r._id) },
    } as never);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  await deps.jobs.notifyAlert(String(_id));
}

export const requestGatePass: EffectHandler<'requestGatePass'> = async (deps, e, { resident, now, key }) => {
  const recordId = gateRecordIdFor(key);
  const gate = /^[0-9a-f]{24}$/i.test(e.gateId) ? await deps.models.Gate.findById(e.gateId).lean<Gate>() : null;
  if (!gate) return { gatePass: { key: 'gates:unknown_gate' } };
  const community = await deps.places.community(gate.communityCode);
  const timeZone = community?.timeZone ?? DEFAULT_TIME_ZONE;
  const again = await deps.models.GateRecord.findById(recordId).lean<StoredRecord>();
  if (again) return { gatePass: passPrompt(again, timeZone) };

  const date = localDate(now, timeZone);
  const reg = resident.registration;
  const isResident = reg?.communityCode === gate.communityCode;
  const householdKey = resident.householdId ?? resident.id;
  const presence = await deps.models.GatePresence.findById(resident.id).lean<GatePresence>();
  // The same way twice in a day (a second scan at the gate): the earlier pass, no second outing.
  if (presence && presence.state === e.direction && presence.date === date && presence.communityCode === gate.communityCode && !e.visitor) {
    return { gatePass: againPrompt(presence, timeZone) };
  }
  const visitor = isResident ? null : (e.visitor ?? presence?.visitor ?? null);
  const { gates: rules } = await loadRules(deps.models, gate.communityCode);
  const observation = isResident && e.direction === 'out' ? await deps.models.Observation.findById(observationIdFor(resident.id)).lean<Observation>() : null;
  const observing = !!observation && observation.startDate <= date && date <= observation.endDate;
  let check = checkPass(rules, { direction: e.direction, visitor: !isResident, time: localTime(now, timeZone), underObservation: observing });
  let outing: Outing | null = null;
  if (check.ok && check.claimOuting) {
    outing = await claimOuting(deps.models, householdKey, rules.outings!, date, key, now);
    if (!outing) check = { ok: false, reason: 'quota' };
  }
  const base = {
    _id: recordId,
    gateId: gate._id,
    gateName: gate.name,
    communityCode: gate.communityCode,
    streetCode: gate.streetCode,
    ...(gate.buildingCode ? { gateBuildingCode: gate.buildingCode } : {}),
    residentId: new Types.ObjectId(resident.id),
    householdKey,
    ...(isResident ? { buildingCode: reg?.buildingCode, unit: reg?.unit, room: reg?.room } : {}),
    visitor,
    direction: e.direction,
    date,
    hour: localTime(now, timeZone).slice(0, 2),
    at: now,
    sourceKey: key,
  };
  const buildingName = community?.buildings.find((b) => b.code === reg?.buildingCode)?.name ?? reg?.buildingCode;
  const who = whoPrompt(visitor, { building: buildingName, unit: reg?.unit, room: reg?.room });

  let record: StoredRecord;
  if (!check.ok) {
    const o = { observationEnd: observation?.endDate, periodStart: rules.outings ? periodStart(date, rules.outings.perDays, rules.outings.from) : undefined };
    record = { ...base, status: 'refused', reason: check.reason, reasonPrompt: reasonPrompt(check.reason, rules, o), outing: null } as StoredRecord;
    if (!(await insertRecord(deps, record))) return { gatePass: passPrompt((await deps.models.GateRecord.findById(recordId).lean<StoredRecord>())!, timeZone) };
    await alertKeepers(deps, gate, record, keeperPrompt(record, who, timeZone, reasonPrompt(check.reason, rules, o, 'keeper')));
    return { gatePass: passPrompt(record, timeZone) };
  }
  const passCode = await claimPassCode(deps.models, gate._id, date, key, recordId);
  record = { ...base, status: 'granted', passCode, outing, ...(check.afterHours ? { afterHours: true } : {}) } as StoredRecord;
  if (!(await insertRecord(deps, record))) return { gatePass: passPrompt((await deps.models.GateRecord.findById(recordId).lean<StoredRecord>())!, timeZone) };
  const { _id: _r, status: _s, direction: state, hour: _h, sourceKey: _k, streetCode: _st, outing: _o, afterHours: _a, residentId: _res, ...rest } = record;
  await deps.models.GatePresence.collection.replaceOne(
    { _id: new Types.ObjectId(resident.id) },
    { ...rest, state, recordId, passCode, visitor: visitor ?? null } as never,
    { upsert: true },
  );
  if (check.afterHours) await alertKeepers(deps, gate, record, keeperPrompt(record, who, timeZone));
  return { gatePass: passPrompt(record, timeZone) };
};

/** Insert the record; false when it exists already (the same message, run twice at once). */
async function insertRecord(deps: EffectDeps, record: StoredRecord): Promise<boolean> {
  try {
    await deps.models.GateRecord.collection.insertOne(record as never);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
