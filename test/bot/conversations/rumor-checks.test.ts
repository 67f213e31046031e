/**
 * Rumour checks through the real webhook (plain mode, real Redis and FerretDB, the bulk-message
 * worker sending through the mock WeChat API): a resident's claim answered, a forwarded article
 * checked, a claim opened and later answered by a fact-check three other people released — the
 * askers told once — and a correction reaching everyone who received the first version, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { createApp } from '../../../bot/app.js';
import { appMounts } from '../../../bot/mounts.js';
import { bulkMessagesWorker } from '../../../bot/workers/bulk-messages.js';
import { queueBulkMessages } from '../../../bot/outbound/bulk-messages.js';
import { lazyFactBase } from '../../../bot/rumors/live-base.js';
import { notifyOutstanding } from '../../../handlers/rumors/notify.js';
import { seedDemoFactChecks } from '../../../handlers/places/seed-demo.js';
import { loadStarterFacts } from '../../../scripts/data/fact-checks.js';
import { residentIdFor } from '../../../models/resident.js';
import { startMockWechatApi, type MockWechatApi } from '../../../scripts/mock-wechat-api.js';
import { createTestRuntime, seedPlaces, serveApp, staffAccount, type TestRuntime } from '../../support/runtime.js';
import { wechatClient, type WechatTestClient } from '../../support/wechat-client.js';
import { answerText, residentPlayer } from '../../support/resident-player.js';
import { waitFor } from '../../support/wait-for.js';
import { apiClient } from '../../support/staff-api.js';

let t: TestRuntime;
let mock: MockWechatApi;
let http: { url: string; close(): Promise<void> };
let wx: WechatTestClient;
let worker: Worker;
const staff = {} as Record<'writer' | 'writer2' | 'verifier' | 'editor' | 'releaser', string>;

beforeAll(async () => {
  mock = await startMockWechatApi({ port: 0 });
  t = await createTestRuntime({ dbPrefix: 'rumor_chat', env: { WECHAT_API_BASE: mock.url } });
  await seedPlaces(t.rt.models);
  await seedDemoFactChecks(t.rt.models, loadStarterFacts());
  for (const [key, role, duties] of [
    ['writer', 'committee', []],
    ['writer2', 'committee', []],
    ['verifier', 'government', ['verify']],
    ['editor', 'committee', ['edit']],
    ['releaser', 'party', ['release']],
  ] as const) {
    staff[key] = (await staffAccount(t.rt.models, { role, community: 'c1', duties: [...duties] })).token;
  }
  http = await serveApp(createApp(t.rt, appMounts));
  wx = wechatClient(http.url, t.config);
  worker = bulkMessagesWorker(t.rt);
});

afterAll(async () => {
  await worker?.close();
  await http?.close();
  await t?.close();
  await mock?.close();
});

const player = (openid: string) => residentPlayer(wx, openid);

async function api(method: string, path: string, token: string, body?: unknown): Promise<any> {
  const res = await apiClient(http.url)(method, `/api${path}`, token, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function auditAndRelease(id: string): Promise<void> {
  await api('POST', `/rumors/fact-checks/${id}/verify`, staff.verifier, {});
  await api('POST', `/rumors/fact-checks/${id}/edit`, staff.editor, {});
  const released = await api('POST', `/rumors/fact-checks/${id}/release`, staff.releaser, {});
  expect(released).toMatchObject({ status: 'released', notified: true });
}

/** Customer-service texts the mock WeChat API accepted for a resident, containing `marker`. */
const textsTo = (openid: string, marker: string) =>
  mock
    .calls()
    .filter((c) => c.endpoint === 'custom_send' && c.errcode === 0)
    .map((c) => c.body as { touser?: string; text?: { content?: string } })
    .filter((b) => b.touser === openid && b.text?.content?.includes(marker));

const drained = () => waitFor('the bulk-message queue to drain', async () => (await t.rt.queues.bulkMessages.count()) === 0);

