/**
 * Parsed push XML → `InboundMessage`, the one shape handlers see for OA and WeCom alike
 * (protocol notes §6 for the table of types; WeCom adds `AgentID`, §3.3).
 */
import { CodecError } from './errors.js';
import type { XmlRecord } from './xml.js';

import type { InboundBody, InboundEvent, InboundMessage } from '../../handlers/inbound/messages.js';
export type { InboundBody, InboundCommon, InboundEvent, InboundMessage } from '../../handlers/inbound/messages.js';

/** A leaf string field, or undefined when absent or not a leaf. */
function field(fields: XmlRecord, ...names: string[]): string | undefined {
  for (const name of names) {
    const v = fields[name];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

const text = (fields: XmlRecord, name: string): string => field(fields, name) ?? '';

function required(fields: XmlRecord, name: string): string {
  const v = field(fields, name)?.trim();
  if (!v) throw new CodecError('malformed_xml', `missing ${name}`);
  return v;
}

function decimal(fields: XmlRecord, name: string): number {
  const raw = field(fields, name)?.trim() ?? '';
  const n = Number(raw);
  // A missing coordinate must not become 0,0 (a real place), so it is an error.
  if (raw === '' || !Number.isFinite(n)) throw new CodecError('malformed_xml', `${name} is not a number`);
  return n;
}

function normalizeEvent(fields: XmlRecord, name: string): InboundEvent {
  const key = text(fields, 'EventKey');
  switch (name.toLowerCase()) {
    case 'subscribe': {
      // §6: EventKey is empty on a plain follow, `qrscene_<scene>` plus Ticket via a QR code.
      const sceneKey = key.startsWith('qrscene_') ? key.slice('qrscene_'.length) : key;
      const ticket = field(fields, 'Ticket');
      return { event: 'subscribe', ...(sceneKey ? { sceneKey } : {}), ...(ticket ? { ticket } : {}) };
    }
    case 'unsubscribe':
      return { event: 'unsubscribe' };
    case 'scan':
      return { event: 'scan', sceneKey: key.replace(/^qrscene_/, ''), ticket: text(fields, 'Ticket') };
    case 'location':
      return { event: 'location', lat: decimal(fields, 'Latitude'), lng: decimal(fields, 'Longitude'), precision: decimal(fields, 'Precision') };
    case 'click':
      return { event: 'click', key };
    case 'view': {
      const menuId = field(fields, 'MenuId', 'MenuID');
      return { event: 'view', url: key, ...(menuId ? { menuId } : {}) };
    }
    case 'templatesendjobfinish':
      return { event: 'template_send_finished', status: text(fields, 'Status') };
    default:
      return { event: 'unknown_event', name, raw: fields };
  }
}

function normalizeBody(fields: XmlRecord, msgType: string): InboundBody {
  switch (msgType.toLowerCase()) {
    case 'text':
      return { type: 'text', content: text(fields, 'Content') };
    case 'image':
      return { type: 'image', picUrl: text(fields, 'PicUrl'), mediaId: text(fields, 'MediaId') };
    case 'voice': {
      const recognition = field(fields, 'Recognition');
      return { type: 'voice', mediaId: text(fields, 'MediaId'), format: text(fields, 'Format'), ...(recognition ? { recognition } : {}) };
    }
    case 'video':
    case 'shortvideo':
      return { type: msgType.toLowerCase() as 'video' | 'shortvideo', mediaId: text(fields, 'MediaId'), thumbMediaId: text(fields, 'ThumbMediaId') };
    case 'location':
      return {
        type: 'location',
        lat: decimal(fields, 'Location_X'),
        lng: decimal(fields, 'Location_Y'),
        scale: decimal(fields, 'Scale'),
        label: text(fields, 'Label'),
      };
    case 'link':
      return { type: 'link', title: text(fields, 'Title'), description: text(fields, 'Description'), url: text(fields, 'Url') };
    case 'event':
      return { type: 'event', ...normalizeEvent(fields, required(fields, 'Event')) };
    default:
      return { type: 'unknown', msgType, raw: fields };
  }
}

/**
 * Normalise the children of a push's `<xml>` root (from `parseXml`, after decryption).
 * Unknown `MsgType`s and events normalise to `unknown` / `unknown_event`, never throw.
 * @throws CodecError `malformed_xml` when FromUserName, MsgType, CreateTime (or Event on an
 *   event) is missing, or a known type's coordinate is not a number.
 */
export function normalizeInbound(fields: XmlRecord): InboundMessage {
  const fromUser = required(fields, 'FromUserName');
  const msgType = required(fields, 'MsgType');
  const createTimeRaw = required(fields, 'CreateTime');
  if (!/^\d{1,15}$/.test(createTimeRaw)) throw new CodecError('malformed_xml', 'CreateTime is not an integer');
  const createTime = Number(createTimeRaw);
  // §6: MsgId vs MsgID casing differs by type.
  const msgId = field(fields, 'MsgId', 'MsgID')?.trim() || undefined;
  const agentId = field(fields, 'AgentID', 'AgentId')?.trim() || undefined;
  const body = normalizeBody(fields, msgType);
  // §5: messages dedupe on MsgId, events (no MsgId) on sender + CreateTime; Event and EventKey
  // are added so two different events from one user in the same second stay distinct.
  const dedupKey =
    body.type === 'event' || msgId === undefined
      ? `evt:${fromUser}:${createTime}:${field(fields, 'Event')?.trim() ?? msgType}:${text(fields, 'EventKey')}`
      : `msg:${fromUser}:${msgId}`;
  return {
    toUser: text(fields, 'ToUserName').trim(),
    fromUser,
    createTime,
    ...(msgId !== undefined ? { msgId } : {}),
    ...(agentId !== undefined ? { agentId } : {}),
    dedupKey,
    ...body,
  } as InboundMessage;
}
