/**
 * The daily reminder: at `HEALTH_REMINDER_AT` in each community's time zone, registered residents
 * who have not reported that day get one message (customer-service inside the 48-hour window,
 * template outside) through the bulk messages' queue and rate limit. A job runs every minute; a
 * community's reminder of a day is queued once.
 */
import type { Models } from '../../models/index.js';
import { localDate, localTime } from '../../flows/engine/time.js';
import type { BulkMessages } from '../outbound/bulk-messages.js';
import type { PlaceDirectory } from '../places/directory.js';
import type { Clock } from '../ports.js';

export interface ReminderDeps {
  models: Models;
  places: PlaceDirectory;
  bulk: BulkMessages;
  clock: Clock;
  /** `HH:mm`, or `off`. */
  at: string;
}

export const REMINDER_KIND = 'health-reminder';

export async function remindHealthReports(deps: ReminderDeps): Promise<Array<{ community: string; date: string; residents: number }>> {
  if (deps.at === 'off') return [];
  const now = deps.clock.now();
  const out: Array<{ community: string; date: string; residents: number }> = [];
  for (const c of await deps.places.communities()) {
    const date = localDate(now, c.timeZone);
    if (localTime(now, c.timeZone) < deps.at) continue;
    const ref = `${c.code}:${date}`;
    if (await deps.bulk.exists(REMINDER_KIND, ref)) continue;
    const [residents, reported] = await Promise.all([
      deps.models.Resident.find({ 'registration.communityCode': c.code, subscribed: true }, { _id: 1 }).lean(),
      deps.models.HealthReport.find({ communityCode: c.code, date }, { residentId: 1 }).lean(),
    ]);
    const done = new Set(reported.map((r) => String(r.residentId)));
    const residentIds = residents.map((r) => String(r._id)).filter((id) => !done.has(id));
    await deps.bulk.send({ kind: REMINDER_KIND, ref, title: { key: 'health:reminder_title' }, text: { key: 'health:reminder' }, residentIds });
    out.push({ community: c.code, date, residents: residentIds.length });
  }
  return out;
}
