/**
 * The request/response edges of the codec: decode a push (signatures, freshness, AES, XML →
 * `InboundMessage`), answer the URL handshake, and encode a passive reply in the right mode.
 * Pure: the caller supplies the clock (`nowSeconds`) and, in tests, the random bytes.
 *
 * Order of checks, everywhere: signatures, then freshness, then decryption. Decrypting only
 * after `msg_signature` verified means the distinct padding / app-id errors cannot serve as
 * a padding oracle — nobody without the Token can get a ciphertext of theirs decrypted.
 */
import { decryptMessage, encryptMessage } from './aes.js';
import { CodecError } from './errors.js';
import { normalizeInbound, type InboundMessage } from './inbound.js';
import { msgSignature, plainSignature, signatureMatches } from './signature.js';
import { buildXml, cdata, parseXml, type XmlBuildRecord, type XmlRecord } from './xml.js';

import type { OutboundReply } from '../../handlers/inbound/messages.js';
export type { NewsArticle, OutboundReply } from '../../handlers/inbound/messages.js';

/** Who a reply goes to: the inbound ids swapped (§7). */
export interface ReplyAddress {
  /** The user's OpenID / UserID (the inbound `fromUser`). */
  toUser: string;
  /** Our `gh_…` id / CorpID (the inbound `toUser`). */
  fromUser: string;
  createTime: number;
}

/**
 * Passive reply XML (§7). News is capped at 1 article when answering a user's message and
 * at 8 otherwise (events); extra articles are dropped.
 * @throws CodecError `bad_reply` for empty text or news without articles.
 */
export function encodeReply(reply: OutboundReply, to: ReplyAddress, options: { inReplyToUserMessage?: boolean } = {}): string {
  const head: XmlBuildRecord = { ToUserName: to.toUser, FromUserName: to.fromUser, CreateTime: Math.floor(to.createTime) };
  if (reply.type === 'text') {
    // §5: an XML reply with empty Content is an error to WeChat; "no reply" is an empty body.
    if (reply.content === '') throw new CodecError('bad_reply', 'text reply without content');
    return buildXml({ ...head, MsgType: 'text', Content: reply.content });
  }
  const cap = (options.inReplyToUserMessage ?? true) ? 1 : 8; // §7 [OA-REPLY-NEWS]
  const articles = reply.articles.slice(0, cap);
  if (articles.length === 0) throw new CodecError('bad_reply', 'news reply without articles');
  return buildXml({
    ...head,
    MsgType: 'news',
    ArticleCount: articles.length,
    Articles: { item: articles.map((a) => ({ Title: a.title, Description: a.description, PicUrl: a.picUrl ?? '', Url: a.url })) },
  });
}

/** Inputs for the encrypted reply envelope. */
export interface EnvelopeInput {
  token: string;
  encodingAESKey: string;
  receiveId: string;
  xml: string;
  timestamp: string | number;
  nonce: string;
  random?: Buffer;
}

/**
 * The encrypted reply body (§7): `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`,
 * laid out exactly as the official WXBizMsgCrypt samples do.
 */
export function encryptEnvelope(input: EnvelopeInput): string {
  const timestamp = String(input.timestamp);
  if (!/^\d+$/.test(timestamp)) throw new CodecError('bad_reply', 'envelope timestamp must be digits');
  // The nonce is signed as given and written into CDATA, so it must need no escaping.
  if (!/^[A-Za-z0-9]{1,64}$/.test(input.nonce)) throw new CodecError('bad_reply', 'envelope nonce must be 1-64 letters or digits');
  const encrypt = encryptMessage(input.encodingAESKey, input.xml, input.receiveId, input.random);
  const signature = msgSignature(input.token, timestamp, input.nonce, encrypt);
  return `<xml>\n<Encrypt>${cdata(encrypt)}</Encrypt>\n<MsgSignature>${cdata(signature)}</MsgSignature>\n<TimeStamp>${timestamp}</TimeStamp>\n<Nonce>${cdata(input.nonce)}</Nonce>\n</xml>`;
}

/** Query values as koa/`URLSearchParams` give them. */
export type Query = Readonly<Record<string, unknown>>;

