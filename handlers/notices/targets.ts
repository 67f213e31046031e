/**
 * Notice target groups → ONE resident filter. Groups are OR-ed and the notice's scope is AND-ed
 * on top, always with `subscribed: true`; since it is one query, a resident in several groups is
 * counted (and later sent to) once.
 */
import type { Models } from '../../models/index.js';
import type { NoticeScope, NoticeTargets } from '../../models/notice.js';
import { invalid } from '../errors.js';
import { requireScope, type Actor, type ScopeTarget } from '../staff/access.js';

const TARGET_KEYS = ['all', 'communities', 'buildings', 'vulnerable', 'volunteers', 'tags'] as const;
const CODE = /^[a-z0-9-]{1,32}$/;
const BUILDING_CODE = /^[\p{L}\p{N}_-]{1,32}$/u;
const TAG = /^[\p{L}\p{N}_-]{1,32}$/u;
const MAX_COMMUNITIES = 100;
const MAX_BUILDINGS = 500;
const MAX_TAGS = 20;

function list(v: unknown, field: string, max: number): unknown[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw invalid(`targets.${field} must be an array`, { field: `targets.${field}` });
  if (v.length > max) throw invalid(`targets.${field} has ${v.length} items; at most ${max}`, { field: `targets.${field}` });
  return v;
}

function flag(v: unknown, field: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw invalid(`targets.${field} must be true or false`, { field: `targets.${field}` });
  return v;
}

/** Check the shape of `targets` (400 with the offending field) and normalise it (dedupe, drop empties). */
export function parseTargets(raw: unknown): NoticeTargets {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('targets must be an object, e.g. {"all": true}', { field: 'targets' });
  const t = raw as Record<string, unknown>;
  const unknown = Object.keys(t).filter((k) => !(TARGET_KEYS as readonly string[]).includes(k));
  if (unknown.length) throw invalid(`unknown target group ${unknown.join(', ')}; groups: ${TARGET_KEYS.join(', ')}`, { field: 'targets' });
  const out: NoticeTargets = {};
  if (flag(t.all, 'all')) out.all = true;
  const communities = list(t.communities, 'communities', MAX_COMMUNITIES)?.map((c) => {
    if (typeof c !== 'string' || !CODE.test(c))
      throw invalid(`targets.communities: ${JSON.stringify(c)} is not a community code`, { field: 'targets.communities' });
    return c;
  });
  if (communities?.length) out.communities = [...new Set(communities)];
  const buildings = list(t.buildings, 'buildings', MAX_BUILDINGS)?.map((b) => {
    const o = b as Record<string, unknown> | null;
    if (
      !o ||
      typeof o !== 'object' ||
      typeof o.community !== 'string' ||
      typeof o.building !== 'string' ||
      Object.keys(o).length !== 2 ||
      !CODE.test(o.community) ||
      !BUILDING_CODE.test(o.building)
    ) {
      throw invalid('targets.buildings items must be {"community": code, "building": code}', { field: 'targets.buildings' });
    }
    return { community: o.community, building: o.building };
  });
  if (buildings?.length) {
    const seen = new Set<string>();
    out.buildings = buildings.filter((b) => !seen.has(`${b.community}/${b.building}`) && !!seen.add(`${b.community}/${b.building}`));
  }
  if (flag(t.vulnerable, 'vulnerable')) out.vulnerable = true;
  if (flag(t.volunteers, 'volunteers')) out.volunteers = true;
  const tags = list(t.tags, 'tags', MAX_TAGS)?.map((x) => {
    if (typeof x !== 'string' || !TAG.test(x))
      throw invalid(`targets.tags: ${JSON.stringify(x)} is not a tag (letters, digits, _ or -, at most 32)`, { field: 'targets.tags' });
    return x;
  });
  if (tags?.length) out.tags = [...new Set(tags)];
  if (!Object.keys(out).length) throw invalid('targets select nobody: set all, communities, buildings, vulnerable, volunteers or tags', { field: 'targets' });
  return out;
}

/**
 * Where the named communities and buildings are (400 for an unknown one). The other groups
 * (`all`, vulnerable, volunteers, tags) are relative to the notice's scope and name no place.
 */
