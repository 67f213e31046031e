import crypto from 'node:crypto';
import type { Models } from '../../models/index.js';
import type { Duty, Role } from '../../models/staff-user.js';
import { hashToken } from '../staff/accounts.js';
import { seedDemoResidents } from './seed-demo-residents.js';
import { residentIdFor } from '../../models/resident.js';
import { volunteerIdFor } from '../../models/volunteer.js';
import { SKILLS } from '../../flows/volunteers/skills.js';
import { importFactChecks, type ImportReport } from '../rumors/import.js';

/** The demo community: one street, community `demo` with three buildings. */
export const DEMO = {
  street: { code: 'demo-street', name: '示范街道 Demo Street' },
  community: { code: 'demo', name: '示范社区 Demo Community' },
  buildings: [
    { code: '1', name: '1号楼 Building 1' },
    { code: '2', name: '2号楼 Building 2' },
    { code: '3', name: '3号楼 Building 3' },
  ],
} as const;

/**
 * One account per role; the committee has two people so a notice can pass author → verify →
 * edit → release with four different people (separation of duties). Each also has a WeCom
 * UserID, its name (e.g. `demo-committee`), as staff who use the WeCom app do.
 */
export const DEMO_STAFF: Array<{ name: string; role: Role; duties: Duty[] }> = [
  { name: 'demo-admin', role: 'admin', duties: [] },
  { name: 'demo-committee', role: 'committee', duties: [] },
  { name: 'demo-government', role: 'government', duties: ['verify'] },
  { name: 'demo-editor', role: 'committee', duties: ['edit'] },
  { name: 'demo-party', role: 'party', duties: ['release'] },
  { name: 'demo-social-org', role: 'social_org', duties: [] },
  { name: 'demo-property', role: 'property', duties: [] },
  { name: 'demo-volunteer-lead', role: 'volunteer_lead', duties: [] },
];

/**
 * Seed the demo data. Idempotent: places, residents and households are upserted by their unique keys.
 * Tokens are stored hashed and cannot be shown again, so each run issues fresh tokens for the
 * demo accounts (the old ones stop working) and returns them for printing.
 */
export async function seedDemo(models: Models, opts: { residents?: number } = {}): Promise<Array<{ name: string; role: Role; duties: Duty[]; token: string }>> {
  const { street, community, buildings } = DEMO;
  await models.Street.updateOne({ code: street.code }, { $set: { name: street.name } }, { upsert: true });
  await models.Community.updateOne({ code: community.code }, { $set: { name: community.name, streetCode: street.code } }, { upsert: true });
  for (const b of buildings) {
    await models.Building.updateOne({ communityCode: community.code, code: b.code }, { $set: { name: b.name, streetCode: street.code } }, { upsert: true });
  }
  await seedDemoResidents(
    models,
    { streetCode: street.code, communityCode: community.code, buildingCodes: buildings.map((b) => b.code) },
    opts.residents ?? 30,
  );
  // Every seventh demo resident is an approved volunteer (seedDemoResidents sets their status).
  for (let i = 7; i <= (opts.residents ?? 30); i += 7) {
    await seedDemoVolunteer(models, residentIdFor('wechat', `demo-resident-${String(i).padStart(3, '0')}`), i, buildings[i % buildings.length]!.code);
  }
  const issued = [];
  for (const s of DEMO_STAFF) {
    const token = `llt_${crypto.randomBytes(32).toString('base64url')}`;
    const scope = s.role === 'admin' ? {} : { streetCode: street.code, communityCode: community.code };
    await models.StaffUser.updateOne(
      { name: s.name },
      {
        $set: { role: s.role, duties: s.duties, scope, tokenHash: hashToken(token), tokenHint: token.slice(0, 10), wecomUserId: s.name },
        $unset: { revokedAt: 1 },
      },
      { upsert: true },
    );
    issued.push({ ...s, token });
  }
  return issued;
}

/** Every seventh demo resident is an approved volunteer (a driver or a deliverer, say), ready for task prompts. */
async function seedDemoVolunteer(models: Models, residentId: ReturnType<typeof residentIdFor>, i: number, building: string): Promise<void> {
  const now = new Date();
  await models.Volunteer.updateOne(
    { _id: volunteerIdFor(residentId) },
    {
      $setOnInsert: {
        residentId,
        name: `演示志愿者 Demo volunteer ${i}`,
        mobile: `+86138000000${String(i).padStart(2, '0')}`,
        skills: [SKILLS[i % SKILLS.length]],
        availability: ['anytime'],
        area: 'community',
        streetCode: DEMO.street.code,
        communityCode: DEMO.community.code,
        buildingCode: building,
        status: 'approved',
        round: 1,
        appliedAt: now,
        consentAt: now,
        decidedAt: now,
        sourceKey: `demo-${i}`,
      },
    },
    { upsert: true },
  );
}

/**
 * The demo's fact base: the starter fact-checks (`scripts/data/fact-checks.json`, read by the
 * caller) stored as the trusted import stores them — released, one audit entry each naming the
 * seed. Idempotent: a second seed finds them unchanged.
 */
export function seedDemoFactChecks(models: Models, entries: unknown[]): Promise<ImportReport> {
  return importFactChecks({ models, clock: { now: () => new Date() } }, entries, { operator: 'seed:demo', source: 'scripts/data/fact-checks.json' });
}
