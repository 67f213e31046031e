/**
 * The words of a committee's roster: column headers in Chinese or English, vulnerable flags as
 * words in one column or as one yes/no column per flag. Matching ignores case, spaces, full-width
 * forms and a trailing note in brackets ("手机号（必填）", "Mobile (11 digits)").
 */
import { normalizeInput } from '../../flows/engine/input.js';
import { VULNERABLE_OPTIONS } from '../../flows/registration/registration.js';
import { VULNERABLE_FLAGS, type VulnerableFlag } from '../../models/resident.js';

export type RosterField = 'building' | 'unit' | 'room' | 'name' | 'mobile' | 'size' | 'flags' | VulnerableFlag;

/** Words of each flag, besides the registration flow's aliases; the first is what the README and messages show. */
const FLAG_WORDS: Record<VulnerableFlag, string[]> = {
  elderlyAlone: ['独居老人', 'elderly alone', 'elderly living alone', '独居', '孤寡老人', 'elderlyalone'],
  chronicIllness: ['慢性病', 'chronic illness', '慢性病患者', '慢病', 'chronic', 'chronicillness'],
  pregnancy: ['孕妇', 'pregnancy', '孕产妇', '怀孕', 'pregnant'],
  disability: ['残疾', 'disability', '残疾人', '残障', '残障人士', 'disabled'],
  infant: ['婴幼儿', 'infant', '婴儿', 'baby', 'infants'],
};

const HEADERS: Array<[RosterField, string[]]> = [
  ['building', ['楼栋', '楼号', '楼栋号', '栋', '楼', '楼宇', 'building', 'bldg', 'building no', 'block']],
  ['unit', ['单元', '单元号', 'unit', 'unit no']],
  ['room', ['房号', '房间号', '房间', '门牌号', '室', '户号', 'room', 'room no', 'flat', 'apartment']],
  ['name', ['姓名', '户主', '户主姓名', '居民姓名', '联系人', 'name', 'resident', 'full name']],
  ['mobile', ['手机', '手机号', '手机号码', '联系电话', '电话', '联系方式', 'mobile', 'mobile number', 'phone', 'phone number', 'cell']],
  ['size', ['人数', '家庭人数', '户人数', '居住人数', '在住人数', 'household size', 'size', 'people', 'persons']],
  [
    'flags',
    ['特殊人群', '重点人群', '特殊情况', '需要关照', '需要特别关照', '关照', '备注标记', 'vulnerable', 'vulnerability', 'flags', 'special care', 'needs'],
  ],
  ...VULNERABLE_FLAGS.map((f): [RosterField, string[]] => [f, FLAG_WORDS[f]]),
];

/** Folded for matching: half-width, lower case, no spaces, no bracketed note, no trailing colon. */
export function fold(raw: string): string {
  return normalizeInput(raw)
    .toLowerCase()
    .replace(/[(（[【].*?[)）\]】]/g, '')
    .replace(/[\s:：*.#]+/g, '');
}

const HEADER_OF = new Map(HEADERS.flatMap(([field, words]) => words.map((w) => [fold(w), field] as const)));

/** The field a header cell names, if any. */
export const fieldOfHeader = (cell: string): RosterField | undefined => HEADER_OF.get(fold(cell));

const FLAG_OF = new Map<string, VulnerableFlag>(
  VULNERABLE_FLAGS.flatMap((f) => [f, ...FLAG_WORDS[f], ...(VULNERABLE_OPTIONS.find((o) => o.value === f)?.aliases ?? [])].map((w) => [fold(w), f] as const)),
);
const NO_FLAGS = new Set(['', '无', '没有', '否', '-', '—', '/', 'none', 'no', 'n/a', 'na', '0'].map(fold));

/** The words shown when a flag word is not understood. */
export const FLAG_WORDS_HELP = `${VULNERABLE_FLAGS.map((f) => FLAG_WORDS[f][0]).join('、')} / ${VULNERABLE_FLAGS.map((f) => FLAG_WORDS[f][1]).join(', ')}`;

/** `独居老人、慢性病` / `elderly alone; infant` → flags, and the words not understood. */
export function flagsFromWords(raw: string): { flags: VulnerableFlag[]; unknown: string[] } {
  if (NO_FLAGS.has(fold(raw))) return { flags: [], unknown: [] };
  const flags: VulnerableFlag[] = [];
  const unknown: string[] = [];
  for (const word of normalizeInput(raw).split(/[,;/|、，；+]+|和|以及|及|\band\b/i)) {
    if (!fold(word)) continue;
    // "独居老人 慢性病": words separated by spaces only, when every one of them is a flag.
    const parts = FLAG_OF.has(fold(word)) ? [word] : word.trim().split(/\s+/);
    const found = parts.map((p) => FLAG_OF.get(fold(p)));
    if (found.every(Boolean)) flags.push(...(found as VulnerableFlag[]));
    else unknown.push(word.trim());
  }
  return { flags: [...new Set(flags)], unknown };
}

const YES = new Set(['是', '有', 'y', 'yes', 'true', '1', '√', '✓', '✔', '☑', '●'].map(fold));
const NO = new Set(['', '否', '无', '没有', 'n', 'no', 'false', '0', '×', '✗', '✘', '-', '—'].map(fold));

/** A yes/no cell (empty is no); undefined when it is neither. */
export function yesNoCell(raw: string): boolean | undefined {
  const t = fold(raw);
  if (YES.has(t)) return true;
  if (NO.has(t)) return false;
  return undefined;
}
