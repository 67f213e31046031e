/**
 * Staff define a community's gates: each gets a permanent QR scene `g:<id>` and WeChat's QR code
 * for it (ticket and the URL it encodes). The poster's image is WeChat's own when it can be
 * fetched, else drawn here from the same URL with the `qrcode` package (offline: the demo and the
 * mock). A gate whose QR code could not be made (WeChat unreachable) is kept, and the code is
 * made when the poster is asked for.
 */
import QRCode from 'qrcode';
import { Types } from 'mongoose';
import type { z } from 'zod';
import type { Models } from '../../models/index.js';
import type { Gate } from '../../models/gate.js';
import { AppError, notFound, invalid } from '../errors.js';
import type { Clock } from '../ports.js';
import { inScope, requireScope, type Actor, type ScopeTarget } from '../staff/access.js';
import type { PlaceDirectory } from '../places/directory.js';
import type { GateDirectory } from './directory.js';
import type { CreateGateBody, GateView, PlaceQuery } from './schemas.js';

/** WeChat's QR codes, as a port (the rim calls the Official Account API). */
export interface QrCodes {
  /** A permanent QR code for `scene`. */
  create(scene: string): Promise<{ ticket: string; url: string; imageUrl: string }>;
  /** WeChat's own image of a ticket; undefined when it cannot be fetched from here (offline, the mock). */
  image(ticket: string): Promise<Buffer | undefined>;
}

export interface GateDeps {
  models: Models;
  places: PlaceDirectory;
  clock: Clock;
  qr: QrCodes;
  gates?: GateDirectory;
}

export const gateView = (g: Gate): z.input<typeof GateView> => ({
  id: String(g._id),
  community: g.communityCode,
  building: g.buildingCode ?? null,
  name: g.name,
  scene: g.scene,
  qr: g.qr ? { ticket: g.qr.ticket, url: g.qr.url, imageUrl: g.qr.imageUrl } : null,
  qrProblem: g.qrProblem ?? null,
  poster: `/api/gates/${String(g._id)}/qr.png`,
});

export const gateTarget = (g: Pick<Gate, 'streetCode' | 'communityCode' | 'buildingCode'>): ScopeTarget => ({
  streetCode: g.streetCode,
  communityCode: g.communityCode,
  ...(g.buildingCode ? { buildingCode: g.buildingCode } : {}),
});

async function loadGate(models: Models, id: string): Promise<Gate> {
  const g = /^[0-9a-f]{24}$/i.test(id) ? await models.Gate.findById(id).lean<Gate>() : null;
  if (!g) throw notFound('gate');
  return g;
}

/** Where a gate sits in the scope tree (404 when there is no such gate). */
export const gateScope = async (models: Models, id: string) => gateTarget(await loadGate(models, id));

/** Ask WeChat for the gate's QR code and keep it (or why it failed). */
async function makeQr(deps: GateDeps, g: Gate): Promise<Gate> {
  try {
    const qr = { ...(await deps.qr.create(g.scene)), createdAt: deps.clock.now() };
    await deps.models.Gate.updateOne({ _id: g._id }, { $set: { qr }, $unset: { qrProblem: '' } });
    return { ...g, qr, qrProblem: undefined };
  } catch (err) {
    const qrProblem = (err as Error).message.slice(0, 200);
    await deps.models.Gate.updateOne({ _id: g._id }, { $set: { qrProblem } });
    return { ...g, qrProblem };
  }
}

export async function createGate(deps: GateDeps, actor: Actor, body: z.output<typeof CreateGateBody>) {
  const community = await deps.places.community(body.community);
  if (!community) throw notFound(`community "${body.community}"`);
  if (body.building && !community.buildings.some((b) => b.code === body.building))
    throw invalid(`building ${body.building} is not in ${body.community}`, { field: 'building' });
  const _id = new Types.ObjectId();
  const gate: Gate = {
    _id,
    communityCode: community.code,
    streetCode: community.streetCode,
    ...(body.building ? { buildingCode: body.building } : {}),
    name: body.name,
    scene: `g:${String(_id)}`,
    qr: null,
    createdAt: deps.clock.now(),
    createdBy: actor.id,
  };
  requireScope(actor, [gateTarget(gate)]);
  try {
    await deps.models.Gate.collection.insertOne(gate as never);
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new AppError('conflict_state', `${body.community} already has a gate named "${body.name}"`);
    throw err;
  }
  deps.gates?.forget();
  return gateView(await makeQr(deps, gate));
}

export async function listGates(deps: GateDeps, actor: Actor, q: z.output<typeof PlaceQuery>) {
  const gates = await deps.models.Gate.find({ communityCode: q.community }).sort({ name: 1 }).lean<Gate[]>();
  return { gates: gates.filter((g) => inScope(actor, gateTarget(g)) && (!q.building || g.buildingCode === q.building)).map(gateView) };
}

/** The poster's QR code as a PNG: WeChat's image of the ticket, or drawn here from the URL it encodes. */
export async function gatePoster(deps: GateDeps, id: string): Promise<{ png: Buffer; source: 'wechat' | 'local' }> {
  let g = await loadGate(deps.models, id);
  if (!g.qr) g = await makeQr(deps, g);
  if (!g.qr) throw new AppError('unavailable', `WeChat could not make this gate's QR code (${g.qrProblem ?? 'unknown'}); try again shortly`);
  const wechat = await deps.qr.image(g.qr.ticket).catch(() => undefined);
  if (wechat) return { png: wechat, source: 'wechat' };
  return { png: await QRCode.toBuffer(g.qr.url, { type: 'png', width: 512, margin: 2, errorCorrectionLevel: 'M' }), source: 'local' };
}