/** A single string query value; a repeated parameter (array) counts as absent. */
function param(query: Query, name: string): string | undefined {
  const v = query[name];
  return typeof v === 'string' ? v : undefined;
}

function requireKey(aesKey: string | undefined): string {
  if (!aesKey) throw new CodecError('bad_aes_key', 'EncodingAESKey is required for encrypted messages');
  return aesKey;
}

/**
 * Check `msg_signature` over `encrypt`, then decrypt and check the receiveid.
 * @throws CodecError `bad_signature`, `bad_ciphertext`, `bad_padding`, `wrong_app_id`
 */
export function openEnvelope(input: { token: string; encodingAESKey: string; receiveId: string; query: Query; encrypt: string }): string {
  checkMsgSignature(input.token, input.query, input.encrypt);
  return decryptMessage(input.encodingAESKey, input.encrypt, input.receiveId);
}

/** Check the query's `signature` or `msg_signature`; absent timestamp/nonce never match. */
function checkSignature(query: Query, name: 'signature' | 'msg_signature', sign: (timestamp: string, nonce: string) => string): void {
  const timestamp = param(query, 'timestamp');
  const nonce = param(query, 'nonce');
  if (timestamp === undefined || nonce === undefined || !signatureMatches(param(query, name), sign(timestamp, nonce))) {
    throw new CodecError('bad_signature', `${name} does not match`);
  }
}
const checkMsgSignature = (token: string, query: Query, encrypt: string) =>
  checkSignature(query, 'msg_signature', (ts, nonce) => msgSignature(token, ts, nonce, encrypt));
const checkPlainSignature = (token: string, query: Query) => checkSignature(query, 'signature', (ts, nonce) => plainSignature(token, ts, nonce));

/** Reject a query `timestamp` more than `toleranceS` away from now, either way (0 = off). */
export function checkTimestamp(query: Query, nowSeconds: number, toleranceS: number): void {
  if (!toleranceS) return;
  const raw = param(query, 'timestamp') ?? '';
  if (!/^\d{1,15}$/.test(raw) || Math.abs(Number(raw) - nowSeconds) > toleranceS) {
    throw new CodecError('stale_timestamp', 'timestamp outside the accepted window');
  }
}

/** Channel: an Official Account or a WeCom self-built app. */
export type ChannelMode = 'oa' | 'wecom';

/** Inputs for {@link decodeRequest}. */
export interface DecodeRequestInput {
  mode: ChannelMode;
  query: Query;
  body: string;
  token: string;
  /** EncodingAESKey; required for WeCom and for OA compatible/safe mode. */
  aesKey?: string;
  /** OA AppID or WeCom CorpID (§1: the ciphertext's receiveid). */
  receiveId: string;
  nowSeconds: number;
  /** Allowed |query timestamp − now| in seconds; 0 turns the check off. */
  toleranceS: number;
  /** OA only: refuse plaintext pushes (set when the account runs in compatible/safe mode). */
  requireEncrypted?: boolean;
  maxBodyBytes?: number;
}

/** A decoded, authenticated push. */
export interface DecodedRequest {
  inbound: InboundMessage;
  /** True when the push was encrypted: the reply must then be an encrypted envelope. */
  encrypted: boolean;
  /** The plaintext XML (decrypted when `encrypted`). */
  rawXml: string;
  /** All fields of `rawXml`, for handlers needing one the union does not carry. */
  fields: XmlRecord;
}

function innerEncrypt(outer: XmlRecord): string {
  const encrypt = outer['Encrypt'];
  if (typeof encrypt !== 'string' || encrypt.trim() === '') throw new CodecError('malformed_xml', 'missing Encrypt');
  return encrypt.trim();
}

/**
 * Authenticate and decode one POST.
 * - OA plain: `signature` over token/timestamp/nonce (it does not cover the body, §3.2).
 * - OA compatible/safe (`encrypt_type=aes`): `signature` and `msg_signature` over `Encrypt`;
 *   the decrypted fields are used and any plaintext copies in the body ignored (§3.1).
 * - WeCom: `msg_signature` only, always encrypted, receiveid = CorpID (§3.3).
 * @throws CodecError (see errors.ts; `status` is the HTTP answer)
 */
