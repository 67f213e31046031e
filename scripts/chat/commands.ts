/**
 * What a line typed in the terminal chat means: a slash command, or a text message.
 * Pure, so it is easy to test and to extend.
 */
import type { ResidentAction } from './wechat-request.js';

export const HELP = `Type a message and press Enter to send it as text. Commands:
  /subscribe [SCENE]   follow the account (through a QR code with SCENE, if given)
  /unsubscribe         unfollow
  /click KEY           tap a menu button (HEALTH_REPORT, SUPPLIES, VOLUNTEER, RUMOR_CHECK, MY_ACCOUNT, RETURNEE, BOOKING)
  /scan SCENE          scan a parametric QR code as an existing follower
  /location LAT LNG    report your location (the LOCATION event)
  /help                this text
  /quit                leave (Ctrl-D works too)`;

export type ChatLine =
  | { kind: 'send'; action: ResidentAction }
  | { kind: 'help' }
  | { kind: 'quit' }
  | { kind: 'empty' }
  /** A malformed command: tell the user, keep going. */
  | { kind: 'error'; message: string };

const number = (s: string | undefined): number | undefined => (s !== undefined && s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined);

/** Interpret one input line. */
export function parseLine(line: string): ChatLine {
  const text = line.trim();
  if (text === '') return { kind: 'empty' };
  if (!text.startsWith('/')) return { kind: 'send', action: { type: 'text', content: line.replace(/\r$/, '') } };
  const [command = '', ...args] = text.split(/\s+/);
  switch (command.toLowerCase()) {
    case '/help':
    case '/?':
      return { kind: 'help' };
    case '/quit':
    case '/exit':
      return { kind: 'quit' };
    case '/subscribe':
      return { kind: 'send', action: args[0] ? { type: 'subscribe', sceneKey: args[0] } : { type: 'subscribe' } };
    case '/unsubscribe':
      return { kind: 'send', action: { type: 'unsubscribe' } };
    case '/click':
      return args[0] ? { kind: 'send', action: { type: 'click', key: args[0] } } : { kind: 'error', message: 'usage: /click KEY' };
    case '/scan':
      return args[0] ? { kind: 'send', action: { type: 'scan', sceneKey: args[0] } } : { kind: 'error', message: 'usage: /scan SCENE' };
    case '/location': {
      const lat = number(args[0]);
      const lng = number(args[1]);
      if (lat === undefined || lng === undefined || Math.abs(lat) > 90 || Math.abs(lng) > 180)
        return { kind: 'error', message: 'usage: /location LAT LNG (decimal degrees)' };
      return { kind: 'send', action: { type: 'location_event', lat, lng } };
    }
    default:
      return { kind: 'error', message: `unknown command ${command}; /help lists them` };
  }
}
