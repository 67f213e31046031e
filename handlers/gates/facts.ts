/** Facts the gate pass and returnee forms load when they start (each one read by `_id`). */
import type { Models } from '../../models/index.js';
import type { GatePresence } from '../../models/gate.js';
import type { GatePresenceFact, ReturneeRulesFact } from '../../flows/engine/facts.js';
import { DEFAULT_OBSERVATION_DAYS, DEFAULT_REMIND_AT } from '../../flows/returnees/returnee.js';
import { loadRules } from '../rules/community-rules.js';

export async function gatePresenceFact(models: Models, residentId: string): Promise<GatePresenceFact | null> {
  const p = await models.GatePresence.findById(residentId).lean<GatePresence>();
  return p ? { state: p.state, gateId: String(p.gateId), communityCode: p.communityCode, date: p.date, visitor: !!p.visitor } : null;
}

export async function returneeRulesFact(models: Models, communityCode: string | undefined): Promise<ReturneeRulesFact> {
  const rules = communityCode ? await loadRules(models, communityCode) : undefined;
  const o = rules?.observation;
  return { riskAreas: rules?.riskAreas ?? [], observationDays: o?.days ?? DEFAULT_OBSERVATION_DAYS, remindAt: o?.remindAt ?? DEFAULT_REMIND_AT };
}