export function decodeRequest(input: DecodeRequestInput): DecodedRequest {
  const { mode, query, token, receiveId, nowSeconds, toleranceS } = input;
  const parse = (xml: string) => parseXml(xml, input.maxBodyBytes === undefined ? {} : { maxBytes: input.maxBodyBytes });
  let rawXml = input.body;
  let encrypted = true;
  if (mode === 'oa') {
    checkPlainSignature(token, query);
    const encryptType = param(query, 'encrypt_type') ?? 'raw';
    if (encryptType !== 'aes' && encryptType !== 'raw') throw new CodecError('bad_query', 'unknown encrypt_type');
    encrypted = encryptType === 'aes';
    // §3.2: in safe mode a replayed plain `signature` would otherwise carry a forged body.
    if (!encrypted && input.requireEncrypted) throw new CodecError('encryption_required', 'plaintext push refused');
  }
  if (encrypted) {
    const encrypt = innerEncrypt(parse(input.body));
    checkMsgSignature(token, query, encrypt);
    checkTimestamp(query, nowSeconds, toleranceS);
    rawXml = decryptMessage(requireKey(input.aesKey), encrypt, receiveId);
  } else {
    checkTimestamp(query, nowSeconds, toleranceS);
  }
  const fields = parse(rawXml);
  return { inbound: normalizeInbound(fields), encrypted, rawXml, fields };
}

/**
 * Answer the GET handshake (§2): returns the body to send, as is (no quotes, no newline).
 * OA: plain `signature`, `echostr` returned unchanged. WeCom: `msg_signature` over the
 * encrypted `echostr`, decrypted, receiveid checked against the CorpID.
 */
export function verifyUrl(input: {
  mode: ChannelMode;
  query: Query;
  token: string;
  aesKey?: string;
  receiveId: string;
  nowSeconds?: number;
  toleranceS?: number;
}): string {
  const { mode, query, token } = input;
  const raw = param(query, 'echostr');
  if (mode === 'oa') {
    checkPlainSignature(token, query);
    checkTimestamp(query, input.nowSeconds ?? 0, input.toleranceS ?? 0);
    if (!raw) throw new CodecError('bad_query', 'missing echostr');
    return raw;
  }
  // §2.2: echostr is base64 and must arrive URL-encoded; if a `+` was not escaped, form
  // decoding turned it into a space. Base64 has no spaces, so restoring them is lossless.
  const echostr = raw?.replaceAll(' ', '+');
  if (!echostr) throw new CodecError('bad_query', 'missing echostr');
  checkMsgSignature(token, query, echostr);
  checkTimestamp(query, input.nowSeconds ?? 0, input.toleranceS ?? 0);
  return decryptMessage(requireKey(input.aesKey), echostr, input.receiveId);
}

/** Inputs for {@link encodeResponse}. */
export interface EncodeResponseInput {
  /** `null` = no passive reply: an empty body (§5), answer later through the API. */
  reply: OutboundReply | null;
  /** The request being answered (from {@link decodeRequest}). */
  request: Pick<DecodedRequest, 'inbound' | 'encrypted'>;
  token: string;
  aesKey?: string;
  receiveId: string;
  nowSeconds: number;
  /** Envelope nonce; the request's own nonce is allowed (§7). */
  nonce: string;
  random?: Buffer;
}

/**
 * The final HTTP body for a push: `''` for no reply, plaintext XML for OA plain mode, the
 * encrypted envelope for OA compatible/safe and WeCom.
 */
export function encodeResponse(input: EncodeResponseInput): string {
  if (input.reply === null) return '';
  const { inbound, encrypted } = input.request;
  const xml = encodeReply(
    input.reply,
    { toUser: inbound.fromUser, fromUser: inbound.toUser, createTime: input.nowSeconds },
    { inReplyToUserMessage: inbound.type !== 'event' },
  );
  if (!encrypted) return xml;
  return encryptEnvelope({
    token: input.token,
    encodingAESKey: requireKey(input.aesKey),
    receiveId: input.receiveId,
    xml,
    timestamp: Math.floor(input.nowSeconds),
    nonce: input.nonce,
    random: input.random,
  });
}
