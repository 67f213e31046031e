import type { Models } from '../../models/index.js';
import type { Clock } from '../ports.js';
import type { Actor } from './access.js';

/** What was read: one value per kind of sensitive data. */
export type AccessResource =
  | 'health_reports'
  | 'health_missing'
  | 'alerts'
  | 'residents'
  | 'supply_requests'
  | 'resident_mobile'
  | 'gate_records'
  | 'returnees'
  | `export:${'health-reports' | 'supply-requests' | 'volunteers' | 'deliveries'}`;

/**
 * Append who read sensitive personal data, what they asked for (the filter, never the data) and
 * how many records they got (product.md: reads of health and contact data are logged). Written
 * before the answer leaves, so a read the log cannot record is not served.
 */
export async function logAccess(
  deps: { models: Models; clock: Clock },
  actor: Actor,
  resource: AccessResource,
  query: Record<string, unknown>,
  count: number,
): Promise<void> {
  const plain = JSON.parse(JSON.stringify(query)) as Record<string, unknown>; // dates as strings, undefined dropped
  await deps.models.AccessLog.create({ actorId: actor.id, actorName: actor.name, role: actor.role, resource, query: plain, count, at: deps.clock.now() });
}
