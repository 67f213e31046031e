/**
 * The main menu as data: the same entries reachable by a WeChat menu CLICK key, a number,
 * or a keyword in either language (product.md, "Menu"). Pure; no I/O.
 */
export const SERVICES = ['health', 'supplies', 'volunteer', 'rumor', 'account', 'returnee', 'booking'] as const;
export type Service = (typeof SERVICES)[number];

export type Intent = { kind: 'menu' } | { kind: 'service'; service: Service } | { kind: 'language'; language: 'zh-CN' | 'en' } | { kind: 'unknown' };

/** CLICK keys pushed by the custom menu (scripts/menu.json). */
const CLICK_KEYS: Record<string, Service> = {
  HEALTH_REPORT: 'health',
  SUPPLIES: 'supplies',
  VOLUNTEER: 'volunteer',
  RUMOR_CHECK: 'rumor',
  MY_ACCOUNT: 'account',
  RETURNEE: 'returnee',
  BOOKING: 'booking',
};

const KEYWORDS: Array<[RegExp, Service]> = [
  [/^(1|健康|健康上报|上报|health( report)?)$/i, 'health'],
  [/^(2|物资|物资求助|求助|supplies|supply)$/i, 'supplies'],
  [/^(3|志愿者|志愿|volunteer)$/i, 'volunteer'],
  [/^(4|辟谣|谣言|谣言查询|辟谣查询|rumou?r( check)?)$/i, 'rumor'],
  [/^(5|我的|我的账户|account|my account)$/i, 'account'],
  [/^(6|返回登记|返乡登记|返程登记|回来登记|我回来了|i['’]?m back|i am back|back home|returnee)$/i, 'returnee'],
  [/^(7|预约|预约领取|物资预约|预约物资|我的预约|book|booking|my booking|reserve)$/i, 'booking'],
];

/** Full-width digits and spaces are common from Chinese keyboards; fold them first. */
export function normalizeText(text: string): string {
  return text
    .replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 48))
    .replace(/\u3000/g, ' ')
    .trim();
}

export function intentOfText(raw: string): Intent {
  const text = normalizeText(raw);
  if (/^(english|英文)$/i.test(text)) return { kind: 'language', language: 'en' };
  if (/^(中文|chinese|zh)$/i.test(text)) return { kind: 'language', language: 'zh-CN' };
  if (/^(帮助|菜单|help|menu|\?|？)$/i.test(text)) return { kind: 'menu' };
  for (const [re, service] of KEYWORDS) if (re.test(text)) return { kind: 'service', service };
  return { kind: 'unknown' };
}

export function intentOfClick(key: string): Intent {
  const service = CLICK_KEYS[key];
  return service ? { kind: 'service', service } : { kind: 'menu' };
}
