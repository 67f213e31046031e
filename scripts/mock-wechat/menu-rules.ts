/** Menu rules the real API enforces, so `menu:push` meets the same refusals here. */
import { fail, type Answer } from './types.js';

export const utf8Len = (s: unknown) => (typeof s === 'string' ? Buffer.byteLength(s) : 0);

/** Menu rules the real API enforces (3 buttons, 5 sub-buttons, name and key byte limits). */
export function checkMenu(menu: unknown): Answer | null {
  const buttons = (menu as { button?: unknown })?.button;
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return fail(40016, 'invalid button size');
  for (const b of buttons as Record<string, unknown>[]) {
    if (utf8Len(b.name) < 1 || utf8Len(b.name) > 16) return fail(40018, 'invalid button name size');
    if (Array.isArray(b.sub_button) && b.sub_button.length > 0) {
      if (b.sub_button.length > 5) return fail(40023, 'invalid sub button size');
      for (const s of b.sub_button as Record<string, unknown>[]) {
        if (utf8Len(s.name) < 1 || utf8Len(s.name) > 60) return fail(40025, 'invalid sub button name size');
        const bad = checkLeaf(s);
        if (bad) return bad;
      }
    } else {
      const bad = checkLeaf(b);
      if (bad) return bad;
    }
  }
  return null;
}

function checkLeaf(b: Record<string, unknown>): Answer | null {
  if (b.type === 'click') return utf8Len(b.key) < 1 || utf8Len(b.key) > 128 ? fail(40019, 'invalid button key size') : null;
  if (b.type === 'view' || b.type === 'miniprogram') return utf8Len(b.url) < 1 || utf8Len(b.url) > 1024 ? fail(40055, 'invalid button url domain') : null;
  return fail(40017, 'invalid button type');
}
