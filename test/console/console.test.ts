/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The web console and the resident simulator in headless Chromium, against the real app, workers,
 * Redis, FerretDB and the mock WeChat API: (a) a notice through its three-level audit by four
 * people, its progress bar to 100% and one message per recipient; (b) a resident in the
 * simulator asks for supplies and sees both status messages as staff accept and deliver in the
 * console; (c) no release button without the duty, and the API refuses too; (d) the situation
 * page draws its charts with data; (e) codes in words in Chinese; (f) a render exception is a
 * readable message; plus labels and keyboard focus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiClient, type ApiCall } from '../support/staff-api.js';
import { waitFor } from '../support/wait-for.js';
import { shot, signedIn, startConsoleStack, type ConsoleStack } from './stack.js';
import { Types } from 'mongoose';
import { residentIdFor } from '../../models/resident.js';
import { claimAskIdFor } from '../../models/claim.js';
import { volunteerIdFor } from '../../models/volunteer.js';

let s: ConsoleStack;
let api: ApiCall;
const SLOW = 180_000;

beforeAll(async () => {
  s = await startConsoleStack('console_browser');
  api = apiClient(s.base);
}, SLOW);
afterAll(async () => {
  await s?.close();
});

/** A tab signed in as `account`, on the notice's page. */
const onNotice = async (account: string, id: string): Promise<Page> => {
  const page = await signedIn(s, s.tokens[account]!, `#/notices/${id}`);
  await page.getByRole('heading', { name: 'Next step' }).waitFor();
  return page;
};
const statusIs = (page: Page, status: string) => page.getByTestId('notice-status').getByText(status, { exact: true }).waitFor();

