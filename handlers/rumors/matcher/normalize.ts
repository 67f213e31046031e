import * as OpenCC from 'opencc-js/t2cn';
import { stripForwardNoise } from './forward-noise.js';

// Hong Kong variants first (衞), then Taiwan phrases (著涼, 裡): both leave simplified text alone.
const fromHongKong = OpenCC.Converter({ from: 'hk', to: 'cn' });
const fromTaiwan = OpenCC.Converter({ from: 'twp', to: 'cn' });

// Emoji, their modifiers and joiners, keycaps, regional flags and the pictographs WeChat users
// decorate with (‼ ★ ☎ ✅ …).
const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|[\u{1f1e6}-\u{1f1ff}]|\u200d|\ufe0e|\ufe0f|\u20e3/gu;

/**
 * The text a resident sent, reduced to what carries the claim: full-width → half-width (NFKC),
 * traditional → simplified, lower case, emoji and forwarding noise removed, every other
 * punctuation mark or symbol a space. Idempotent.
 */
export function normalizeText(text: string): string {
  let t = text.normalize('NFKC');
  t = fromTaiwan(fromHongKong(t)).toLowerCase();
  t = t.replace(EMOJI, ' ');
  t = stripForwardNoise(t);
  return t
    .replace(/['’](?=\p{L})/gu, '') // don't → dont, baby's → babys
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
