/**
 * What a notice looks like on each channel. Customer-service messages carry the text itself;
 * template messages carry the fields of the configured template (WECHAT_NOTICE_TEMPLATE_ID),
 * which must define `first`, `keyword1`, `keyword2` and `remark` (the classic notice layout:
 * title, subject, time, details; wechat-protocol.md §9).
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

/** The template fields of a notice. */
export function templateData(n: Pick<Notice, 'title' | 'body' | 'releasedAt'>, now: Date): Record<string, string> {
  return {
    first: n.title,
    keyword1: n.title,
    keyword2: chinaTime(n.releasedAt ?? now),
    remark: cut(n.body, REMARK_MAX_CHARS),
  };
}