describe('console in Chromium', () => {
  it(
    '(a) drafted by the committee, verified, edited and released by three others; the progress bar reaches 100% and every recipient got one message',
    async () => {
      const author = await signedIn(s, s.tokens['demo-committee']!);
      await author.getByRole('link', { name: 'Notices' }).click();
      await author.getByRole('button', { name: 'New notice' }).click();
      await author.getByLabel('Title').fill('停水通知 Water outage');
      await author.getByLabel('Text').fill('明天9点至12点停水，请提前储水。\nWater is off 9–12 tomorrow.');
      await author.getByTestId('recipient-count').getByText('Recipients now: 30').waitFor();
      await shot(author, 'a1-draft');
      await author.getByRole('button', { name: 'Create draft' }).click();
      await statusIs(author, 'draft');
      const id = new URL(author.url()).hash.split('/')[2]!;
      expect(id).toMatch(/^[0-9a-f]{24}$/);
      // The author holds no duty: no audit buttons for them.
      expect(await author.getByRole('button', { name: 'Verify' }).count()).toBe(0);

      const verifier = await onNotice('demo-government', id);
      await verifier.getByRole('button', { name: 'Verify' }).click();
      await statusIs(verifier, 'verified');

      const editor = await onNotice('demo-editor', id);
      await editor.getByLabel('Text').fill('明天9点至12点停水，请提前储水。\nWater is off 9:00–12:00 tomorrow; store some water.');
      await editor.getByLabel('Comment').fill('clearer English');
      await editor.getByRole('button', { name: 'Edit and pass on' }).click();
      await statusIs(editor, 'edited');
      // The edit's diff is in the trail.
      await editor.getByText('Changes: body').last().click();
      await editor.locator('.diff-add', { hasText: 'store some water' }).waitFor();
      await shot(editor, 'a2-edited-diff');

      const releaser = await onNotice('demo-party', id);
      await releaser.getByRole('button', { name: 'Release' }).click();
      const bar = releaser.getByRole('progressbar', { name: 'Delivery progress' });
      await bar.waitFor();
      await waitFor('the progress bar at 100%', async () => (await bar.getAttribute('aria-valuenow')) === '100', 90_000, 250);
      await statusIs(releaser, 'completed');
      await shot(releaser, 'a3-delivered');
      expect(await releaser.getByTestId('progress-line').textContent()).toContain('30 of 30 done · sent 30 · failed 0');

      // One message per recipient at the mock WeChat API.
      const sends = s.mock.calls().filter((c) => (c.endpoint === 'custom_send' || c.endpoint === 'template_send') && c.errcode === 0);
      const to = sends.map((c) => (c.body as { touser: string }).touser).filter((u) => u.startsWith('demo-resident-'));
      expect(to.length).toBe(30);
      expect(new Set(to).size).toBe(30);
      // The trail names the four people.
      const trail = await releaser.getByTestId('audit-trail').textContent();
      for (const name of ['demo-committee', 'demo-government', 'demo-editor', 'demo-party']) expect(trail).toContain(name);
      for (const p of [author, verifier, editor, releaser]) await p.close();
    },
    SLOW,
  );

  it(
    '(b) a resident asks for supplies in the simulator; staff accept and deliver in the console; the simulator shows both status messages',
    async () => {
      const phone = await s.browser.newPage();
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(`${s.base}/simulator?openid=sim-b-resident&scene=b:demo:1`);
      const chat = phone.getByTestId('chat');
      const botSays = (text: string) => chat.locator('[data-from="bot"], [data-from="pushed"]', { hasText: text }).first().waitFor({ timeout: 20_000 });
      const say = async (text: string, then: string) => {
        await phone.getByLabel('Message').fill(text);
        await phone.getByRole('button', { name: 'Send' }).click();
        await botSays(then);
      };
      await phone.getByRole('button', { name: 'Follow', exact: true }).click();
      await botSays('请回复单元和房号');
      await say('English', 'room');
      await say('2-301', 'How many people');
      await say('2', 'special care');
      await say('none', 'mobile');
      await say('skip', 'check your registration');
      await say('1', 'Registration complete');
      await phone.getByRole('button', { name: 'Supplies', exact: true }).click();
      await botSays('What kind of supplies');
      await say('food', 'items and amounts');
      await say('rice 5 kg, a box of eggs', 'When do you need it');
      await say('today', 'Deliver to');
      await say('yes', 'check your request');
      await say('1', 'Request submitted');
      const submitted = await chat.locator('[data-from="bot"]', { hasText: 'Request submitted' }).textContent();
      const ticket = /S-\d{8}-\d{4}/.exec(submitted ?? '')![0];
      await shot(phone, 'b1-simulator-submitted');

      const staff = await signedIn(s, s.tokens['demo-committee']!, '#/supplies');
      const card = staff.locator(`[data-ticket="${ticket}"]`);
      await card.getByRole('button', { name: 'Accept' }).click();
      await card.getByText('accepted', { exact: true }).waitFor();
      await card.getByRole('button', { name: 'Mark delivered' }).click();
      await staff.getByRole('checkbox', { name: 'Open requests only' }).uncheck();
      await card.getByText('delivered', { exact: true }).waitFor();
      await shot(staff, 'b2-console-delivered');

      await chat.locator('[data-from="pushed"]', { hasText: 'has been accepted' }).waitFor({ timeout: 30_000 });
      await chat.locator('[data-from="pushed"]', { hasText: 'has been delivered' }).waitFor({ timeout: 30_000 });
      const pushed = await chat.locator('[data-from="pushed"]').allTextContents();
      expect(pushed.filter((p) => p.includes(ticket))).toHaveLength(2);
      await shot(phone, 'b3-simulator-told');
      const r = await s.t.rt.models.SupplyRequest.findOne({ ticket }).lean();
      expect(r?.status).toBe('delivered');
      expect(String(r?.residentId)).toBe(String(residentIdFor('wechat', 'sim-b-resident')));
      // The two newer menu keys reach their flows too: nothing open to book; the return asks where from.
      const menu = phone.getByRole('navigation', { name: 'Menu' });
      await menu.getByRole('button', { name: 'Book supplies' }).click();
      await botSays('Nothing is open for booking');
      await menu.getByRole('button', { name: 'I’m back' }).click();
      await botSays('Where are you coming back from?');
      await phone.close();
      await staff.close();
    },
    SLOW,
  );
});

