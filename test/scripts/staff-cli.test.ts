import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoUri } from '../support/services.js';
import { bindModels, syncIndexes, type Models } from '../../models/index.js';
import { seedPlaces } from '../support/runtime.js';
import { runScript } from '../support/cli.js';
import { hashToken } from '../../handlers/staff/accounts.js';

let uri: string;
let conn: mongoose.Connection;
let models: Models;

const run = (script: string, args: string[], env: Record<string, string> = {}) => runScript(script, args, uri, env);

beforeAll(async () => {
  uri = mongoUri('staffcli');
  conn = await mongoose.createConnection(uri).asPromise();
  models = bindModels(conn);
  await syncIndexes(models);
  await seedPlaces(models);
});
afterAll(() => conn?.close());

describe('npm run staff', () => {
  it('create prints the token as the last line; the database keeps only its hash', async () => {
    const r = run('staff.ts', ['create', '--name', 'Wang Li', '--role', 'committee', '--community', 'c1', '--duties', 'verify,edit', '--wecom', 'WangLi']);
    expect(r.code, r.err).toBe(0);
    const token = r.out.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^llt_[\w-]{40,}$/);
    const staff = await models.StaffUser.findOne({ name: 'Wang Li' }).lean();
    expect(staff?.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(staff)).not.toContain(token);
    expect(staff?.scope).toMatchObject({ streetCode: 's1', communityCode: 'c1' });
    expect(staff?.duties).toEqual(['verify', 'edit']);
    expect(staff?.wecomUserId).toBe('WangLi');
    expect(run('staff.ts', ['list']).out).toMatch(/Wang Li {2}\(WeCom WangLi\)/);
  });

  it('list shows accounts and revoke marks one revoked (twice is harmless)', async () => {
    const created = run('staff.ts', ['create', '--name', 'To Revoke', '--role', 'property', '--community', 'c2']);
    expect(created.code).toBe(0);
    const staff = await models.StaffUser.findOne({ name: 'To Revoke' }).lean();
    const id = String(staff!._id);
    expect(run('staff.ts', ['list']).out).toContain('To Revoke');
    expect(run('staff.ts', ['revoke', id]).code).toBe(0);
    expect(run('staff.ts', ['revoke', id]).code).toBe(0);
    expect((await models.StaffUser.findById(id).lean())?.revokedAt).toBeInstanceOf(Date);
    expect(run('staff.ts', ['list']).out).toMatch(/To Revoke\s+\(revoked\)/);
  });

  it.each([
    [['create', '--role', 'committee', '--community', 'c1'], 2, /--name is required/],
    [['create', '--name', 'X', '--role', 'mayor', '--community', 'c1'], 1, /role must be one of/],
    [['create', '--name', 'X', '--role', 'committee', '--community', 'nope'], 1, /unknown community "nope"/],
    [['create', '--name', 'X', '--role', 'committee'], 1, /needs a scope/],
    [['create', '--name', 'X', '--role', 'committee', '--community', 'c1', '--duties', 'approve'], 1, /unknown duty "approve"/],
    [['create', '--name', 'X', '--role', 'committee', '--building', 'b1'], 1, /--building needs --community/],
    [['create', '--name', 'X', '--role', 'committee', '--bogus', 'y'], 2, /Unknown option '--bogus'/],
    [['frobnicate'], 2, /unknown command "frobnicate"/],
    [[], 2, /a command is required/],
    [['revoke'], 2, /revoke takes one/],
    [['revoke', '000000000000000000000000'], 1, /no staff account/],
  ])('bad input %j → exit %i with a message (and usage for mistakes)', async (args, code, message) => {
    const before = await models.StaffUser.countDocuments();
    const r = run('staff.ts', args as string[]);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
    if (code === 2) expect(r.err).toContain('usage:');
    expect(await models.StaffUser.countDocuments()).toBe(before); // nothing written
  });

  it('a missing or malformed MONGODB_URI names the variable', () => {
    const r = run('staff.ts', ['list'], { MONGODB_URI: 'postgres://nope' });
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('MONGODB_URI');
  });
});

describe('npm run seed:demo', () => {
  it('is idempotent and prints one working token per role', async () => {
    const first = run('seed-demo.ts', []);
    expect(first.code, first.err).toBe(0);
    const second = run('seed-demo.ts', []);
    expect(second.code).toBe(0);
    expect(await models.Community.countDocuments({ code: 'demo' })).toBe(1);
    expect(await models.Building.countDocuments({ communityCode: 'demo' })).toBe(3);
    // Every demo resident registered in a household of their own, once; every demo account has a WeCom UserID.
    expect(await models.Household.countDocuments({ communityCode: 'demo' })).toBe(30);
    expect(await models.Resident.countDocuments({ 'registration.communityCode': 'demo', householdId: { $exists: true } })).toBe(30);
    const staff = await models.StaffUser.find({ name: /^demo-/ }).lean();
    expect(staff.map((s) => s.wecomUserId)).toEqual(staff.map((s) => s.name));
    const tokens = [...second.out.matchAll(/(llt_[\w-]+)/g)].map((m) => m[1]!);
    expect(tokens.length).toBeGreaterThanOrEqual(7);
    for (const role of ['admin', 'government', 'party', 'committee', 'social_org', 'property', 'volunteer_lead']) expect(second.out).toContain(role);
    // Tokens from the second run are the valid ones (the first run's were replaced).
    for (const token of tokens) expect(await models.StaffUser.exists({ tokenHash: hashToken(token) })).toBeTruthy();
    const firstTokens = [...first.out.matchAll(/(llt_[\w-]+)/g)].map((m) => m[1]!);
    expect(await models.StaffUser.exists({ tokenHash: hashToken(firstTokens[0]!) })).toBeNull();
  });
});
