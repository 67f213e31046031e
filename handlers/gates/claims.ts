/**
 * The two things two gate passes can race for, each decided by a unique `_id` insert (atomic on
 * FerretDB 1.x, whose conditional updates are not): the n-th outing of a household's quota period,
 * and a pass code at a gate on a day. Both carry the asking message's key, so a retry of that
 * message recognises what it already holds.
 */
import type { Types } from 'mongoose';
import type { Models } from '../../models/index.js';
import { gatePassCodeIdFor, gateQuotaClaimIdFor } from '../../models/gate.js';
import { periodStart, type GateRules } from '../../flows/gates/rules.js';
import { claimCode, isDuplicateKey } from './pass-code.js';

export interface Outing {
  n: number;
  max: number;
  perDays: number;
  periodStart: string;
}

/** Take the household's next outing of the period, or null when the quota is used up. */
export async function claimOuting(
  models: Models,
  householdKey: string,
  rule: NonNullable<GateRules['outings']>,
  date: string,
  key: string,
  now: Date,
): Promise<Outing | null> {
  const start = periodStart(date, rule.perDays, rule.from);
  for (let n = 1; n <= rule.max; n++) {
    const _id = gateQuotaClaimIdFor(householdKey, start, n);
    const outing = { n, max: rule.max, perDays: rule.perDays, periodStart: start };
    try {
      await models.GateQuotaClaim.collection.insertOne({ _id, householdKey, periodStart: start, n, sourceKey: key, at: now } as never);
      return outing;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const held = await models.GateQuotaClaim.findById(_id).lean<{ sourceKey: string }>();
      if (held?.sourceKey === key) return outing; // this message's own claim (a retry)
    }
  }
  return null;
}

/** Four characters, unique per gate and local day. */
export const PASS_CODE_LENGTH = 4;

/** A pass code for the record, unique at the gate that day. */
export const claimPassCode = (models: Models, gateId: Types.ObjectId, date: string, key: string, recordId: Types.ObjectId): Promise<string> =>
  claimCode(models.GatePassCode, {
    key,
    length: PASS_CODE_LENGTH,
    idOf: (code) => gatePassCodeIdFor(gateId, date, code),
    doc: { recordId, sourceKey: key },
    ours: (held) => held.sourceKey === key,
  });
