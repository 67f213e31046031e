/**
 * Fair allocation through the real webhook and staff API: a round is created and released (the
 * offer goes out through the bulk messages), 500 households book at the same moment against 100
 * kits with real concurrent webhook calls (exactly 100 bookings, no household twice — 20 of them
 * have two members booking), a pick-up code is redeemed once, a cancelled booking gives its stock
 * back, no-shows are released when their slot ends, the Redis ledger is rebuilt from MongoDB
 * after it is lost, vulnerable households book first, and the public summary names nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { redisAllocationLedger } from '../../../bot/allocations/ledger.js';
import { queueBulkMessages } from '../../../bot/outbound/bulk-messages.js';
import { allocationTick } from '../../../handlers/allocations/tick.js';
import type { AllocationBooking } from '../../../models/allocation.js';
import { residentIdFor } from '../../../models/resident.js';
import { crisisWorld, registerInChat, type CrisisWorld } from '../../support/crisis-world.js';
import { answerText } from '../../support/resident-player.js';
import { waitFor } from '../../support/wait-for.js';

let w: CrisisWorld;
let committee: string;
let property: string;

const HOUSEHOLDS = 500;
const SECOND_MEMBERS = 20;
const STOCK = 100;

beforeAll(async () => {
  w = await crisisWorld('allocations');
  w.at('2026-12-02', '09:00');
  committee = await w.staff('committee', { community: 'c1' });
  property = await w.staff('property', { community: 'c1' });
});
afterAll(async () => {
  await w?.close();
});

const slot = (from: string, to: string, capacity: number) => ({ start: `2026-12-02T${from}:00+08:00`, end: `2026-12-02T${to}:00+08:00`, capacity });
const bookings = (round: string, status?: AllocationBooking['status']) =>
  w.t.rt.models.AllocationBooking.find({ roundId: new Types.ObjectId(round), ...(status ? { status } : {}) }).lean<AllocationBooking[]>();
const ledger = () => redisAllocationLedger(w.t.rt.redis);
const tickDeps = () => ({ models: w.t.rt.models, clock: w.clock, allocations: ledger(), bulk: queueBulkMessages(w.t.rt.redis, w.t.rt.queues.bulkMessages) });

/** Run `fn` over `items`, `n` at a time. */
async function inBatches<T, R>(items: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(fn))));
  return out;
}

let rush: string;

describe('rounds', () => {
  it('staff create a round (bad input refused), release it once, and the offer goes to the community’s residents', async () => {
    const bad = async (body: object) =>
      (await w.api('POST', '/api/allocations', committee, { community: 'c1', item: 'masks', stock: 10, slots: [slot('10:00', '11:00', 5)], ...body })).body;
    expect(await bad({ stock: 0 })).toMatchObject({ error: 'invalid_input', details: { field: 'stock' } });
    expect(await bad({ slots: [slot('11:00', '10:00', 5)] })).toMatchObject({ error: 'invalid_input', details: { field: 'slots' } });
    expect(await bad({ slots: [slot('08:00', '08:30', 5)] })).toMatchObject({ details: { field: 'slots' } }); // over already
    expect(await bad({ slots: [{ start: '2026-12-02 10:00', end: '2026-12-02 11:00', capacity: 5 }] })).toMatchObject({
      details: { field: 'slots', reason: expect.stringContaining('item 1: start') },
    });
    expect(await bad({ eligibility: { buildings: ['b9'] } })).toMatchObject({ details: { field: 'eligibility.buildings' } });
    expect((await w.api('POST', '/api/allocations', property, { community: 'c1' })).body.error).toBe('forbidden_role');
    const listener = await registerInChat(w.player('oListener'));
    const created = await w.api('POST', '/api/allocations', committee, {
      community: 'c1',
      item: '抗原试剂',
      stock: STOCK,
      slots: [slot('14:00', '15:00', 60), slot('15:00', '16:00', 60)],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      status: 'draft',
      slots: [
        { id: 's1', capacity: 60 },
        { id: 's2', capacity: 60 },
      ],
    });
    rush = created.body.id;
    expect(await listener.say('预约')).toContain('目前没有可以预约的物资'); // a draft is not offered
    const released = await w.api('POST', `/api/allocations/${rush}/release`, committee);
    expect(released.body).toMatchObject({ status: 'open', offered: 1 });
    expect((await w.api('POST', `/api/allocations/${rush}/release`, committee)).body.error).toBe('conflict_state');
    await waitFor('the offer', async () => w.sentTo('oListener').some((t) => t.includes('【抗原试剂预约】')));
  });
});

