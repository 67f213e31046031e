/**
 * Build the HTTP requests WeChat (and WeCom) would send to our webhook, signed and — in
 * compatible/safe mode and for WeCom — encrypted exactly as the platform does
 * (docs/wechat-protocol.md §2–§4). Pure: no I/O; the clock, nonce and message id come in as
 * arguments. Shared by the terminal chat (`npm run chat`), the webhook tests and the benchmark.
 */
import { buildXml, encryptMessage, msgSignature, plainSignature, type XmlBuildRecord } from '../../bot/wechat/index.js';

/** How the push travels: OA plain / compatible / safe (§3.1), or a WeCom app callback (§3.3). */
export type WireMode = 'plain' | 'compatible' | 'safe' | 'wecom';
export const WIRE_MODES: readonly WireMode[] = ['plain', 'compatible', 'safe', 'wecom'];

/** One channel's developer settings as the platform knows them. */
export interface ChannelCredentials {
  token: string;
  /** EncodingAESKey (43 characters). */
  aesKey: string;
  /** OA AppID or WeCom CorpID: the receiveid inside every ciphertext (§1). */
  receiveId: string;
  /** `ToUserName` of pushes: the OA original id `gh_…`, or the CorpID for WeCom (§1). */
  toUser: string;
  /** WeCom AgentID (WeCom only). */
  agentId?: string;
}

/** What a resident does, in the shapes WeChat pushes (§6). */
export type ResidentAction =
  | { type: 'text'; content: string }
  | { type: 'location'; lat: number; lng: number; scale?: number; label?: string }
  | { type: 'image'; picUrl: string; mediaId: string }
  /** Any other MsgType (e.g. `miniprogrampage`), with extra leaf fields. */
  | { type: 'raw'; msgType: string; fields?: Record<string, string> }
  /** `sceneKey` without the `qrscene_` prefix (it is added, as WeChat does). */
  | { type: 'subscribe'; sceneKey?: string }
  | { type: 'unsubscribe' }
  | { type: 'click'; key: string }
  | { type: 'view'; url: string }
  | { type: 'scan'; sceneKey: string }
  | { type: 'location_event'; lat: number; lng: number; precision?: number };

/** Identity and time of one push. Events have no MsgId: WeChat dedupes them on sender + CreateTime (§5). */
export interface PushMeta {
  fromUser: string;
  /** Integer seconds. */
  createTime: number;
  /** Messages only (ignored for events); a 64-bit decimal string. */
  msgId: string;
}

/** The plaintext XML WeChat pushes for `action` (before any encryption). */
export function actionXml(action: ResidentAction, meta: PushMeta, creds: Pick<ChannelCredentials, 'toUser' | 'agentId'>): string {
  const head: XmlBuildRecord = { ToUserName: creds.toUser, FromUserName: meta.fromUser, CreateTime: meta.createTime };
  const event = (name: string, rest: XmlBuildRecord = {}): XmlBuildRecord => ({ ...head, MsgType: 'event', Event: name, ...rest });
  let fields: XmlBuildRecord;
  switch (action.type) {
    case 'text':
      fields = { ...head, MsgType: 'text', Content: action.content, MsgId: meta.msgId };
      break;
    case 'location':
      fields = {
        ...head,
        MsgType: 'location',
        Location_X: action.lat,
        Location_Y: action.lng,
        Scale: action.scale ?? 15,
        Label: action.label ?? '',
        MsgId: meta.msgId,
      };
      break;
    case 'image':
      fields = { ...head, MsgType: 'image', PicUrl: action.picUrl, MediaId: action.mediaId, MsgId: meta.msgId };
      break;
    case 'raw':
      fields = { ...head, MsgType: action.msgType, ...action.fields, MsgId: meta.msgId };
      break;
    case 'subscribe':
      fields = event('subscribe', action.sceneKey ? { EventKey: `qrscene_${action.sceneKey}`, Ticket: `gQ-ticket-${action.sceneKey}` } : { EventKey: '' });
      break;
    case 'unsubscribe':
      fields = event('unsubscribe', { EventKey: '' });
      break;
    case 'click':
      fields = event('CLICK', { EventKey: action.key });
      break;
    case 'view':
      fields = event('VIEW', { EventKey: action.url });
      break;
    case 'scan':
      fields = event('SCAN', { EventKey: action.sceneKey, Ticket: `gQ-ticket-${action.sceneKey}` });
      break;
    case 'location_event':
      fields = event('LOCATION', { Latitude: action.lat, Longitude: action.lng, Precision: action.precision ?? 30 });
      break;
  }
  if (creds.agentId) fields.AgentID = creds.agentId;
  return buildXml(fields);
}

