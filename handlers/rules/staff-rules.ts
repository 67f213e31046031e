/**
 * The staff side of a community's rules: read them with their audit trail, change the gate and
 * observation rules, add and remove risk areas. Each change is one audit entry (see
 * `community-rules.ts`). Inputs are zod schemas.
 */
import type { z } from 'zod';
import type { Models } from '../../models/index.js';
import type { AuditEntry } from '../../models/audit-entry.js';
import { localDate } from '../../flows/engine/time.js';
import { notFound, invalid } from '../errors.js';
import type { Clock } from '../ports.js';
import type { Actor } from '../staff/access.js';
import type { PlaceDirectory } from '../places/directory.js';
import type { RiskAreaBody, RulesPatchBody, RulesView } from './schemas.js';
import { changeRules, currentRules, rulesTrail, type RulesState } from './community-rules.js';

export interface RulesDeps {
  models: Models;
  places: PlaceDirectory;
  clock: Clock;
}

const entryView = (e: AuditEntry) => ({ version: e.version, action: e.action, actor: e.actorName, role: e.role, at: e.at, diff: e.diff ?? {} });

async function community(deps: RulesDeps, code: string) {
  const c = await deps.places.community(code);
  if (!c) throw notFound(`community "${code}"`);
  return c;
}

const view = (code: string, r: RulesState, trail: AuditEntry[]): z.input<typeof RulesView> => ({ community: code, ...r, audit: trail.map(entryView) });

export async function getRules(deps: RulesDeps, code: string) {
  await community(deps, code);
  const rules = await currentRules(deps.models, code);
  return view(code, rules, await rulesTrail(deps.models, code));
}

/** Change some of the gate and observation rules; a quota period without `from` starts today. */
export async function updateRules(deps: RulesDeps, actor: Actor, code: string, body: z.output<typeof RulesPatchBody>) {
  const c = await community(deps, code);
  const today = localDate(deps.clock.now(), c.timeZone);
  const rules = await changeRules(deps, actor, code, {
    action: 'update_rules',
    ...(body.version !== undefined ? { expectedVersion: body.version } : {}),
    next: (cur) => {
      const gates = body.gates ? { ...cur.gates, ...body.gates } : undefined;
      if (gates?.outings && !gates.outings.from) gates.outings = { ...gates.outings, from: cur.gates.outings?.from ?? today };
      const observation = body.observation ? { ...cur.observation, ...body.observation } : undefined;
      // In order of the day, once each: the job sends the latest time passed, and the message lists them.
      if (observation) observation.remindAt = [...new Set(observation.remindAt)].sort();
      return { ...(gates ? { gates: gates as RulesState['gates'] } : {}), ...(observation ? { observation } : {}) };
    },
  });
  return view(code, rules, await rulesTrail(deps.models, code));
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export async function addRiskArea(deps: RulesDeps, actor: Actor, code: string, { area }: z.output<typeof RiskAreaBody>) {
  await community(deps, code);
  if (!area.split('/').some((s) => s.trim())) throw invalid('area must name a place', { field: 'area' });
  const rules = await changeRules(deps, actor, code, {
    action: 'add_risk_area',
    meta: { area },
    next: (cur) => (cur.riskAreas.some((a) => same(a, area)) ? {} : { riskAreas: [...cur.riskAreas, area] }),
  });
  return view(code, rules, await rulesTrail(deps.models, code));
}

export async function removeRiskArea(deps: RulesDeps, actor: Actor, code: string, area: string) {
  await community(deps, code);
  const before = await currentRules(deps.models, code);
  if (!before.riskAreas.some((a) => same(a, area))) throw notFound(`risk area "${area}"`);
  const rules = await changeRules(deps, actor, code, {
    action: 'remove_risk_area',
    meta: { area },
    next: (cur) => ({ riskAreas: cur.riskAreas.filter((a) => !same(a, area)) }),
  });
  return view(code, rules, await rulesTrail(deps.models, code));
}
