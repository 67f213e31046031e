/**
 * Tell the building's responsible staff about a health alert, as a WeCom app message (job
 * `alert-<alertId>`): every staff account whose scope covers the building, holds a role that
 * looks after residents, and has a WeCom user id. Recorded on the alert, so a rerun sends nothing.
 */
import type { Alert } from '../../models/alert.js';
import type { Models } from '../../models/index.js';
import type { StaffUser } from '../../models/staff-user.js';
import type { Translate } from '../../flows/engine/render.js';
import type { Clock } from '../ports.js';
import { inScope, type Actor } from '../staff/access.js';
import type { PlaceDirectory } from '../places/directory.js';

/** Roles that act on residents' health: the committee, the street office, medical teams. */
export const HEALTH_ALERT_ROLES = ['committee', 'government', 'social_org'] as const;

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

export async function notifyAlert(deps: AlertNotifyDeps, alertId: string): Promise<AlertNotifyResult> {
  const a = await deps.models.Alert.findById(alertId).lean<Alert>();
  if (!a) return 'missing';
  if (a.notifiedAt) return 'already';
  const community = await deps.places.community(a.communityCode);
  const target = { streetCode: community?.streetCode, communityCode: a.communityCode, buildingCode: a.buildingCode };
  const staff = await deps.models.StaffUser.find({ role: { $in: HEALTH_ALERT_ROLES }, revokedAt: null }).lean<StaffUser[]>();
  const users = staff
    .filter((s) => s.wecomUserId && inScope({ id: String(s._id), name: s.name, role: s.role, duties: [], scope: s.scope ?? {} } as Actor, target))
    .map((s) => s.wecomUserId!);
  const problem = !users.length ? 'no_staff_with_wecom' : !deps.sendWecom ? 'wecom_not_configured' : undefined;
  if (problem) {
    await deps.models.Alert.updateOne({ _id: a._id }, { $set: { notifyProblem: problem } });
    return { problem };
  }
  const building = community?.buildings.find((b) => b.code === a.buildingCode)?.name ?? a.buildingCode;
  const text = deps.translate('health:alert_wecom', {
    level: deps.translate(`health:level.${a.level}`),
    community: community?.name ?? a.communityCode,
    building,
    room: a.room ?? '',
    reasons: a.reasons.map((r) => deps.translate(`health:reason.${r}`)).join('、'),
    date: a.date,
  });
  const unique = [...new Set(users)];
  await deps.sendWecom!(unique, text);
  await deps.models.Alert.updateOne({ _id: a._id }, { $set: { notifiedAt: deps.clock.now(), notifiedUsers: unique } });
  return { notified: unique };
}
