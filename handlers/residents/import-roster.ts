/**
 * Import a committee's roster into a community: new households are appended with `insertMany`
 * (deterministic `_id`s from building, unit and room), changed ones are updated one document at a
 * time by `_id` — never a bulk update, which wedges FerretDB 1.x at 100 statements — and households
 * that already say what the roster says are not written at all, so a second import of the same
 * file changes nothing. Residents already linked to a household stay linked (their member keeps
 * its `residentId`), and the household's flags reach them through `syncHouseholds`.
 */
import type { Types } from 'mongoose';
import { membersOf, type Household, type HouseholdMember } from '../../models/household.js';
import type { Models } from '../../models/index.js';
import { invalid } from '../errors.js';
import { syncHouseholds, type SyncCount } from './household-sync.js';
import { readRoster, type ReadRoster, type RosterHousehold, type RosterMember, type RosterRow } from './roster.js';

export interface ImportInput {
  communityCode: string;
  /** The file's name, kept on each household with its first line (`importedFrom`). */
  source: string;
  rows: RosterRow[];
  /** Read and compare, write nothing. */
  dryRun?: boolean;
}

export interface ImportSummary extends Omit<ReadRoster, 'households'> {
  communityCode: string;
  dryRun: boolean;
  households: { created: number; updated: number; unchanged: number };
  /** Households whose flags and linked residents whose `isVulnerable` changed as a result. */
  synced: SyncCount;
}

const INSERT_CHUNK = 1000;
const UPDATE_CONCURRENCY = 8;

/** The roster's members, with the residents already linked kept: on the member with their last four digits, or after the roster's. */
export function mergeMembers(roster: RosterMember[], existing: HouseholdMember[]): HouseholdMember[] {
  const out: HouseholdMember[] = roster.map((m) => ({ ...m }));
  for (const e of existing.filter((m) => m.residentId)) {
    const i = out.findIndex((m) => !m.residentId && m.mobileLast4 && m.mobileLast4 === e.mobileLast4);
    if (i >= 0) out[i] = { ...out[i], residentId: e.residentId };
    else out.push({ ...(e.name ? { name: e.name } : {}), ...(e.mobileLast4 ? { mobileLast4: e.mobileLast4 } : {}), residentId: e.residentId });
  }
  return out;
}

type RosterFields = Pick<Household, 'communityCode' | 'buildingCode' | 'unit' | 'room' | 'size' | 'rosterVulnerable' | 'members' | 'source' | 'importedFrom'>;

function fieldsFor(communityCode: string, source: string, h: RosterHousehold, existing: HouseholdMember[]): RosterFields {
  return {
    communityCode,
    buildingCode: h.buildingCode,
    unit: h.unit,
    room: h.room,
    size: h.size,
    rosterVulnerable: h.flags,
    members: mergeMembers(h.members, existing),
    source: 'roster',
    importedFrom: `${source} line ${h.lines[0]}`,
  };
}

/** The roster's fields of a stored household, in one comparable form. */
const comparable = (h: Partial<RosterFields>) =>
  JSON.stringify([
    h.communityCode,
    h.buildingCode,
    h.unit ?? '',
    h.room,
    h.size ?? null,
    h.rosterVulnerable ?? null,
    (h.members ?? []).map((m) => [m.name ?? null, m.mobileLast4 ?? null, m.residentId ? String(m.residentId) : null]),
    h.source,
    h.importedFrom ?? null,
  ]);

/** Flags of a household without linked residents are the roster's (with residents, `syncHouseholds` checks them). */
const flagsSettled = (old: Household, h: RosterHousehold) => membersOf(old).some((m) => m.residentId) || (old.vulnerable ?? []).join() === h.flags.join();

/** Run `fn` over `items`, at most `n` at a time. */
async function inParallel<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export async function importRoster(models: Models, input: ImportInput): Promise<ImportSummary> {
  const community = await models.Community.findOne({ code: input.communityCode }).lean();
  if (!community) throw invalid(`unknown community "${input.communityCode}"`);
  const buildings = await models.Building.find({ communityCode: input.communityCode }).sort({ code: 1 }).lean();
  const { households, ...read } = readRoster(input.rows, { code: input.communityCode, buildings });
  const summary: ImportSummary = {
    ...read,
    communityCode: input.communityCode,
    dryRun: !!input.dryRun,
    households: { created: 0, updated: 0, unchanged: 0 },
    synced: { households: 0, residents: 0 },
  };
  // One read of the community's households (only `_id` lookups use an index on FerretDB; this is one scan, not one per row).
  const stored = new Map((await models.Household.find({ communityCode: input.communityCode }).lean<Household[]>()).map((h) => [String(h._id), h]));
  const inserts: Array<RosterFields & { _id: Types.ObjectId; vulnerable: string[]; isVulnerable: boolean }> = [];
  const updates: Array<{ roster: RosterHousehold }> = [];
  for (const h of households) {
    const old = stored.get(String(h._id));
    if (!old) inserts.push({ _id: h._id, ...fieldsFor(input.communityCode, input.source, h, []), vulnerable: h.flags, isVulnerable: h.flags.length > 0 });
    else if (comparable(old) === comparable(fieldsFor(input.communityCode, input.source, h, membersOf(old))) && flagsSettled(old, h))
      summary.households.unchanged++;
    else updates.push({ roster: h });
  }
  if (input.dryRun) {
    summary.households.created = inserts.length;
    summary.households.updated = updates.length;
    return summary;
  }
  for (let i = 0; i < inserts.length; i += INSERT_CHUNK) {
    const chunk = inserts.slice(i, i + INSERT_CHUNK);
    try {
      await models.Household.insertMany(chunk, { ordered: false });
      summary.households.created += chunk.length;
    } catch (err) {
      // A resident registered one of these rooms meanwhile: update that household instead.
      const e = err as {
        code?: number;
        writeErrors?: Array<{ code?: number; err?: { code?: number; index?: number }; index?: number }>;
        insertedDocs?: unknown[];
      };
      const dup = (e.writeErrors ?? []).filter((w) => (w.code ?? w.err?.code) === 11000);
      if (!dup.length && e.code !== 11000) throw err;
      const lost = new Set(dup.map((w) => String(chunk[w.index ?? w.err?.index ?? -1]?._id)));
      summary.households.created += chunk.length - lost.size;
      for (const h of households) if (lost.has(String(h._id))) updates.push({ roster: h });
    }
  }
  await inParallel(updates, UPDATE_CONCURRENCY, async ({ roster }) => {
    // Read again just before writing (by `_id`: a filter on anything else, even `updatedAt`, scans every
    // household on FerretDB), so a resident who linked since the import started stays linked.
    const current = await models.Household.findById(roster._id).lean<Household>();
    const fields = fieldsFor(input.communityCode, input.source, roster, membersOf(current));
    await models.Household.updateOne({ _id: roster._id }, { $set: fields });
    summary.households.updated++;
  });
  const linked = households.filter((h) => membersOf(stored.get(String(h._id))).some((m) => m.residentId)).map((h) => h._id);
  summary.synced = await syncHouseholds(models, [...updates.map((u) => u.roster._id), ...linked]);
  return summary;
}
