/**
 * Loaders for the facts flows declare they need (`FlowDefinition.needs`). They run only when a
 * flow starts, and always by `_id` where the record's key is known (a day's health report).
 */
import type { Models } from '../../models/index.js';
import { healthReportIdFor, type HealthReport } from '../../models/health-report.js';
import type { SupplyRequest } from '../../models/supply-request.js';
import type { FactName, Facts, HealthReportFact } from '../../flows/engine/facts.js';
import { localDate, shiftDate } from '../../flows/engine/time.js';
import type { HealthAnswers } from '../../flows/health/risk.js';
import { volunteerIdFor, type Volunteer } from '../../models/volunteer.js';
import type { PlaceDirectory } from '../places/directory.js';
import type { GateDirectory } from '../gates/directory.js';
import type { AllocationLedger } from '../allocations/ledger.js';
import type { Clock } from '../ports.js';
import { gatePresenceFact, returneeRulesFact } from '../gates/facts.js';
import { allocationOffers } from '../allocations/offers.js';
import type { FactBase } from '../rumors/ports.js';
import type { TaskPrompts } from '../volunteers/ports.js';
import type { ResidentView } from './touch-resident.js';

export interface FactDeps {
  models: Models;
  places: PlaceDirectory;
  gates: GateDirectory;
  allocations: AllocationLedger;
  clock: Clock;
  /** The process's in-memory fact base (released fact-checks, pending claims). */
  rumors: FactBase;
  taskPrompts: TaskPrompts;
}

/** "Same as yesterday" looks back this far for the last report. */
const LOOKBACK_DAYS = 7;

const asFact = (r: HealthReport): HealthReportFact => ({
  date: r.date,
  temperatureC: r.temperatureC,
  symptoms: r.symptoms as HealthAnswers['symptoms'],
  test: r.test as HealthAnswers['test'],
  contact: r.contact,
});

async function reportOf(models: Models, residentId: string, date: string): Promise<HealthReport | null> {
  return models.HealthReport.findById(healthReportIdFor(residentId, date)).lean<HealthReport>();
}

/** `query`: the text a lookup is for (the answer being read); `now`: the message's time. */
type Loader = (deps: FactDeps, resident: ResidentView, today: string, query: string | undefined, now: Date) => Promise<Facts[FactName]>;

const LOADERS: { [K in FactName]: Loader } = {
  communities: async (deps) => (await deps.places.communities()).map((c) => ({ code: c.code, name: c.name, buildings: c.buildings })),
  todayHealthReport: async (deps, r, today) => {
    const report = await reportOf(deps.models, r.id, today);
    return report ? asFact(report) : null;
  },
  lastHealthReport: async (deps, r, today) => {
    const days = Array.from({ length: LOOKBACK_DAYS }, (_, i) => shiftDate(today, -(i + 1)));
    const found = await Promise.all(days.map((d) => reportOf(deps.models, r.id, d)));
    const latest = found.find(Boolean);
    return latest ? asFact(latest) : null;
  },
  rumorCheck: async (deps, r, _today, query) => (query === undefined ? null : { query, ...(await deps.rumors.check(query, r.language)) }),
  supplyRequests: async (deps, r) => {
    const list = await deps.models.SupplyRequest.find({ residentId: r.id }).sort({ createdAt: -1 }).limit(20).lean<SupplyRequest[]>();
    return list.map((q) => ({
      id: String(q._id),
      ticket: q.ticket,
      category: q.category,
      items: q.items,
      urgency: q.urgency,
      status: q.status,
      createdAt: q.createdAt.toISOString(),
    }));
  },
  gates: (deps) => deps.gates.list(),
  gatePresence: (deps, r) => gatePresenceFact(deps.models, r.id),
  returneeRules: (deps, r) => returneeRulesFact(deps.models, r.registration?.communityCode),
  allocationOffers: (deps, r, _today, _query, now) => allocationOffers(deps, r, now),
  volunteer: async (deps, r) => {
    const v = await deps.models.Volunteer.findById(volunteerIdFor(r.id)).lean<Volunteer>();
    return v ? { status: v.status, name: v.name, skills: v.skills } : null;
  },
  latestTaskPrompt: (deps, r) => deps.taskPrompts.latest(r.id),
};

export async function loadFacts(deps: FactDeps, names: FactName[], resident: ResidentView, now: Date, timeZone: string, query?: string): Promise<Facts> {
  const today = localDate(now, timeZone);
  const values = await Promise.all(names.map((n) => LOADERS[n](deps, resident, today, query, now)));
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}
