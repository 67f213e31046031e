import type { Models } from '../../models/index.js';
import { inScope, type Actor, type ScopeTarget } from '../staff/access.js';
import { notFound } from '../errors.js';

/** Where a community sits in the scope tree (404 when it does not exist). */
export async function communityScope(models: Models, code: string): Promise<ScopeTarget> {
  const c = await models.Community.findOne({ code }).lean();
  if (!c) throw notFound(`community "${code}"`);
  return { streetCode: c.streetCode, communityCode: c.code };
}

/** Communities the actor can see, each with its buildings. */
export async function listCommunities(models: Models, actor: Actor) {
  const all = await models.Community.find().sort({ code: 1 }).lean();
  return all
    .filter((c) => inScope(actor, { streetCode: c.streetCode, communityCode: c.code }))
    .map((c) => ({ code: c.code, name: c.name, streetCode: c.streetCode }));
}

export async function getCommunity(models: Models, code: string) {
  const c = await models.Community.findOne({ code }).lean();
  if (!c) throw notFound(`community "${code}"`);
  const buildings = await models.Building.find({ communityCode: code }).sort({ code: 1 }).lean();
  const residents = await models.Resident.countDocuments({ 'registration.communityCode': code, subscribed: true });
  return {
    code: c.code,
    name: c.name,
    streetCode: c.streetCode,
    buildings: buildings.map((b) => ({ code: b.code, name: b.name })),
    subscribedResidents: residents,
  };
}
