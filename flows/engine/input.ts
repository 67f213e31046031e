/**
 * Text as people type it on a phone: full-width digits, letters and punctuation from Chinese
 * keyboards, ideographic spaces, stray whitespace. Everything the engine parses goes through
 * `normalizeInput` first; the words that work anywhere in a flow are recognised here.
 */

/** Longest answer the engine reads; longer text is refused with a hint, never processed. */
export const MAX_INPUT_CHARS = 2000;

const FULL_WIDTH = /[\uFF01-\uFF5E]/g;

/** Fold full-width ASCII (０-９, Ａ-Ｚ, ，．？ …) to half-width, ideographic spaces to spaces, trim and collapse. */
export function normalizeInput(raw: string): string {
  return raw
    .replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\u3000\u00A0\t\r\n]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** Lower-cased and without trailing punctuation: for matching words, not for storing answers. */
export function foldForMatch(text: string): string {
  return normalizeInput(text)
    .toLowerCase()
    .replace(/[。.!！~～…]+$/u, '')
    .trim();
}

/** Commands that work anywhere in a conversation. */
export type Command =
  | { kind: 'cancel' }
  | { kind: 'back' }
  | { kind: 'help' }
  | { kind: 'menu' }
  | { kind: 'human' }
  | { kind: 'language'; language: 'zh-CN' | 'en' };

const COMMANDS: Array<[RegExp, Command]> = [
  [/^(取消|退出|不填了|算了|cancel|quit|exit|stop)$/, { kind: 'cancel' }],
  [/^(返回|上一步|上一题|back|previous|prev)$/, { kind: 'back' }],
  [/^(帮助|help|怎么填|不明白|不懂)$/, { kind: 'help' }],
  [/^(菜单|主菜单|menu|main menu|\?|？)$/, { kind: 'menu' }],
  [/^(人工|人工服务|转人工|找工作人员|human|staff|talk to (a )?(human|person|staff))$/, { kind: 'human' }],
  [/^(english|英文|英语)$/, { kind: 'language', language: 'en' }],
  [/^(中文|chinese|汉语|zh)$/, { kind: 'language', language: 'zh-CN' }],
];

export function commandOf(text: string): Command | undefined {
  const t = foldForMatch(text);
  for (const [re, command] of COMMANDS) if (re.test(t)) return command;
  return undefined;
}

/** Pictographs, skin tones, joiners and variation selectors: what an emoji-only message is made of. */
const EMOJI = /\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}]|\u200D|\uFE0E|\uFE0F|\u20E3/gu;

export function stripEmoji(text: string): string {
  return text.replace(EMOJI, '').trim();
}
