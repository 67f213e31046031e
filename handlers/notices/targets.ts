/**
 * Notice target groups → ONE resident filter. Groups are OR-ed and the notice's scope is AND-ed
 * on top, always with `subscribed: true`; since it is one query, a resident in several groups is
 * counted (and later sent to) once.
 */
import type { Models } from '../../models/index.js';
import type { NoticeScope, NoticeTargets } from '../../models/notice.js';
import { z } from 'zod';
import { invalid } from '../errors.js';
import { buildingCode, parseBody, placeCode } from '../input.js';
import { requireScope, type Actor, type ScopeTarget } from '../staff/access.js';

const TARGET_KEYS = ['all', 'communities', 'buildings', 'vulnerable', 'volunteers', 'tags'] as const;
const TAG = z.string().regex(/^[\p{L}\p{N}_-]{1,32}$/u, { error: 'must be a tag (letters, digits, _ or -, at most 32)' });
const flag = z.boolean().optional();

/** Drop false flags and empty lists, and list each community, building and tag once. */
function normalise(t: NoticeTargets): NoticeTargets {
  const out: NoticeTargets = {};
  if (t.all) out.all = true;
  if (t.communities?.length) out.communities = [...new Set(t.communities)];
  if (t.buildings?.length) {
    const seen = new Set<string>();
    out.buildings = t.buildings.filter((b) => !seen.has(`${b.community}/${b.building}`) && !!seen.add(`${b.community}/${b.building}`));
  }
  if (t.vulnerable) out.vulnerable = true;
  if (t.volunteers) out.volunteers = true;
  if (t.tags?.length) out.tags = [...new Set(t.tags)];
  return out;
}

/** The groups as stored and shown. */
export const TargetGroups = z.strictObject(
  {
    all: flag,
    communities: z.array(placeCode).max(100).optional(),
    buildings: z
      .array(z.strictObject({ community: placeCode, building: buildingCode }, { error: 'must be {"community": code, "building": code}' }))
      .max(500)
      .optional(),
    vulnerable: flag,
    volunteers: flag,
    tags: z.array(TAG).max(20).optional(),
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown group ${iss.keys.join(', ')}; groups: ${TARGET_KEYS.join(', ')}`
        : iss.code === 'invalid_type' && iss.input !== undefined
          ? 'must be an object, e.g. {"all": true}'
          : undefined,
  },
);

/** The subscriber groups of a notice, checked (400 with the offending field) and normalised. */
export const NoticeTargetsSchema = TargetGroups.transform(normalise)
  .refine((t) => Object.keys(t).length > 0, { error: 'select nobody: set all, communities, buildings, vulnerable, volunteers or tags' })
  .meta({ description: "Subscriber groups (OR-ed) inside the author's scope; a resident in several groups is counted once." });

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

export const PreviewTargetsBody = z.strictObject({ targets: NoticeTargetsSchema });

/** `POST /api/notices/preview-targets`: validate the groups in the actor's scope and count. */
export async function previewTargets(models: Models, actor: Actor, raw: unknown): Promise<{ count: number }> {
  const { targets } = parseBody(PreviewTargetsBody, raw);
  await validateTargets(models, actor, targets);
  return { count: await countRecipients(models, targets, actor.scope) };
}
