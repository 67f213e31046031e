import type { ConversationInput } from '../../flows/engine/types.js';
import type { InboundMessage } from './messages.js';

/** What the engine should make of a channel message. */
export function conversationInput(m: InboundMessage): ConversationInput {
  switch (m.type) {
    case 'text':
      return { kind: 'text', text: m.content };
    case 'voice':
      // WeChat's speech recognition, when on, gives us text; otherwise we cannot listen.
      return m.recognition?.trim() ? { kind: 'text', text: m.recognition, voice: true } : { kind: 'unreadable', what: 'voice' };
    case 'image':
      return { kind: 'unreadable', what: 'image' };
    case 'video':
    case 'shortvideo':
      return { kind: 'unreadable', what: 'video' };
    case 'location':
      return { kind: 'unreadable', what: 'location' };
    case 'link':
      // A forwarded article: its title is what the resident wants us to read.
      return m.title.trim() ? { kind: 'text', text: m.title, link: true } : { kind: 'unreadable', what: 'link' };
    case 'unknown':
      return { kind: 'unreadable', what: 'other' };
    case 'event':
      switch (m.event) {
        case 'subscribe':
          return { kind: 'subscribe', ...(m.sceneKey ? { scene: m.sceneKey } : {}) };
        case 'scan':
          return { kind: 'scan', scene: m.sceneKey };
        case 'click':
          return { kind: 'click', key: m.key };
        default:
          return { kind: 'silent' };
      }
  }
}