describe('a resident checks a rumour', () => {
  it('an unregistered resident gets the verdict, explanation and source; a receipt is kept', async () => {
    const r = player('oCheck1');
    expect(await r.say('4')).toContain('请把您想核实的消息发给我');
    const reply = await r.say('喝板蓝根能防新冠吗？');
    expect(reply).toContain('【谣言】喝板蓝根冲剂可以预防新冠病毒感染');
    expect(reply).toContain('来源：国家卫生健康委员会');
    const residentId = String(residentIdFor('wechat', 'oCheck1'));
    expect(await t.rt.models.FactCheckReceipt.countDocuments({ residentId, via: 'chat' })).toBe(1);
    expect((await t.rt.models.Resident.findById(residentId).lean())?.registration?.communityCode).toBeUndefined();
  });

  it('a forwarded article is checked by its title; a long pasted message that matches nothing is offered a check first', async () => {
    const r = player('oForward');
    const forwarded = answerText(
      await r.push({
        type: 'raw',
        msgType: 'link',
        fields: { Title: '紧急扩散：84消毒液和洁厕灵混在一起用，消毒效果翻倍！', Description: '', Url: 'http://example.org/a' },
      }),
    );
    expect(forwarded).toContain('84消毒液和洁厕灵混在一起用消毒效果更好');
    expect(await r.say('我家楼下的快递柜坏了好几天了一直没人修')).toContain('您是想核实它是不是谣言吗');
    expect(await r.say('否')).toContain('请回复数字选择服务');
    expect(await t.rt.models.Claim.countDocuments({ text: '我家楼下的快递柜坏了好几天了一直没人修' })).toBe(0);
  });
});

describe('a claim nobody has checked yet', () => {
  const CLAIM = '听说小区下周开始只能用现金买菜';
  let factCheckId: string;

  it('is opened and joined; the fact-check staff write for it, released by three other people, reaches each asker once', async () => {
    expect(await player('oAsk1').say(`辟谣 ${CLAIM}`)).toContain('目前共有 1 位居民问过');
    await player('oAsk2').say('English');
    expect(await player('oAsk2').say(`rumour: ${CLAIM}`)).toContain('Residents who asked about it so far: 2');

    const { claims } = await api('GET', '/rumors/claims', staff.writer);
    const claim = claims.find((c: { text: string }) => c.text === CLAIM);
    expect(claim).toMatchObject({ askCount: 2, status: 'pending' });
    const created = await api('POST', `/rumors/claims/${claim.id}/fact-check`, staff.writer, {
      verdict: 'false',
      explanation: '社区超市和菜市场都照常支持手机支付，没有只收现金的安排。',
      source: '社区居委会',
    });
    factCheckId = created.id;
    await auditAndRelease(factCheckId);

    await waitFor('both askers told', async () => textsTo('oAsk1', '有核实结果了').length === 1 && textsTo('oAsk2', 'has been checked').length === 1);
    expect(textsTo('oAsk2', 'has been checked')[0]!.text!.content).toContain(`[False] ${CLAIM}`); // in the asker's language
    // The sweep and a rerun of the notification change nothing: once each.
    await notifyOutstanding({
      models: t.rt.models,
      clock: t.rt.clock,
      facts: lazyFactBase(t.rt),
      bulk: queueBulkMessages(t.rt.redis, t.rt.queues.bulkMessages),
    });
    await drained();
    expect([textsTo('oAsk1', '有核实结果了').length, textsTo('oAsk2', 'has been checked').length]).toEqual([1, 1]);
    // Asked now, it is answered in chat.
    expect(await player('oReader').say(`辟谣 ${CLAIM}`)).toContain('【谣言】听说小区下周开始只能用现金买菜');
  });

  it('a correction, released through the audit again, reaches everyone who received the first version once', async () => {
    await api('POST', `/rumors/fact-checks/${factCheckId}/correct`, staff.writer2, { verdict: 'misleading', comment: '个别摊位确实只收现金' });
    await player('oLate').say(`辟谣 ${CLAIM}`); // during the correction round: still the released version
    await auditAndRelease(factCheckId);
    await waitFor(
      'the correction to the four who had the first version',
      async () => ['oAsk1', 'oReader', 'oLate'].every((o) => textsTo(o, '更正').length === 1) && textsTo('oAsk2', 'Correction').length === 1,
    );
    await drained();
    expect(textsTo('oAsk1', '【有误导】')).toHaveLength(1);
    expect(['oAsk1', 'oReader', 'oLate'].map((o) => textsTo(o, '更正').length)).toEqual([1, 1, 1]);
    expect(textsTo('oAsk2', 'Correction')).toHaveLength(1);
    expect(textsTo('oCheck1', '更正')).toHaveLength(0); // received another fact-check, not this one
    expect(textsTo('oAsk1', '有核实结果了')).toHaveLength(1); // the first version still once
  });
});
