/**
 * A community's crisis rules (gates, home observation, risk areas): read on the hot path by `_id`,
 * changed by staff through the hash-chained audit trail. A change is an audit entry at version
 * V+1 inserted first — of two concurrent changes one insert wins, the other recomputes on top of
 * it — then the rules document is set from the entry. A reader for a change replays entries the
 * document missed (a writer that died in between), so decisions are taken on rules that match
 * their chain; `npm run audit:verify` checks the chain like any other.
 */
import type { Models } from '../../models/index.js';
import { communityRulesIdFor, type CommunityRules, type ObservationSettings } from '../../models/community-rules.js';
import type { AuditDiff, AuditEntry } from '../../models/audit-entry.js';
import { OPEN_GATE_RULES, type GateRules } from '../../flows/gates/rules.js';
import { DEFAULT_OBSERVATION_DAYS, DEFAULT_REMIND_AT } from '../../flows/returnees/returnee.js';
import { insertChained, isDuplicateKey } from '../audit/chain.js';
import { plainJson } from '../audit/canonical.js';
import { AppError } from '../errors.js';
import type { Clock } from '../ports.js';
import type { Actor } from '../staff/access.js';

export const RULES_SUBJECT = 'community_rules';

export const DEFAULT_OBSERVATION: ObservationSettings = { days: DEFAULT_OBSERVATION_DAYS, remindAt: DEFAULT_REMIND_AT, missedAt: '21:00' };

/** The rules' content: what an audit entry's diff changes. */
export interface RulesState {
  version: number;
  gates: GateRules;
  observation: ObservationSettings;
  riskAreas: string[];
}
const FIELDS = ['gates', 'observation', 'riskAreas'] as const;

const DEFAULTS: RulesState = { version: 0, gates: OPEN_GATE_RULES, observation: DEFAULT_OBSERVATION, riskAreas: [] };

/** A change writes only the fields it changed: the others keep their defaults. */
const stateOf = (doc: CommunityRules | null): RulesState =>
  doc
    ? { version: doc.version, gates: doc.gates ?? DEFAULTS.gates, observation: doc.observation ?? DEFAULTS.observation, riskAreas: doc.riskAreas ?? [] }
    : DEFAULTS;

/** The rules as stored (defaults when a community has none): one read by `_id`, for conversations and jobs. */
export async function loadRules(models: Models, communityCode: string): Promise<RulesState> {
  return stateOf(await models.CommunityRules.findById(communityRulesIdFor(communityCode)).lean<CommunityRules>());
}

const fieldsOf = (entry: Pick<AuditEntry, 'diff'>) =>
  Object.fromEntries(
    Object.entries(entry.diff ?? {})
      .filter(([f]) => (FIELDS as readonly string[]).includes(f))
      .map(([f, c]) => [f, c.to]),
  );

async function project(models: Models, communityCode: string, entry: AuditEntry): Promise<void> {
  try {
    // Never back: a document already past this entry stays (its upsert then collides on _id).
    await models.CommunityRules.updateOne(
      { _id: communityRulesIdFor(communityCode), version: { $lt: entry.version } },
      { $set: { communityCode, version: entry.version, ...fieldsOf(entry), updatedAt: entry.at, updatedBy: entry.actorName } },
      { upsert: true },
    );
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/** The rules brought up to their audit chain (entries a dead writer did not project are replayed). */
export async function currentRules(models: Models, communityCode: string): Promise<RulesState> {
  const stored = await loadRules(models, communityCode);
  const newer = await models.AuditEntry.find({ subjectType: RULES_SUBJECT, subjectId: communityCode, version: { $gt: stored.version } })
    .sort({ version: 1 })
    .lean<AuditEntry[]>();
  if (!newer.length) return stored;
  for (const e of newer) await project(models, communityCode, e);
  return loadRules(models, communityCode);
}

/** The community's audit trail of rule changes, oldest first. */
export const rulesTrail = (models: Models, communityCode: string) =>
  models.AuditEntry.find({ subjectType: RULES_SUBJECT, subjectId: communityCode }).sort({ seq: 1 }).lean<AuditEntry[]>();

export interface RulesChange {
  /** `update_rules`, `add_risk_area`, `remove_risk_area`. */
  action: string;
  /** The new content, computed from the current rules (a retry after a lost race recomputes it). */
  next(current: RulesState): Partial<Omit<RulesState, 'version'>>;
  /** The version the caller saw; another change meanwhile answers 409. */
  expectedVersion?: number;
  meta?: Record<string, unknown>;
}

/** Apply a change as one audit entry; nothing changes (and nothing is logged) when the content is the same. */
export async function changeRules(deps: { models: Models; clock: Clock }, actor: Actor, communityCode: string, change: RulesChange): Promise<RulesState> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await currentRules(deps.models, communityCode);
    if (change.expectedVersion !== undefined && change.expectedVersion !== current.version) {
      throw new AppError(
        'conflict_state',
        `the rules changed since you read them (you saw version ${change.expectedVersion}, they are at ${current.version})`,
        {
          version: current.version,
        },
      );
    }
    const next = change.next(current);
    const diff: AuditDiff = {};
    for (const f of FIELDS) {
      if (next[f] !== undefined && JSON.stringify(next[f]) !== JSON.stringify(current[f])) diff[f] = { from: plainJson(current[f]), to: plainJson(next[f]) };
    }
    if (!Object.keys(diff).length) return current;
    const prev = current.version
      ? await deps.models.AuditEntry.findOne({ subjectType: RULES_SUBJECT, subjectId: communityCode, version: current.version }).lean<AuditEntry>()
      : null;
    const entry = await insertChained(
      deps.models,
      {
        subjectType: RULES_SUBJECT,
        subjectId: communityCode,
        version: current.version + 1,
        round: 1,
        actorId: actor.id,
        actorName: actor.name,
        role: actor.role,
        action: change.action,
        at: deps.clock.now(),
        diff,
        ...(change.meta ? { meta: plainJson(change.meta) } : {}),
      },
      prev,
    );
    if (!entry) continue; // someone changed the rules at the same moment: recompute on top of theirs
    await project(deps.models, communityCode, entry);
    return loadRules(deps.models, communityCode);
  }
  throw new AppError('conflict_state', 'the rules are being changed by someone else right now; try again');
}