/** Per-request randomness and time, supplied by the caller so this module stays pure. */
export interface Stamp {
  /** Query `timestamp`, integer seconds. */
  timestamp: number;
  /** Query `nonce`, digits as WeChat sends. */
  nonce: string;
  /** The 16 random bytes inside the ciphertext (tests pin them; omitted = random). */
  random?: Buffer;
}

/** A request ready to send: query parameters and the raw body. */
export interface WireRequest {
  query: Record<string, string>;
  body: string;
}

/**
 * Wrap the plaintext push `xml` for the wire in `mode` (§3):
 * - plain: `signature, timestamp, nonce, openid`, body as is;
 * - compatible: plus `encrypt_type=aes, msg_signature`; body = plaintext fields and `<Encrypt>`;
 * - safe: the same query; body = `<ToUserName/><Encrypt/>` only;
 * - wecom: `msg_signature, timestamp, nonce`; body = `<ToUserName/><Encrypt/><AgentID/>`.
 */
export function wrapPush(mode: WireMode, creds: ChannelCredentials, xml: string, stamp: Stamp, openid?: string): WireRequest {
  const timestamp = String(stamp.timestamp);
  const { nonce } = stamp;
  if (mode === 'plain') {
    return { query: { signature: plainSignature(creds.token, timestamp, nonce), timestamp, nonce, ...(openid ? { openid } : {}) }, body: xml };
  }
  const encrypt = encryptMessage(creds.aesKey, xml, creds.receiveId, stamp.random);
  const msg_signature = msgSignature(creds.token, timestamp, nonce, encrypt);
  if (mode === 'wecom') {
    const agent = creds.agentId ? `<AgentID><![CDATA[${creds.agentId}]]></AgentID>` : '';
    return {
      query: { msg_signature, timestamp, nonce },
      body: `<xml><ToUserName><![CDATA[${creds.toUser}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt>${agent}</xml>`,
    };
  }
  const query = {
    signature: plainSignature(creds.token, timestamp, nonce),
    timestamp,
    nonce,
    ...(openid ? { openid } : {}),
    encrypt_type: 'aes',
    msg_signature,
  };
  const body =
    mode === 'compatible'
      ? xml.replace(/<\/xml>$/, `<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`)
      : `<xml><ToUserName><![CDATA[${creds.toUser}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  return { query, body };
}

/** The push for one resident action in `mode` (see {@link actionXml} and {@link wrapPush}). */
export function buildPush(mode: WireMode, creds: ChannelCredentials, action: ResidentAction, meta: PushMeta, stamp: Stamp): WireRequest {
  return wrapPush(mode, creds, actionXml(action, meta, creds), stamp, mode === 'wecom' ? undefined : meta.fromUser);
}

/**
 * The GET handshake (§2): OA sends a plain `signature` and `echostr` as is; WeCom signs and
 * encrypts `echostr` and expects its plaintext back.
 */
export function buildUrlVerification(mode: WireMode, creds: ChannelCredentials, echo: string, stamp: Stamp): Record<string, string> {
  const timestamp = String(stamp.timestamp);
  const { nonce } = stamp;
  if (mode !== 'wecom') return { signature: plainSignature(creds.token, timestamp, nonce), timestamp, nonce, echostr: echo };
  const echostr = encryptMessage(creds.aesKey, echo, creds.receiveId, stamp.random);
  return { msg_signature: msgSignature(creds.token, timestamp, nonce, echostr), timestamp, nonce, echostr };
}

/** `?a=1&b=2`, URL-encoded (WeCom's base64 `echostr` needs its `+ / =` escaped, §2.2). */
export function queryString(query: Record<string, string>): string {
  return `?${new URLSearchParams(query).toString()}`;
}

/** The webhook path of a mode. */
export const webhookPath = (mode: WireMode): '/wechat' | '/wecom' => (mode === 'wecom' ? '/wecom' : '/wechat');
