/**
 * What a notice looks like on each channel. Customer-service messages carry the text itself;
 * template messages carry the fields of the configured template (WECHAT_NOTICE_TEMPLATE_ID),
 * filled as WECHAT_NOTICE_TEMPLATE_FIELDS says: each of the template's field names gets the
 * notice's title, body or release time. The default is the classic notice layout (`first`,
 * `keyword1` subject, `keyword2` time, `remark` details; wechat-protocol.md §9); a newer
 * template with short typed fields is e.g. `thing1=title:20,time2=time,thing3=body:20`.
 */
import type { Notice } from '../../models/notice.js';

/** WeChat caps a customer-service text at 2,048 bytes; keep well under it (Chinese is 3 bytes a character). */
const KF_MAX_CHARS = 600;
/** Template values are short lines; longer ones are cut by WeChat's client anyway. */
const REMARK_MAX_CHARS = 180;

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** `【title】` and the body, for a customer-service text message. */
export function kfText(n: Pick<Notice, 'title' | 'body'>): string {
  return cut(`【${n.title}】\n${n.body}`, KF_MAX_CHARS);
}

/** Shanghai wall-clock time, `2026-11-28 16:30` (WeChat users read China time). */
export function chinaTime(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

const SOURCES = ['title', 'body', 'time'] as const;

/** One template field and the part of the notice it carries (cut to `maxChars` when given). */
export interface TemplateField {
  field: string;
  source: (typeof SOURCES)[number];
  maxChars?: number;
}

export const DEFAULT_TEMPLATE_FIELDS = `first=title,keyword1=title,keyword2=time,remark=body:${REMARK_MAX_CHARS}`;

/**
 * `field=source[:maxChars],…` → fields; a malformed list throws a message saying what is wrong
 * (the config reports it against the variable's name).
 */
export function parseTemplateFields(raw: string): TemplateField[] {
  const fields = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^([A-Za-z][A-Za-z0-9_]{0,31})=([a-z]+)(?::(\d{1,4}))?$/.exec(part);
      if (!m) throw new Error(`"${part}" is not field=source[:maxChars]`);
      const source = m[2] as TemplateField['source'];
      if (!SOURCES.includes(source)) throw new Error(`"${m[2]}" is not one of ${SOURCES.join(', ')}`);
      const maxChars = m[3] === undefined ? undefined : Number(m[3]);
      if (maxChars !== undefined && maxChars < 2) throw new Error(`maxChars of ${m[1]} must be at least 2`);
      return { field: m[1]!, source, ...(maxChars ? { maxChars } : {}) };
    });
  if (fields.length === 0) throw new Error('no fields');
  const names = fields.map((f) => f.field);
  const twice = names.find((f, i) => names.indexOf(f) !== i);
  if (twice) throw new Error(`${twice} appears twice`);
  return fields;
}

const DEFAULT_FIELDS = parseTemplateFields(DEFAULT_TEMPLATE_FIELDS);

/** The template fields of a notice. */
export function templateData(n: Pick<Notice, 'title' | 'body' | 'releasedAt'>, now: Date, fields: TemplateField[] = DEFAULT_FIELDS): Record<string, string> {
  const value = { title: n.title, body: n.body, time: chinaTime(n.releasedAt ?? now) };
  return Object.fromEntries(fields.map((f) => [f.field, f.maxChars ? cut(value[f.source], f.maxChars) : value[f.source]]));
}
