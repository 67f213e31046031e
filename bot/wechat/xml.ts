/**
 * A small, safe XML layer for the push protocol: `parseXml` for bodies WeChat/WeCom send,
 * `buildXml` for passive replies. Everything is kept as strings: a 64-bit `MsgId` or an
 * all-digit OpenID/UserID must never become a (rounded) number (protocol notes §6).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CodecError } from './errors.js';

/** A parsed value: leaf text, a nested element, or repeated sibling elements. */
export type XmlValue = string | XmlRecord | XmlValue[];
/** The children of one element, by tag name. */
export interface XmlRecord {
  [name: string]: XmlValue;
}

/** Default largest body accepted; compatible-mode bodies are ~3× the message (§3.1). */
export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;

const parser = new XMLParser({
  preserveOrder: true, // keeps text and CDATA parts in order, so only text is entity-decoded
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false, // the five predefined entities are decoded below, in one pass
  htmlEntities: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type OrderedNode = Record<string, unknown>;

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decode the five predefined entities and numeric character references in one pass, so
 * `&amp;lt;` becomes `&lt;` and not `<`. Anything else (`&foo;`) is left as written.
 */
export function decodeEntities(text: string): string {
  return text.replace(/&(?:#(\d{1,7})|#x([0-9A-Fa-f]{1,6})|(lt|gt|amp|quot|apos));/g, (all, dec, hex, name) => {
    if (name) return PREDEFINED[name as string] ?? all;
    const cp = dec ? Number.parseInt(dec as string, 10) : Number.parseInt(hex as string, 16);
    const legal = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0x10ffff && cp !== 0xfffe && cp !== 0xffff);
    return legal ? String.fromCodePoint(cp) : all;
  });
}

function nodeName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@');
}

/** Turn one element's ordered children into a leaf string or a record. */
function toValue(children: OrderedNode[]): XmlValue {
  const texts: { text: string; cdata: boolean }[] = [];
  const entries: [string, XmlValue][] = [];
  for (const child of children) {
    const name = nodeName(child);
    if (name === undefined) continue;
    if (name === '#text') texts.push({ text: String(child[name]), cdata: false });
    else if (name === '#cdata') {
      const inner = (child[name] as OrderedNode[]).map((c) => String(c['#text'] ?? '')).join('');
      texts.push({ text: inner, cdata: true });
    } else entries.push([name, toValue(child[name] as OrderedNode[])]);
  }
  if (entries.length === 0) {
    // `<MsgType>  <![CDATA[video]]></MsgType>` occurs in the official sample: whitespace
    // around CDATA is layout, text without CDATA is kept exactly (user content).
    const hasCdata = texts.some((t) => t.cdata);
    return texts
      .filter((t) => t.cdata || !hasCdata || t.text.trim() !== '')
      .map((t) => (t.cdata ? t.text : decodeEntities(t.text)))
      .join('');
  }
  // Element content: whitespace between elements (§6 "newlines are common") is dropped;
  // stray mixed text is ignored, WeChat never sends it.
  const grouped = new Map<string, XmlValue>();
  for (const [name, value] of entries) {
    const prev = grouped.get(name);
    if (prev === undefined) grouped.set(name, value);
    // toValue never returns an array, so an array here is a list of repeats we made.
    else if (Array.isArray(prev)) prev.push(value);
    else grouped.set(name, [prev, value]);
  }
  return Object.fromEntries(grouped); // own data properties only: no prototype setters
}

/**
 * Parse a WeChat/WeCom XML body into the children of its `<xml>` root. Repeated siblings
 * become arrays; attributes, comments and processing instructions are ignored.
 * @throws CodecError `empty_body`, `body_too_large`, `forbidden_doctype`, `not_xml`, `malformed_xml`
 */
export function parseXml(body: string, options: { maxBytes?: number } = {}): XmlRecord {
  const max = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  if (body.length > max || Buffer.byteLength(body, 'utf8') > max) throw new CodecError('body_too_large');
  const text = body.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new CodecError('empty_body');
  // No DTDs at all, anywhere (even inside CDATA): no entity bombs, no external entities, and
  // no reliance on the parser's own limits. WeChat never sends a DOCTYPE.
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(text)) throw new CodecError('forbidden_doctype');
  if (!text.trimStart().startsWith('<')) throw new CodecError('not_xml', 'body is not markup');
  if (XMLValidator.validate(text) !== true) throw new CodecError('malformed_xml', 'body is not well-formed XML');
  let doc: OrderedNode[];
  try {
    doc = parser.parse(text) as OrderedNode[];
  } catch (cause) {
    throw new CodecError('malformed_xml', 'body could not be parsed', { cause });
  }
  const roots = doc.filter((n) => nodeName(n) !== '#text' || String(n['#text']).trim() !== '');
  const root = roots[0];
  if (roots.length !== 1 || root === undefined || nodeName(root) !== 'xml') {
    throw new CodecError('malformed_xml', 'expected exactly one <xml> root element');
  }
  const value = toValue(root['xml'] as OrderedNode[]);
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