describe('a rush: 500 households at the same moment against 100 kits', () => {
  const openids = Array.from({ length: HOUSEHOLDS + SECOND_MEMBERS }, (_, i) => `oRush${String(i).padStart(4, '0')}`);
  /** Household of resident i: the first 20 households have a second member (residents 500–519). */
  const household = (i: number) => new Types.ObjectId(String(i < HOUSEHOLDS ? i : i - HOUSEHOLDS).padStart(24, 'a'));

  beforeAll(async () => {
    await w.t.rt.models.Resident.insertMany(
      openids.map((openid, i) => ({
        _id: residentIdFor('wechat', openid),
        channel: 'wechat',
        openid,
        subscribed: true,
        lastInboundAt: w.clock.now(),
        registration: { streetCode: 's1', communityCode: 'c1', buildingCode: 'b1', room: String(1000 + (i % HOUSEHOLDS)), householdSize: 2 },
        householdId: household(i),
      })),
    );
    // Everyone opens the form first (not the race); each sees the figures and the slots.
    const opened = await inBatches(openids, 40, async (o) => answerText(await w.player(o).push({ type: 'text', content: '预约' })));
    expect(opened.filter((t) => t.includes('共 100 份，已预约 0 份，剩余 100 份') && t.includes('请选择领取时段')).length).toBe(opened.filter(Boolean).length);
  }, 180_000);

  it('exactly 100 bookings succeed, nobody has two, no slot is overfilled, every pick-up code is different', { timeout: 180_000 }, async () => {
    // The two members of a household side by side, so their messages arrive together.
    const order = openids.map((_, i) => i).sort((a, b) => (a % HOUSEHOLDS) - (b % HOUSEHOLDS) || a - b);
    const answers = await Promise.all(order.map(async (i) => answerText(await w.player(openids[i]!).push({ type: 'text', content: i % 2 ? '2' : '1' }))));
    const booked = await bookings(rush, 'booked');
    expect(booked).toHaveLength(STOCK);
    expect(new Set(booked.map((b) => b.householdKey)).size).toBe(STOCK);
    expect(new Set(booked.map((b) => b.pickupCode)).size).toBe(STOCK);
    for (const s of ['s1', 's2']) expect(booked.filter((b) => b.slotId === s).length).toBeLessThanOrEqual(60);
    expect(await ledger().remaining(rush)).toMatchObject({ stock: 0 });
    expect(await w.t.rt.models.PickupCode.countDocuments()).toBe(STOCK);
    // Answered in time: a success names its code; the rest were told why not (late answers went out through the API).
    const passive = answers.filter(Boolean);
    expect(passive.filter((t) => t.includes('预约成功')).length).toBeLessThanOrEqual(STOCK);
    for (const t of passive) expect(t).toMatch(/预约成功|全部约满|刚刚约满|已经预约过|家人在预约/);
    const summary = await w.api('GET', `/api/allocations/${rush}/summary`, await w.staff('party', { community: 'c1' }));
    expect(summary.body).toMatchObject({ item: '抗原试剂', stock: 100, booked: 100, redeemed: 0, left: 0, households: { booked: 100 } });
    expect(JSON.stringify(summary.body)).not.toMatch(/oRush|room|resident|household"/);
  });

  it('a pick-up code is redeemed once; the second time, typed loosely or at the same moment, is refused', async () => {
    const [a, b] = await bookings(rush, 'booked');
    const first = await w.api('POST', `/api/allocations/${rush}/redeem`, property, { code: a!.pickupCode });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ item: '抗原试剂', quantity: 1, household: { building: 'b1', room: a!.room } });
    const again = await w.api('POST', `/api/allocations/${rush}/redeem`, committee, {
      code: ` ${a!.pickupCode.toLowerCase().slice(0, 3)} ${a!.pickupCode.slice(3)} `,
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'conflict_state', details: { status: 'redeemed' } });
    const both = await Promise.all([1, 2].map(() => w.api('POST', `/api/allocations/${rush}/redeem`, property, { code: b!.pickupCode })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await w.api('POST', `/api/allocations/${rush}/redeem`, property, { code: 'ZZZZZZ' })).status).toBe(404);
    expect((await w.api('POST', `/api/allocations/${rush}/redeem`, property, {})).body).toMatchObject({ error: 'invalid_input', details: { field: 'code' } });
    expect((await w.api('GET', `/api/allocations/${rush}/summary`, property)).body).toMatchObject({ booked: 100, redeemed: 2, left: 0 });
  });

  it('a cancelled booking gives its kit back: someone else books it, and the old code is refused at the desk', async () => {
    const [mine] = (await bookings(rush, 'booked')).filter((b) => !['redeemed'].includes(b.status)).slice(-1);
    const openid = openids.find((o) => String(residentIdFor('wechat', o)) === String(mine!.residentId))!;
    const p = w.player(openid);
    expect(await p.say('预约')).toContain(`取货码：${mine!.pickupCode}`);
    expect(await p.say('2')).toContain('已取消抗原试剂的预约');
    expect((await w.api('GET', `/api/allocations/${rush}/summary`, committee)).body).toMatchObject({ booked: 99, left: 1, households: { cancelled: 1 } });
    expect((await w.api('POST', `/api/allocations/${rush}/redeem`, property, { code: mine!.pickupCode })).body).toMatchObject({
      details: { status: 'cancelled' },
    });
    const bookedKeys = new Set((await bookings(rush)).map((b) => b.householdKey));
    const unlucky = openids.slice(0, HOUSEHOLDS).find((_, i) => !bookedKeys.has(String(household(i))))!;
    const q = w.player(unlucky);
    await q.say('预约');
    expect(await q.say('2')).toMatch(/预约成功[\s\S]*取货码：[A-Z0-9]{6}/);
    expect(await ledger().remaining(rush)).toMatchObject({ stock: 0 });
  });

  it('no-shows are released when their slot ends, and the ledger is rebuilt from MongoDB after Redis lost it', async () => {
    w.at('2026-12-02', '15:01');
    const inFirst = (await bookings(rush, 'booked')).filter((b) => b.slotId === 's1').length;
    const [run] = await allocationTick(tickDeps());
    expect(run).toMatchObject({ round: rush, released: inFirst, closed: false });
    expect((await allocationTick(tickDeps())).length).toBe(0); // once
    const summary = (await w.api('GET', `/api/allocations/${rush}/summary`, committee)).body;
    expect(summary).toMatchObject({ left: inFirst, households: { noShows: inFirst } });
    expect(await ledger().remaining(rush)).toMatchObject({ stock: inFirst });
    // Redis loses the round's ledger: the next booking rebuilds it from the bookings first.
    await w.t.rt.redis.del(...['ready', 'stock', 'slots', 'households'].map((k) => `linli:alloc:{${rush}}:${k}`));
    const late = w.player('oLateComer');
    await registerInChat(late, { room: '9-909' });
    expect(await late.say('预约')).toContain(`剩余 ${inFirst} 份`);
    expect(await late.say('1')).toContain('预约成功'); // only the 15:00 slot is left to choose
    expect(await ledger().remaining(rush)).toMatchObject({ stock: inFirst - 1 });
    const holding = (await bookings(rush)).filter((b) => b.status === 'booked' || b.status === 'redeemed');
    expect(holding.reduce((n, b) => n + b.quantity, 0)).toBe(STOCK - inFirst + 1);
    w.at('2026-12-02', '16:01');
    expect((await allocationTick(tickDeps()))[0]).toMatchObject({ closed: true });
    expect((await w.api('GET', `/api/allocations/${rush}`, committee)).body.status).toBe('closed');
  });
});