/** Reports over the last days, an open supply request, two pending claims and a task: the situation's data. */
async function seedSituation(): Promise<void> {
  const { models } = s.t.rt;
  const now = Date.now();
  const day = (back: number) => new Date(now - back * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
  const reports = [];
  for (let i = 1; i <= 12; i++) {
    const residentId = residentIdFor('wechat', `demo-resident-${String(i).padStart(3, '0')}`);
    const back = i % 4;
    const risk = i % 5 === 0 ? 'red' : i % 3 === 0 ? 'yellow' : 'green';
    reports.push({
      _id: new Types.ObjectId(),
      residentId,
      communityCode: 'demo',
      buildingCode: String((i % 3) + 1),
      date: day(back),
      temperatureC: risk === 'red' ? 38.9 : 36.6,
      test: 'negative',
      contact: false,
      risk,
      submittedAt: new Date(now - back * 86_400_000),
    });
  }
  await models.HealthReport.insertMany(reports);
  await models.SupplyRequest.create({
    ticket: 'S-20261201-0900',
    communityCode: 'demo',
    buildingCode: '2',
    residentId: residentIdFor('wechat', 'demo-resident-002'),
    category: 'medicine',
    items: 'insulin',
    urgency: 'today',
    address: 'Building 2 1-101',
    vulnerable: ['chronicIllness'],
    createdAt: new Date(now - 30 * 3_600_000),
    updatedAt: new Date(now - 30 * 3_600_000),
    sourceKey: 'console-test-open-request',
  });
  // Two pending claims, asked by three residents and by one (the ask records are what counts).
  const claims = [
    { text: '听说明天全小区封闭，不能出门？', asks: 3 },
    { text: 'Is tap water unsafe to drink this week?', asks: 1 },
  ];
  for (const c of claims) {
    const claim = await models.Claim.create({
      text: c.text,
      lang: /[a-z]/i.test(c.text) ? 'en' : 'zh-CN',
      status: 'pending',
      firstAskedAt: new Date(now - 3_600_000),
      lastAskedAt: new Date(now),
    });
    const claimId = String(claim._id);
    await models.ClaimAsk.insertMany(
      Array.from({ length: c.asks }, (_, i) => {
        const residentId = String(residentIdFor('wechat', `demo-resident-${String(20 + i).padStart(3, '0')}`));
        return { _id: claimAskIdFor(claimId, residentId), claimId, residentId, text: c.text, at: new Date(now) };
      }),
    );
  }
  const start = new Date(now + 86_400_000);
  const lead = s.tokens['demo-volunteer-lead']!;
  const task = await api('POST', '/api/volunteer-tasks', lead, {
    title: '送药上门',
    place: '1号楼大堂',
    startsAt: start.toISOString(),
    endsAt: new Date(start.getTime() + 7_200_000).toISOString(),
    slots: 3,
    community: 'demo',
  });
  expect(task.status).toBe(201);
  expect((await api('POST', `/api/volunteer-tasks/${task.body.id}/release`, lead)).status).toBe(200);
}

/** Painted pixels in a canvas (0 for a blank one). */
const painted = (page: Page, chart: string) =>
  page.locator(`[data-chart="${chart}"] canvas`).evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
    return n;
  });

/** The focused element's ring (outline and box-shadow halo) and the background round it. */
const focusRing = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const style = getComputedStyle(el);
    let bg = 'rgba(0, 0, 0, 0)';
    for (let p = el.parentElement; p && /rgba\(.*, 0\)$|transparent/.test(bg); p = p.parentElement) bg = getComputedStyle(p).backgroundColor;
    const halo = /^(rgba?\([^)]*\)) 0px 0px 0px (\d+(?:\.\d+)?)px/.exec(style.boxShadow);
    return {
      tag: el.tagName,
      where: el.closest('nav') ? 'nav' : el.closest('main') ? 'main' : 'other',
      rings: [
        ...(style.outlineStyle === 'none' ? [] : [{ color: style.outlineColor, width: Number.parseFloat(style.outlineWidth) }]),
        ...(halo ? [{ color: halo[1]!, width: Number(halo[2]) }] : []),
      ],
      bg,
    };
  });

