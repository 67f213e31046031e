import crypto from 'node:crypto';
import type { Models } from '../../models/index.js';
import type { Duty, Role } from '../../models/staff-user.js';
import { hashToken } from '../staff/accounts.js';
import { residentIdFor } from '../../models/resident.js';
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
 * edit → release with four different people (separation of duties).
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
 * Seed the demo data. Idempotent: places and residents are upserted by their unique keys.
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
  const residentCount = opts.residents ?? 30;
  for (let i = 1; i <= residentCount; i++) {
    const building = buildings[i % buildings.length]!.code;
    const vulnerable = i % 5 === 0;
    const openid = `demo-resident-${String(i).padStart(3, '0')}`;
    await models.Resident.updateOne(
      // Matched by (channel, openid) so residents seeded before ids were derived still match.
      { channel: 'wechat', openid },
      {
        $setOnInsert: {
          _id: residentIdFor('wechat', openid),
          language: i % 4 === 0 ? 'en' : 'zh-CN',
          subscribed: true,
          subscribedAt: new Date(),
          registration: {
            streetCode: street.code,
            communityCode: community.code,
            buildingCode: building,
            unit: '1',
            room: `${100 + i}`,
            householdSize: 1 + (i % 4),
            registeredAt: new Date(),
          },
          vulnerable: { elderlyAlone: vulnerable, chronicIllness: false, pregnancy: false, disability: false, infant: false },
          isVulnerable: vulnerable,
          volunteerStatus: i % 7 === 0 ? 'approved' : 'none',
          tags: i % 10 === 0 ? ['dialysis'] : [],
        },
      },
      { upsert: true },
    );
  }
  const issued = [];
  for (const s of DEMO_STAFF) {
    const token = `llt_${crypto.randomBytes(32).toString('base64url')}`;
    const scope = s.role === 'admin' ? {} : { streetCode: street.code, communityCode: community.code };
    await models.StaffUser.updateOne(
      { name: s.name },
      { $set: { role: s.role, duties: s.duties, scope, tokenHash: hashToken(token), tokenHint: token.slice(0, 10) }, $unset: { revokedAt: 1 } },
      { upsert: true },
    );
    issued.push({ ...s, token });
  }
  return issued;
}

/**
 * The demo's fact base: the starter fact-checks (`scripts/data/fact-checks.json`, read by the
 * caller) stored as the trusted import stores them — released, one audit entry each naming the
 * seed. Idempotent: a second seed finds them unchanged.
 */
export function seedDemoFactChecks(models: Models, entries: unknown[]): Promise<ImportReport> {
  return importFactChecks({ models, clock: { now: () => new Date() } }, entries, { operator: 'seed:demo', source: 'scripts/data/fact-checks.json' });
}