describe('who may book', () => {
  it('vulnerable households first: others are told when it opens to them, and get the offer then', async () => {
    w.at('2026-12-03', '09:00');
    const elder = await registerInChat(w.player('oElder'), { room: '1-101', vulnerable: true });
    const young = await registerInChat(w.player('oYoung'), { room: '1-102', language: 'en' });
    const res = await w.api('POST', '/api/allocations', committee, {
      community: 'c1',
      item: 'N95口罩',
      stock: 10,
      perHousehold: 2,
      slots: [{ start: '2026-12-03T14:00:00+08:00', end: '2026-12-03T17:00:00+08:00', capacity: 10 }],
      eligibility: { vulnerableFirstHours: 2 },
      release: true,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await waitFor('the first wave', async () => w.sentTo('oElder').some((t) => t.includes('N95口罩')));
    expect(w.sentTo('oYoung').some((t) => t.includes('N95'))).toBe(false);
    expect(await young.say('book')).toContain('open to households needing special care first; everyone may book from 3 Dec, 11:00');
    await elder.say('预约');
    expect(await elder.say('1')).toContain('每户最多可约 2 份');
    expect(await elder.say('3')).toContain('请回复一个 1 到 2 之间的数字');
    expect(await elder.say('两份')).toMatch(/预约成功[\s\S]*N95口罩 2 份/);
    w.at('2026-12-03', '11:01');
    expect((await allocationTick(tickDeps()))[0]).toMatchObject({ offeredOthers: expect.any(Number) });
    await waitFor('the second wave', async () => w.sentTo('oYoung').some((t) => t.includes('N95')));
    expect(await young.say('book')).toContain('N95口罩: 10 in all, 2 booked, 8 left; 2 per household.');
    await young.say('1');
    expect(await young.say('1')).toMatch(/✅ Booked![\s\S]*Pick-up code: [A-Z0-9]{6}/);
  });

  it('a round for some buildings is not offered to the others', async () => {
    const res = await w.api('POST', '/api/allocations', committee, {
      community: 'c1',
      item: '药品包',
      stock: 5,
      slots: [{ start: '2026-12-03T14:00:00+08:00', end: '2026-12-03T15:00:00+08:00', capacity: 5 }],
      eligibility: { buildings: ['b2'] },
      release: true,
    });
    expect(res.body.offered).toBe(0);
    const p = await registerInChat(w.player('oB1'), { room: '2-202' });
    expect(await p.say('预约')).not.toContain('药品包');
    const q = await registerInChat(w.player('oB2'), { building: 'b2', room: '2-202' });
    expect(await q.say('预约')).toContain('药品包（剩余 5 份）');
  });
});
