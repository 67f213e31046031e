/**
 * Claims and who is told: a question nothing answers joins the similar pending claim or opens one
 * (each resident counted once, identical texts asked at once meet at one claim); staff answer it
 * with a fact-check; its release tells every asker, and a correction everyone who received an
 * earlier version — once per version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { askClaim, answerClaim, dismissClaim, listClaims, recordAsk } from '../../../handlers/rumors/claims.js';
import { correctFactCheck, createFactCheck } from '../../../handlers/rumors/fact-checks.js';
import { editFactCheck, releaseFactCheck, verifyFactCheck } from '../../../handlers/rumors/audit-actions.js';
import { factCheckRefOf, notifyOutstanding, recordReceipts } from '../../../handlers/rumors/notify.js';
import { loadFactCheck } from '../../../handlers/rumors/deps.js';
import type { AppError } from '../../../handlers/errors.js';
import { recordRumorAnswer } from '../../../handlers/inbound/effects/rumors.js';
import { actor, openAuditDb, type AuditTestDb } from '../audit/helpers.js';
import { rumorDeps, sampleFactCheck } from './helpers.js';

let t: AuditTestDb;
let deps: ReturnType<typeof rumorDeps>;

beforeAll(async () => {
  t = await openAuditDb('rumor_claims');
  deps = rumorDeps(t.models);
});
afterAll(() => t?.close());

const resident = () => new Types.ObjectId().toHexString();
const writer = actor('writer');
const [verifier, editor, releaser] = ['verifier', 'editor', 'releaser'].map((n) => actor(n, ['verify', 'edit', 'release']));

async function release(id: string): Promise<number> {
  await verifyFactCheck(deps, verifier!, id, {});
  await editFactCheck(deps, editor!, id, {});
  return (await releaseFactCheck(deps, releaser!, id, {})).version;
}

describe('asking', () => {
  it('opens a claim, joins it for the same or a similar question, counts each resident once', async () => {
    const [a, b, c] = [resident(), resident(), resident()];
    const first = await askClaim(deps, { residentId: a, text: '听说隔壁小区明天要停水一周', lang: 'zh-CN' });
    expect(first).toMatchObject({ askCount: 1, joined: false });
    expect(await askClaim(deps, { residentId: a, text: '听说隔壁小区明天要停水一周', lang: 'zh-CN' })).toMatchObject({ claimId: first.claimId, askCount: 1 });
    expect(await askClaim(deps, { residentId: b, text: '隔壁小区明天开始停水一周？', lang: 'zh-CN' })).toMatchObject({
      claimId: first.claimId,
      askCount: 2,
      joined: true,
    });
    const other = await askClaim(deps, { residentId: c, text: '小区门口的快递柜要拆了', lang: 'zh-CN' });
    expect(other.claimId).not.toBe(first.claimId);
  });

  it('ten residents sending the same forwarded text at the same moment meet at one claim', async () => {
    const text = '紧急通知：明天全区停气三天，请大家提前做好准备！！';
    const results = await Promise.all(Array.from({ length: 10 }, () => askClaim(deps, { residentId: resident(), text, lang: 'zh-CN' })));
    expect(new Set(results.map((r) => r.claimId)).size).toBe(1);
    expect(await t.models.ClaimAsk.countDocuments({ claimId: results[0]!.claimId })).toBe(10);
  });

  it('pending claims are listed by how many residents asked, with the matcher’s suggestions', async () => {
    const { claims } = await listClaims(deps, { status: 'pending', limit: 50 });
    const counts = claims.map((c) => c.askCount);
    expect(counts).toEqual([...counts].sort((x, y) => y - x));
    expect(claims[0]).toMatchObject({ askCount: 10, text: '紧急通知：明天全区停气三天，请大家提前做好准备！！' });
  });
});

describe('answering', () => {
  it('a fact-check for a claim tells every asker once when released, and the claim is answered', async () => {
    const askers = [resident(), resident(), resident()];
    const { claimId } = await askClaim(deps, { residentId: askers[0]!, text: '喝姜汤能预防诺如病毒', lang: 'zh-CN' });
    for (const r of askers.slice(1)) await askClaim(deps, { residentId: r, text: '喝姜汤能预防诺如病毒', lang: 'zh-CN' });
    const created = await createFactCheck(deps, writer, { verdict: 'false', explanation: '姜汤不能预防诺如病毒；勤洗手、食物煮熟才有用。' }, claimId);
    expect(created.claimId).toBe(claimId);
    expect(
      await createFactCheck(deps, writer, { verdict: 'true', explanation: '另一份核实结果，不应该被接受。' }, claimId).catch((e: AppError) => e.code),
    ).toBe('conflict_state');
    const version = await release(created.id);
    const ref = factCheckRefOf(created.id, version);
    expect(deps.bulk.reached(ref)).toEqual([...askers].sort());
    expect(deps.bulk.sent.find((m) => m.ref === ref)).toMatchObject({ kind: 'fact-check', text: { key: 'rumors:notify_answer' } });
    expect(await t.models.Claim.findById(claimId).lean()).toMatchObject({ status: 'answered', factCheckId: created.id });
    // The sweep finds nothing left to do, and a rerun of the notification reaches nobody new.
    const before = deps.bulk.sent.length;
    expect(await notifyOutstanding(deps)).toBe(0);
    expect(deps.bulk.sent.length).toBe(before);
    // Asked again now, the question is answered by the fact base itself.
    expect((await deps.facts.check('喝姜汤能预防诺如病毒吗', 'zh-CN')).match?.id).toBe(created.id);
  });

  it('a correction reaches everyone who received an earlier version — askers and residents answered in chat — once', async () => {
    const [asker, reader, bystander] = [resident(), resident(), resident()];
    const { claimId } = await askClaim(deps, { residentId: asker, text: '吃维生素C片能治好甲流', lang: 'zh-CN' });
    const { id } = await createFactCheck(deps, writer, { verdict: 'false', explanation: '维生素C不能治疗甲流，发烧请按医嘱用药。' }, claimId);
    const v1 = await release(id);
    await recordReceipts(deps, id, v1, [reader], 'chat'); // answered in chat after the release
    await correctFactCheck(deps, writer, id, { verdict: 'misleading', comment: '补充说明' });
    const v2 = await release(id);
    expect(deps.bulk.reached(factCheckRefOf(id, v1))).toEqual([asker]);
    expect(deps.bulk.reached(factCheckRefOf(id, v2))).toEqual([asker, reader].sort());
    expect(deps.bulk.sent.find((m) => m.ref === factCheckRefOf(id, v2))?.text.key).toBe('rumors:notify_correction');
    expect(deps.bulk.reached(factCheckRefOf(id, v2))).not.toContain(bystander);
    expect((await loadFactCheck(t.models, id)).notifiedVersion).toBe(v2);
  });

  it('a resident answered in chat with the old version just as the correction went out is sent the correction', async () => {
    const { id } = await createFactCheck(deps, writer, sampleFactCheck({ claim: '喝浓茶可以解酒还能防病毒' }));
    const v1 = await release(id);
    await correctFactCheck(deps, writer, id, { verdict: 'misleading', comment: '补充' });
    const v2 = await release(id); // its notification found no readers yet
    const reader = resident();
    const effectDeps = { ...deps, rumors: deps.facts } as unknown as Parameters<typeof recordRumorAnswer>[0];
    const view = { id: reader, language: 'zh-CN' } as Parameters<typeof recordRumorAnswer>[2]['resident'];
    await recordRumorAnswer(
      effectDeps,
      { type: 'recordRumorAnswer', factCheckId: id, version: v1 },
      { resident: view, now: new Date(), timeZone: 'Asia/Shanghai', key: 'k' },
    );
    expect(deps.bulk.reached(factCheckRefOf(id, v2))).toEqual([reader]);
    // Told the current version in chat: nothing more to send.
    const fresh = resident();
    await recordRumorAnswer(
      effectDeps,
      { type: 'recordRumorAnswer', factCheckId: id, version: v2 },
      { resident: { ...view, id: fresh }, now: new Date(), timeZone: 'Asia/Shanghai', key: 'k2' },
    );
    expect(deps.bulk.reached(factCheckRefOf(id, v2))).toEqual([reader]);
  });

  it('a release whose notification failed still stands; the sweep tells the askers later, once', async () => {
    const asker = resident();
    const { claimId } = await askClaim(deps, { residentId: asker, text: '小区发的口罩要收费了', lang: 'zh-CN' });
    const { id } = await createFactCheck(deps, writer, { verdict: 'false', explanation: '社区发放的口罩一律免费，不收任何费用。' }, claimId);
    await verifyFactCheck(deps, verifier!, id, {});
    await editFactCheck(deps, editor!, id, {});
    const send = deps.bulk.send;
    deps.bulk.send = async () => {
      throw new Error('Redis is down');
    };
    const out = await releaseFactCheck(deps, releaser!, id, {}).finally(() => (deps.bulk.send = send));
    expect(out).toMatchObject({ status: 'released', notified: false });
    expect((await loadFactCheck(t.models, id)).notifiedVersion).toBe(0);
    expect(await notifyOutstanding(deps)).toBe(1);
    expect(deps.bulk.reached(factCheckRefOf(id, out.version))).toEqual([asker]);
    expect(await notifyOutstanding(deps)).toBe(0);
  });

  it('a claim answered with an existing released fact-check tells its askers at once; a dismissed one tells nobody', async () => {
    const existing = await createFactCheck(deps, writer, sampleFactCheck({ claim: '用盐水洗鼻子能预防新冠病毒感染' }));
    const v = await release(existing.id);
    const asker = resident();
    const { claimId } = await askClaim(deps, { residentId: asker, text: '每天洗鼻子就不会得新冠了', lang: 'zh-CN' });
    const out = await answerClaim(deps, writer, claimId, { factCheckId: existing.id });
    expect(out).toMatchObject({ claim: { status: 'answered', askCount: 1 }, notified: 1 });
    expect(deps.bulk.reached(factCheckRefOf(existing.id, v))).toEqual([asker]);

    const spam = await askClaim(deps, { residentId: resident(), text: '扫码领鸡蛋，转发十个群', lang: 'zh-CN' });
    const before = deps.bulk.sent.length;
    expect(await dismissClaim(deps, writer, spam.claimId, { comment: '广告' })).toMatchObject({ claim: { status: 'dismissed' } });
    expect(deps.bulk.sent.length).toBe(before);
    expect(await askClaim(deps, { residentId: resident(), text: '扫码领鸡蛋，转发十个群', lang: 'zh-CN' })).toMatchObject({ joined: false, askCount: 1 }); // a fresh claim
  });

  it('a resident whose ask lands just after the release read the askers is told too', async () => {
    const text = '小区超市下周起只收现金';
    const { claimId } = await askClaim(deps, { residentId: resident(), text, lang: 'zh-CN' });
    const seenPending = (await t.models.Claim.findById(claimId).lean())!; // the late asker read it as pending…
    const { id } = await createFactCheck(deps, writer, { verdict: 'false', explanation: '超市没有这样的安排，各种付款方式照常。' }, claimId);
    const v = await release(id); // …then the release answered it and told the askers it found…
    const late = resident();
    expect(await recordAsk(deps, seenPending, late, text, true)).toMatchObject({ claimId, askCount: 2 }); // …then the ask landed.
    expect(deps.bulk.reached(factCheckRefOf(id, v))).toContain(late);
    expect(await t.models.FactCheckReceipt.countDocuments({ factCheckId: id, residentId: late, version: v })).toBe(1);
  });

  it('residents asking while the claim is being answered are all told (an invariant under concurrency)', async () => {
    const text = '小区超市第二分店下周起只收现金';
    const { claimId } = await askClaim(deps, { residentId: resident(), text, lang: 'zh-CN' });
    const { id } = await createFactCheck(deps, writer, { verdict: 'false', explanation: '超市没有这样的安排，各种付款方式照常。' }, claimId);
    await verifyFactCheck(deps, verifier!, id, {});
    await editFactCheck(deps, editor!, id, {});
    const ask = (i: number) => new Promise((r) => setTimeout(r, i * 4)).then(() => askClaim(deps, { residentId: resident(), text, lang: 'zh-CN' }));
    const [released] = await Promise.all([releaseFactCheck(deps, releaser!, id, {}), ...Array.from({ length: 20 }, (_, i) => ask(i))]);
    // Whoever's ask landed on the claim was told; the others opened a new claim (asked after the answer).
    const askers = (await t.models.ClaimAsk.find({ claimId }).lean()).map((a) => a.residentId).sort();
    expect(deps.bulk.reached(factCheckRefOf(id, released.version))).toEqual(askers);
  });
});
