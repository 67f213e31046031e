/**
 * A small, safe XML layer for the push protocol: `parseXml` for bodies WeChat/WeCom send,
 * `buildXml` for passive replies. Everything is kept as strings: a 64-bit `MsgId` or an
 * all-digit OpenID/UserID must never become a (rounded) number (protocol notes §6).
 */
import { CodecError } from './errors.js';

/** A parsed value: leaf text, a nested element, or repeated sibling elements. */
export type XmlValue = string | XmlRecord | XmlValue[];
/** The children of one element, by tag name. */
export interface XmlRecord {
  [name: string]: XmlValue;
}

/** Default largest body accepted; compatible-mode bodies are ~3× the message (§3.1). */
export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decode the five predefined entities and numeric character references in one pass, so
 * `&amp;lt;` becomes `&lt;` and not `<`. Anything else (`&foo;`) is left as written.
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:#(\d{1,7})|#x([0-9A-Fa-f]{1,6})|(lt|gt|amp|quot|apos));/g, (all, dec, hex, name) => {
    if (name) return PREDEFINED[name as string] ?? all;
    const cp = dec ? Number.parseInt(dec as string, 10) : Number.parseInt(hex as string, 16);
    const legal = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0x10ffff && cp !== 0xfffe && cp !== 0xffff);
    return legal ? String.fromCodePoint(cp) : all;
  });
}

const malformed = (why: string) => new CodecError('malformed_xml', `body is not well-formed XML: ${why}`);
/** Element names WeChat uses are ASCII; anything else (and `__proto__`) is refused. */
const NAME = /[A-Za-z_:][A-Za-z0-9_.:-]*/y;
/** Optional attributes up to the end of a start tag (values quoted, no `<` inside). */
const ATTRIBUTES = /(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*(\/?)>/y;
/** In text, `&` must start a reference (`&name;`, `&#…;`); `&foo;` is kept as written. */
const BARE_AMPERSAND = /&(?![A-Za-z_:][A-Za-z0-9_.:-]*;|#\d+;|#x[0-9A-Fa-f]+;)/;

/** One element being read: its texts (CDATA or not) and its child elements, in order. */
interface Open {
  name: string;
  texts: { text: string; cdata: boolean }[];
  children: [string, XmlValue][];
}

/**
 * Turn one element's content into a leaf string or a record. `<MsgType>  <![CDATA[video]]></MsgType>`
 * occurs in the official sample: whitespace around CDATA is layout, text without CDATA is kept
 * exactly (user content). Between child elements, whitespace (§6 "newlines are common") and
 * stray mixed text are dropped; WeChat never sends mixed content.
 */
function elementValue(el: Open): XmlValue {
  if (el.children.length === 0) {
    if (el.texts.length === 1 && !el.texts[0]!.cdata) return decodeEntities(el.texts[0]!.text);
    const hasCdata = el.texts.some((t) => t.cdata);
    let out = '';
    for (const t of el.texts) if (t.cdata || !hasCdata || t.text.trim() !== '') out += t.cdata ? t.text : decodeEntities(t.text);
    return out;
  }
  const grouped: XmlRecord = {};
  for (const [name, value] of el.children) {
    const prev = Object.hasOwn(grouped, name) ? grouped[name] : undefined;
    if (prev === undefined) grouped[name] = value;
    // elementValue never returns an array, so an array here is a list of repeats we made.
    else if (Array.isArray(prev)) prev.push(value);
    else grouped[name] = [prev, value];
  }
  return grouped;
}

/**
 * A strict reader for the small XML WeChat and WeCom push: elements, text, CDATA, comments,
 * processing instructions; attributes are checked and ignored. Written for this shape (one pass,
 * no DTD) because the general-purpose parser cost more than the rest of decoding a push.
 */
function readDocument(text: string): XmlValue {
  const stack: Open[] = [];
  let root: XmlValue | undefined;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt === -1 ? n : lt);
    if (chunk !== '') {
      if (BARE_AMPERSAND.test(chunk) || chunk.includes(']]>')) throw malformed('stray & or ]]>');
      if (stack.length) stack[stack.length - 1]!.texts.push({ text: chunk, cdata: false });
      else if (chunk.trim() !== '') throw malformed('text outside the root element');
    }
    if (lt === -1) break;
    i = lt;
    if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end === -1 || !stack.length) throw malformed('CDATA');
      stack[stack.length - 1]!.texts.push({ text: text.slice(i + 9, end), cdata: true });
      i = end + 3;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end === -1) throw malformed('comment');
      i = end + 3;
    } else if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end === -1) throw malformed('processing instruction');
      i = end + 2;
    } else if (text.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const name = NAME.exec(text)?.[0];
      const close = name ? /\s*>/y : undefined;
      if (close) close.lastIndex = i + 2 + name!.length;
      const top = stack.pop();
      if (!name || !close?.test(text) || top?.name !== name) throw malformed(`unexpected </${name ?? ''}>`);
      i = close.lastIndex;
      const value = elementValue(top);
      if (stack.length) stack[stack.length - 1]!.children.push([name, value]);
      else if (root === undefined && name === 'xml') root = value;
      else throw malformed('expected exactly one <xml> root element');
    } else {
      NAME.lastIndex = i + 1;
      const name = NAME.exec(text)?.[0];
      if (!name || name === '__proto__') throw malformed('bad element name');
      ATTRIBUTES.lastIndex = i + 1 + name.length;
      const attrs = ATTRIBUTES.exec(text);
      if (!attrs) throw malformed(`bad start tag <${name}>`);
      i = ATTRIBUTES.lastIndex;
      if (!stack.length && (root !== undefined || name !== 'xml')) throw malformed('expected exactly one <xml> root element');
      if (attrs[1] === '/') {
        if (stack.length) stack[stack.length - 1]!.children.push([name, '']);
        else root = '';
      } else stack.push({ name, texts: [], children: [] });
    }
  }
  if (stack.length || root === undefined) throw malformed('unclosed element or no root');
  return root;
}

