/**
 * `GET /api/residents`: the residents registered in the caller's scope, with their address,
 * household and vulnerable flags (health data: the health roles only). Mobile numbers are masked
 * (`138****5678`) except for the roles that phone residents; every read is access-logged, saying
 * whether full numbers were shown.
 */
import { z } from 'zod';
import type { Models } from '../../models/index.js';
import { flagsOf } from '../../models/vulnerability.js';
import { maskMobile } from '../../flows/engine/phone.js';
import { buildingCode, objectId, pageLimit, placeCode, queryFlag } from '../input.js';
import { newestFirst } from '../paging.js';
import type { Clock } from '../ports.js';
import type { PlaceDirectory } from '../places/directory.js';
import { placeFilter, RESIDENT_PLACE, type PlaceSelection } from '../places/place-filter.js';
import { buildingScene, communityScene } from '../../flows/registration/scenes.js';
import type { Actor } from '../staff/access.js';
import { logAccess } from '../staff/access-log.js';
import { FULL_MOBILE_ROLES } from '../staff/data-roles.js';

export const ResidentQuery = z.strictObject({
  community: placeCode.optional(),
  building: buildingCode.optional(),
  registered: queryFlag.optional().meta({ description: 'false: followed through one of the place’s QR posters but not registered yet; default: both' }),
  vulnerable: queryFlag.optional().meta({ description: 'true: any vulnerable flag set' }),
  limit: pageLimit(100, 500),
  before: objectId.optional().meta({ description: 'the `next` of the previous page' }),
});

export const ResidentView = z
  .object({
    id: z.string(),
    channel: z.enum(['wechat', 'wecom']),
    language: z.string(),
    subscribed: z.boolean(),
    registered: z.boolean(),
    community: z.string().nullable(),
    building: z.string().nullable(),
    unit: z.string().nullable(),
    room: z.string().nullable(),
    householdSize: z.number().int().nullable(),
    householdId: z.string().nullable(),
    vulnerable: z.array(z.string()),
    mobile: z.string().nullable().meta({ description: 'masked (138****5678) unless the role phones residents' }),
    volunteerStatus: z.string(),
    lastInboundAt: z.date().nullable(),
    createdAt: z.date().nullable(),
  })
  .meta({ id: 'Resident' });
export const ResidentList = z
  .object({ residents: z.array(ResidentView), mobilesMasked: z.boolean(), next: z.string().nullable() })
  .meta({ id: 'ResidentList' });

type Row = {
  _id: unknown;
  channel: 'wechat' | 'wecom';
  language?: string;
  subscribed?: boolean;
  registration?: { communityCode?: string; buildingCode?: string; unit?: string; room?: string; householdSize?: number };
  householdId?: unknown;
  vulnerable?: Record<string, boolean>;
  mobile?: string;
  volunteerStatus?: string;
  lastInboundAt?: Date | null;
  createdAt?: Date;
};

const isRegistered = (r: Row) => !!r.registration?.communityCode;

/**
 * Residents inside the selection: registered there, or — not registered yet — subscribed
 * through a QR poster of one of its communities or buildings (they have no address of their own).
 */
function residentFilter(place: PlaceSelection, registered: boolean | undefined): Record<string, unknown> | null {
  const where = place.where(RESIDENT_PLACE);
  if (!where) return null;
  const scenes = place.communities.flatMap((c) => [
    ...(place.building ? [] : [communityScene(c.code)]),
    ...c.buildings.filter((b) => !place.building || b.code === place.building).map((b) => buildingScene(c.code, b.code)),
  ]);
  const unregistered = { 'registration.communityCode': null, subscribeScene: { $in: scenes } };
  if (registered === true) return where;
  if (registered === false) return unregistered;
  return { $or: [where, unregistered] };
}

function view(r: Row, fullMobile: boolean): z.input<typeof ResidentView> {
  const g = r.registration ?? {};
  return {
    id: String(r._id),
    channel: r.channel,
    language: r.language ?? 'zh-CN',
    subscribed: r.subscribed !== false,
    registered: isRegistered(r),
    community: g.communityCode ?? null,
    building: g.buildingCode ?? null,
    unit: g.unit ?? null,
    room: g.room ?? null,
    householdSize: g.householdSize ?? null,
    householdId: r.householdId ? String(r.householdId) : null,
    vulnerable: flagsOf(r.vulnerable),
    mobile: (fullMobile ? r.mobile : maskMobile(r.mobile)) ?? null,
    volunteerStatus: r.volunteerStatus ?? 'none',
    lastInboundAt: r.lastInboundAt ?? null,
    createdAt: r.createdAt ?? null,
  };
}

export async function listResidents(deps: { models: Models; places: PlaceDirectory; clock: Clock }, actor: Actor, q: z.output<typeof ResidentQuery>) {
  const where = residentFilter(await placeFilter(deps.places, actor, q), q.registered);
  const fullMobile = FULL_MOBILE_ROLES.includes(actor.role);
  let page = { items: [] as Row[], next: null as string | null };
  if (where) {
    const filter: Record<string, unknown> = { ...where };
    if (q.vulnerable !== undefined) filter.isVulnerable = q.vulnerable ? true : { $ne: true };
    page = await newestFirst<Row>(deps.models.Resident, filter, { timeField: 'createdAt', limit: q.limit, before: q.before });
  }
  await logAccess(deps, actor, 'residents', { ...q, mobiles: fullMobile ? 'full' : 'masked' }, page.items.length);
  return { residents: page.items.map((r) => view(r, fullMobile)), mobilesMasked: !fullMobile, next: page.next };
}