export async function targetScopes(models: Models, targets: NoticeTargets): Promise<ScopeTarget[]> {
  const codes = [...new Set([...(targets.communities ?? []), ...(targets.buildings ?? []).map((b) => b.community)])];
  if (!codes.length) return [];
  const communities = new Map((await models.Community.find({ code: { $in: codes } }).lean()).map((c) => [c.code, c]));
  const missing = codes.find((c) => !communities.has(c));
  if (missing) throw invalid(`unknown community "${missing}"`, { field: 'targets' });
  const out: ScopeTarget[] = (targets.communities ?? []).map((c) => ({ streetCode: communities.get(c)!.streetCode, communityCode: c }));
  if (targets.buildings?.length) {
    const known = new Set(
      (await models.Building.find({ communityCode: { $in: [...new Set(targets.buildings.map((b) => b.community))] } }).lean()).map(
        (b) => `${b.communityCode}/${b.code}`,
      ),
    );
    for (const b of targets.buildings) {
      if (!known.has(`${b.community}/${b.building}`)) throw invalid(`unknown building "${b.building}" in community ${b.community}`, { field: 'targets' });
      out.push({ streetCode: communities.get(b.community)!.streetCode, communityCode: b.community, buildingCode: b.building });
    }
  }
  return out;
}

/** Known places (400) inside the actor's scope (403 forbidden_scope). */
export async function validateTargets(models: Models, actor: Actor, targets: NoticeTargets): Promise<void> {
  requireScope(actor, await targetScopes(models, targets));
}

/** Residents inside a scope: the scope's most specific code decides (none = everyone). */
async function scopeFilter(models: Models, scope: NoticeScope): Promise<Record<string, unknown>> {
  if (scope.buildingCode) return { 'registration.communityCode': scope.communityCode, 'registration.buildingCode': scope.buildingCode };
  if (scope.communityCode) return { 'registration.communityCode': scope.communityCode };
  if (scope.streetCode) {
    // Communities of the street, not registration.streetCode: the community is what residents pick.
    const codes = (await models.Community.find({ streetCode: scope.streetCode }).lean()).map((c) => c.code);
    return { 'registration.communityCode': { $in: codes } };
  }
  return {};
}

/**
 * The one Resident filter for a notice's recipients: subscribed, inside `scope`, and in any of
 * the groups. `all` = every subscribed resident in the scope (a community account's `all` is
 * its community). The broadcast fan-out uses this with the notice's stored targets and scope.
 */
export async function recipientFilter(models: Models, targets: NoticeTargets, scope: NoticeScope): Promise<Record<string, unknown>> {
  const filter: Record<string, unknown> = { subscribed: true, ...(await scopeFilter(models, scope)) };
  if (targets.all) return filter;
  const groups: Record<string, unknown>[] = [];
  if (targets.communities?.length) groups.push({ 'registration.communityCode': { $in: targets.communities } });
  for (const b of targets.buildings ?? []) groups.push({ 'registration.communityCode': b.community, 'registration.buildingCode': b.building });
  if (targets.vulnerable) groups.push({ isVulnerable: true });
  if (targets.volunteers) groups.push({ volunteerStatus: 'approved' });
  if (targets.tags?.length) groups.push({ tags: { $in: targets.tags } });
  // parseTargets guarantees at least one group; an empty $or would be a query error, so guard anyway.
  filter.$or = groups.length ? groups : [{ _id: null }];
  return filter;
}

/** How many residents a notice with these targets would reach (each once). */
export async function countRecipients(models: Models, targets: NoticeTargets, scope: NoticeScope): Promise<number> {
  return models.Resident.countDocuments(await recipientFilter(models, targets, scope));
}

/** `POST /api/notices/preview-targets`: validate the groups in the actor's scope and count. */
export async function previewTargets(models: Models, actor: Actor, raw: unknown): Promise<{ count: number }> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('expected a JSON object {"targets": {...}}');
  const extra = Object.keys(raw).filter((k) => k !== 'targets');
  if (extra.length) throw invalid(`unknown field ${extra.join(', ')}; expected {"targets": {...}}`);
  const targets = parseTargets((raw as { targets?: unknown }).targets);
  await validateTargets(models, actor, targets);
  return { count: await countRecipients(models, targets, actor.scope) };
}
