/**
 * The wrapping of a forwarded message — who sent it, "please forward", "urgent!!!" — carries no
 * claim but would dilute the match, so it is cut before tokenising. Runs on normalised text
 * (simplified, half-width, lower case), before punctuation is dropped, because the colon or
 * comma after a lead-in is what tells a lead-in from the claim.
 */

// A lead-in naming where the message came from: 我姨妈发来的：, 业主群都在传：, 转自某医生： ended by a
// colon; 邻居说的，朋友圈看到的， by a comma only when it ends in 的 (转发到10个群，就能… is a claim).
const ZH_LEAD_IN = /^[^：:，,。!?！？]{0,16}?(发来|发的|转发|转自|转载|转的|群里|群都|朋友圈|看到的|在传|传的|说的|分享)[^：:，,。]{0,8}[：:]/;
const ZH_LEAD_IN_COMMA = /^[^：:，,。!?！？]{0,16}?(发来的|发的|转的|看到的|传的|说的)[，,]/;
// "my aunt sent this:", "Forwarded from the building group:", "copied from facebook:"
const EN_LEAD_IN = /^[^:]{0,60}?\b(sent|forwarded|shared|posted|copied|says|said|wrote|got this)\b[^:]{0,30}:/;
const EN_PREFIX = /^(\s*(fw|fwd|re)\s*:)+/;

const ZH_PHRASES = [
  /【[^】]{0,8}】/g,
  /\[(转|转发|转载)\]/g,
  // Pleas to pass it on, but not a bare 转发 or 扩散: "转发到10个群领补贴", "病毒在空气中扩散" are claims.
  /((请|麻烦)(大家|各位)?|大家|各位)(赶紧|速|务必)?(转发|转给|扩散)(给|到)?(家人|爸妈|亲友|朋友|群里|所有人)?/g,
  /(转发|转)(给|到)(家人|爸妈|亲友|朋友|所有人)/g,
  /不转不是中国人/g,
  /(速看|必看|紧急扩散|速扩散|一定要看|务必看|看完请转发|看完转发)/g,
  /(紧急通知|重要通知|内部消息|最新消息|重磅)/g,
  /(真的假的|是真的吗|是不是真的|有这回事吗|靠谱吗|吓死了|天哪)/g,
];

const EN_PHRASES = [
  /\b(please )?(share|forward|pass) (this |it )?(with|to) (everyone|everybody|all|your family|your friends)\b/g,
  /\bpass it on\b/g,
  /\bplease share\b/g,
  /\bshare\b(?=\s*!)/g,
  /\b(urgent|must read|breaking|important|read this)\b/g,
  /\b(is (it|this|that) true|true or false|is it real|real or fake)\b/g,
  /\bforwarded message\b/g,
];

/** Remove forwarding lead-ins, banners and pleas from normalised text. */
export function stripForwardNoise(text: string): string {
  let t = text.trim().replace(EN_PREFIX, '');
  for (let i = 0; i < 2; i++) t = t.trim().replace(ZH_LEAD_IN, '').replace(ZH_LEAD_IN_COMMA, '').replace(EN_LEAD_IN, '').replace(EN_PREFIX, '');
  for (const re of ZH_PHRASES) t = t.replace(re, ' ');
  for (const re of EN_PHRASES) t = t.replace(re, ' ');
  return t;
}