/** WCAG contrast of the best ring at least 2 px wide against the background round the element. */
function ringContrast(f: { rings: { color: string; width: number }[]; bg: string }): number {
  const lum = (rgb: string) => {
    const [r, g, b] = (rgb.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const ratio = (a: string, b: string) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi! + 0.05) / (lo! + 0.05);
  };
  return Math.max(0, ...f.rings.filter((r) => r.width >= 2).map((r) => ratio(r.color, f.bg)));
}

/** Supplies, volunteers and gates in Chinese: the codes the API sends appear in words. */
async function inChinese(page: Page): Promise<void> {
  const card = page.locator('[data-ticket="S-20261201-0901"]');
  await card.getByText('特别关照：独居老人、婴幼儿').waitFor();

  await page.evaluate(() => (window.location.hash = '#/volunteers'));
  const row = page.getByRole('row', { name: /待审志愿者/ });
  await row.getByRole('cell', { name: '开车、电脑手机', exact: true }).waitFor();
  await row.getByRole('cell', { name: '周末', exact: true }).waitFor();
  await page.getByRole('button', { name: '新建任务' }).click();
  const choices = await page.getByLabel('所需特长（可选）').locator('option').allTextContents();
  expect(choices).toEqual(['不限', '配送跑腿', '医疗护理', '翻译', '开车', '电脑手机', '心理疏导']);

  await page.evaluate(() => (window.location.hash = '#/gates'));
  const log = page.getByRole('region', { name: '出入记录' });
  await log
    .getByRole('row', { name: /东门 East gate/ })
    .getByRole('cell', { name: '出门', exact: true })
    .waitFor();
  await shot(page, 'e0-zh-CN-codes');
}