/**
 * Parse a WeChat/WeCom XML body into the children of its `<xml>` root. Repeated siblings
 * become arrays; attributes, comments and processing instructions are ignored.
 * @throws CodecError `empty_body`, `body_too_large`, `forbidden_doctype`, `not_xml`, `malformed_xml`
 */
export function parseXml(body: string, options: { maxBytes?: number } = {}): XmlRecord {
  const max = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  if (body.length > max || Buffer.byteLength(body, 'utf8') > max) throw new CodecError('body_too_large');
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  if (text.trim() === '') throw new CodecError('empty_body');
  // No DTDs at all, anywhere (even inside CDATA): no entity bombs, no external entities, and
  // no reliance on the parser's own limits. WeChat never sends a DOCTYPE.
  if (text.includes('<!') && /<!\s*(DOCTYPE|ENTITY)/i.test(text)) throw new CodecError('forbidden_doctype');
  if (!text.trimStart().startsWith('<')) throw new CodecError('not_xml', 'body is not markup');
  const value = readDocument(text);
  return typeof value === 'string' ? {} : (value as XmlRecord);
}

/** A value `buildXml` can serialise: strings become CDATA, numbers plain text. */
export type XmlBuildValue = string | number | bigint | null | undefined | XmlBuildRecord | XmlBuildValue[];
/** An element's children for `buildXml`, in insertion order. */
export interface XmlBuildRecord {
  [name: string]: XmlBuildValue;
}

const TAG = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// Characters XML 1.0 forbids even inside CDATA; stripped rather than sent to WeChat.
const ILLEGAL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Wrap text in CDATA, splitting any `]]>` across two sections so it cannot close early. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replace(ILLEGAL_CHARS, '').replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function buildValue(name: string, value: XmlBuildValue): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => buildValue(name, v)).join('');
  if (!TAG.test(name)) throw new TypeError(`invalid XML element name: ${name}`);
  if (typeof value === 'string') return `<${name}>${cdata(value)}</${name}>`;
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`${name} is not a finite number`);
    return `<${name}>${String(value)}</${name}>`;
  }
  return `<${name}>${Object.entries(value)
    .map(([k, v]) => buildValue(k, v))
    .join('')}</${name}>`;
}

/**
 * Serialise a reply as `<xml>…</xml>` (protocol notes §7): strings as CDATA, numbers as
 * text (CreateTime, ArticleCount), nested records as elements, arrays as repeated elements,
 * `null`/`undefined` omitted. No declaration and no whitespace, as WeChat's own samples.
 */
export function buildXml(obj: XmlBuildRecord, rootName = 'xml'): string {
  return buildValue(rootName, obj);
}
