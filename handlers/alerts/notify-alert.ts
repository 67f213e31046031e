/**
 * Tell staff about an alert, as a WeCom app message (job `alert-<alertId>`): every active staff
 * account whose scope covers the place, holds a role that acts on that kind of alert, and has a
 * WeCom user id. Health and missed-observation alerts go to those who look after residents' health
 * in the building; gate alerts to the gate keepers of the gate. Recorded on the alert, so a rerun
 * sends nothing.
 */
import type { Alert, AlertKind } from '../../models/alert.js';
import type { Models } from '../../models/index.js';
import type { Role, StaffUser } from '../../models/staff-user.js';
import { renderPrompt, type Translate } from '../../flows/engine/render.js';
import type { Prompt } from '../../flows/engine/types.js';
import type { Clock } from '../ports.js';
import { inScope, type Actor, type ScopeTarget } from '../staff/access.js';
import type { PlaceCommunity, PlaceDirectory } from '../places/directory.js';

/** Roles that act on residents' health: the committee, the street office, medical teams. */
export const HEALTH_ALERT_ROLES = ['committee', 'government', 'social_org'] as const;
/** Who keeps the gates: the property company and the committee. */
export const GATE_KEEPER_ROLES = ['property', 'committee'] as const;

const ROLES_BY_KIND: Record<AlertKind, readonly Role[]> = { health: HEALTH_ALERT_ROLES, gate: GATE_KEEPER_ROLES, observation: HEALTH_ALERT_ROLES };

export interface AlertNotifyDeps {
  models: Models;
  places: PlaceDirectory;
  clock: Clock;
  /** WeCom app text to members; undefined when WeCom is not configured. */
  sendWecom?: (userIds: string[], text: string) => Promise<unknown>;
  /** Staff read Chinese by default. */
  translate: Translate;
}

export type AlertNotifyResult = { notified: string[] } | { problem: 'no_staff_with_wecom' | 'wecom_not_configured' } | 'already' | 'missing';

/** WeCom user ids of active staff holding one of `roles` whose scope covers `target`. */
export async function wecomUsersFor(models: Models, roles: readonly Role[], target: ScopeTarget): Promise<string[]> {
  const staff = await models.StaffUser.find({ role: { $in: roles }, revokedAt: null }).lean<StaffUser[]>();
  const users = staff
    .filter((s) => s.wecomUserId && inScope({ id: String(s._id), name: s.name, role: s.role, duties: [], scope: s.scope ?? {} } as Actor, target))
    .map((s) => s.wecomUserId!);
  return [...new Set(users)];
}

function healthText(deps: AlertNotifyDeps, a: Alert, community: PlaceCommunity | undefined): string {
  const building = community?.buildings.find((b) => b.code === a.buildingCode)?.name ?? a.buildingCode;
  return deps.translate('health:alert_wecom', {
    level: deps.translate(`health:level.${a.level}`),
    community: community?.name ?? a.communityCode,
    building,
    room: a.room ?? '',
    reasons: a.reasons.map((r) => deps.translate(`health:reason.${r}`)).join('、'),
    date: a.date,
  });
}

export async function notifyAlert(deps: AlertNotifyDeps, alertId: string): Promise<AlertNotifyResult> {
  const a = await deps.models.Alert.findById(alertId).lean<Alert>();
  if (!a) return 'missing';
  if (a.notifiedAt) return 'already';
  const community = await deps.places.community(a.communityCode);
  const target = { streetCode: community?.streetCode, communityCode: a.communityCode, ...(a.buildingCode ? { buildingCode: a.buildingCode } : {}) };
  const users = await wecomUsersFor(deps.models, ROLES_BY_KIND[a.kind ?? 'health'], target);
  const problem = !users.length ? 'no_staff_with_wecom' : !deps.sendWecom ? 'wecom_not_configured' : undefined;
  if (problem) {
    await deps.models.Alert.updateOne({ _id: a._id }, { $set: { notifyProblem: problem } });
    return { problem };
  }
  // Other kinds carry their message as a prompt, written by whoever raised them.
  const message = a.details?.message as Prompt | undefined;
  const text = message ? renderPrompt(message, deps.translate, 'zh-CN') : healthText(deps, a, community);
  await deps.sendWecom!(users, text);
  await deps.models.Alert.updateOne({ _id: a._id }, { $set: { notifiedAt: deps.clock.now(), notifiedUsers: users } });
  return { notified: users };
}