describe('roles, charts and accessibility in Chromium', () => {
  it(
    '(c) an account without the release duty sees no release button, and the API refuses it; a role without notices has no Notices page',
    async () => {
      const committee = s.tokens['demo-committee']!;
      const created = await api('POST', '/api/notices', committee, { title: '核酸检测', body: '周六上午在社区中心核酸检测。', targets: { all: true } });
      const id = created.body.id as string;
      expect((await api('POST', `/api/notices/${id}/verify`, s.tokens['demo-government'], {})).status).toBe(200);
      expect((await api('POST', `/api/notices/${id}/edit`, s.tokens['demo-editor'], { comment: 'ok' })).status).toBe(200);

      // The admin holds no duty, is not the author and has not acted this round: only the missing
      // duty can hide the button (the verifier and editor are hidden for having acted).
      const admin = await onNotice('demo-admin', id);
      await statusIs(admin, 'edited');
      await admin.getByText('Waiting for someone with the “release” duty.').waitFor();
      for (const hint of ['You already performed a duty', 'You wrote this notice']) expect(await admin.getByText(hint).count()).toBe(0);
      expect(await admin.getByRole('button', { name: 'Release' }).count()).toBe(0);
      await shot(admin, 'c1-no-release-button');
      const refused = await api('POST', `/api/notices/${id}/release`, s.tokens['demo-admin'], {});
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('forbidden_duty');

      // The party account holds release: it sees the button (the same page, another person).
      const party = await onNotice('demo-party', id);
      await party.getByRole('button', { name: 'Release' }).waitFor();

      const property = await signedIn(s, s.tokens['demo-property']!);
      await property.getByRole('link', { name: 'Supplies' }).waitFor();
      expect(await property.getByRole('link', { name: 'Notices' }).count()).toBe(0);
      expect((await api('GET', '/api/notices', s.tokens['demo-property'])).body.error).toBe('forbidden_role');
      for (const p of [admin, party, property]) await p.close();
    },
    SLOW,
  );

  it(
    '(d) the situation page draws every chart from the API’s figures',
    async () => {
      await seedSituation();
      const page = await signedIn(s, s.tokens['demo-committee']!, '#/situation');
      const charts = ['risk14', 'buildings', 'missing', 'supplies', 'tasks', 'claims', 'deliveries'];
      for (const c of charts) {
        await waitFor(`chart ${c} with data`, async () => Number(await page.locator(`[data-chart="${c}"]`).getAttribute('data-total')) > 0, 30_000, 200);
        expect(await painted(page, c)).toBeGreaterThan(500);
      }
      expect(Number(await page.locator('[data-chart="risk14"]').getAttribute('data-total'))).toBe(12);
      const figures = (await api('GET', '/api/situation', s.tokens['demo-committee'])).body;
      expect(figures.supplies.find((b: { priority: string }) => b.priority === 'high').from1to3d).toBe(1);
      expect(figures.tasks[0]).toMatchObject({ title: '送药上门', slots: 3 });
      // Claims by ask count, most asked first: four asks on the chart.
      expect(figures.claims.map((c: { asks: number }) => c.asks)).toEqual([3, 1]);
      expect(Number(await page.locator('[data-chart="claims"]').getAttribute('data-total'))).toBe(4);
      await shot(page, 'd1-situation');
      // The same page on a phone.
      await page.setViewportSize({ width: 390, height: 844 });
      await shot(page, 'd2-situation-390');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.close();
    },
    SLOW,
  );

  it(
    '(e) in Chinese the console shows codes in words: gate direction, special-care flags, volunteer skills and availability, the skill choices',
    async () => {
      const { models } = s.t.rt;
      const now = new Date();
      const local = (o: Intl.DateTimeFormatOptions) => now.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai', ...o });
      const residentId = residentIdFor('wechat', 'demo-resident-010');
      await models.GateRecord.create({
        _id: new Types.ObjectId(),
        gateId: new Types.ObjectId(),
        gateName: '东门 East gate',
        communityCode: 'demo',
        residentId,
        householdKey: String(residentId),
        buildingCode: '1',
        direction: 'out',
        status: 'granted',
        date: local({ year: 'numeric', month: '2-digit', day: '2-digit' }),
        hour: local({ hour: '2-digit', hour12: false }).padStart(2, '0'),
        at: now,
        sourceKey: 'console-test-gate-out',
      });
      await models.SupplyRequest.create({
        ticket: 'S-20261201-0901',
        communityCode: 'demo',
        buildingCode: '1',
        residentId,
        category: 'food',
        items: 'milk powder',
        urgency: 'today',
        address: 'Building 1 2-202',
        vulnerable: ['elderlyAlone', 'infant'],
        createdAt: now,
        updatedAt: now,
        sourceKey: 'console-test-vulnerable-request',
      });
      await models.Volunteer.create({
        _id: volunteerIdFor(residentId),
        residentId,
        name: '待审志愿者 Pending volunteer',
        mobile: '+8613800000999',
        skills: ['driving', 'it'],
        availability: ['weekend'],
        area: 'community',
        streetCode: 'demo-street',
        communityCode: 'demo',
        buildingCode: '1',
        status: 'pending',
        round: 1,
        appliedAt: now,
        consentAt: now,
        sourceKey: 'console-test-pending-volunteer',
      });
      const page = await signedIn(s, s.tokens['demo-committee']!, '#/supplies');
      await page.getByLabel('Language').selectOption('zh-CN');
      // The choice is kept in the browser profile the other tests share: back to English whatever happens.
      try {
        await inChinese(page);
      } finally {
        await page.evaluate(() => localStorage.setItem('linli.lang', 'en'));
        await page.close();
      }
    },
    SLOW,
  );

  it(
    '(f) an exception while rendering shows a readable message and a reload button, not a blank page',
    async () => {
      // Start on another page, so opening the situation page mounts it afresh (no render is left
      // over from before the break, and none has to wait for the page's own refresh).
      const page = await signedIn(s, s.tokens['demo-committee']!, '#/notices/new');
      await page.getByRole('heading', { name: 'New notice' }).waitFor();
      // Break something every page's rendering uses (dates), then open a page that shows times.
      await page.evaluate(() => {
        Date.prototype.toLocaleString = () => {
          throw new Error('date formatting broke');
        };
        window.location.hash = '#/situation';
      });
      await page.getByRole('heading', { name: 'This page stopped working' }).waitFor();
      await page.getByRole('alert').getByText('date formatting broke').waitFor();
      await shot(page, 'f1-render-error');
      await page.getByRole('button', { name: 'Reload the page' }).click();
      // The reload starts clean and keeps the tab's session.
      await page.locator('[data-chart="risk14"]').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.close();
    },
    SLOW,
  );

  it(
    'every control has a label, the keyboard reaches the navigation and the content with a focus ring of at least 3:1, and both languages render',
    async () => {
      const page = await signedIn(s, s.tokens['demo-committee']!, '#/notices/new');
      await page.getByRole('heading', { name: 'New notice' }).waitFor();
      const unlabelled = () =>
        page.evaluate(() =>
          [...document.querySelectorAll('input, select, textarea, button')]
            .filter((el) => {
              const e = el as HTMLInputElement;
              const name =
                e.labels?.length || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || (e.tagName === 'BUTTON' && e.textContent?.trim());
              return !name;
            })
            .map((el) => el.outerHTML.slice(0, 120)),
        );
      expect(await unlabelled()).toEqual([]);
      for (const hash of ['#/supplies', '#/volunteers', '#/situation', '#/rumors', '#/gates', '#/exports']) {
        await page.evaluate((h) => (window.location.hash = h), hash);
        await page.locator('main h1').waitFor();
        await page.waitForLoadState('networkidle');
        expect(await unlabelled()).toEqual([]);
      }
      // Keyboard: the first Tab stops on the skip link, the next ones on the navigation, each with a focus ring.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      const inNav = await focusRing(page);
      expect(inNav.tag).toBe('A');
      expect(inNav.where).toBe('nav');
      expect(ringContrast(inNav)).toBeGreaterThanOrEqual(3);
      // Tab on into the page's content: the ring holds on the light background as well.
      let inMain = inNav;
      for (let i = 0; i < 40 && inMain.where !== 'main'; i++) {
        await page.keyboard.press('Tab');
        inMain = await focusRing(page);
      }
      expect(inMain.where).toBe('main');
      expect(ringContrast(inMain)).toBeGreaterThanOrEqual(3);
      // Chinese, from the language switch.
      await page.getByLabel('Language').selectOption('zh-CN');
      await page.getByRole('link', { name: '通知公告' }).waitFor();
      await shot(page, 'e1-zh-CN');
      await page.getByLabel('语言').selectOption('en');
      // The simulator on a phone: labelled too.
      const phone = await s.browser.newPage();
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(`${s.base}/simulator?openid=sim-a11y`);
      await phone.getByRole('button', { name: 'Follow', exact: true }).waitFor();
      // All seven CLICK keys of the WeChat menu (flows/menu.ts, scripts/menu.json).
      expect(await phone.getByRole('navigation', { name: 'Menu' }).getByRole('button').allTextContents()).toEqual([
        'Health report',
        'Supplies',
        'Volunteer',
        'Rumour check',
        'My account',
        'I’m back',
        'Book supplies',
      ]);
      expect(
        await phone.evaluate(() => [...document.querySelectorAll('input, select, textarea')].filter((e) => !(e as HTMLInputElement).labels?.length).length),
      ).toBe(0);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.close();
      await phone.close();
      // An API error is a readable message, not a blank page: a wrong token at sign-in.
      const stranger = await s.browser.newPage();
      await stranger.goto(`${s.base}/console`);
      await stranger.getByLabel('Staff token').fill('llt_not-a-real-token');
      await stranger.getByRole('button', { name: 'Sign in' }).click();
      await stranger.getByRole('alert').getByText('[unauthorized]').waitFor();
      await stranger.close();
    },
    SLOW,
  );
});
