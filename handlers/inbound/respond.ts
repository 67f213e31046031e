import type { TFunction } from 'i18next';
import type { InboundMessage } from './messages.js';
import type { OutboundReply } from './messages.js';
import { intentOfClick, intentOfText, type Intent } from '../../flows/menu.js';
import type { Language } from '../../models/resident.js';
import type { ResidentView } from './touch-resident.js';
import type { ConversationSession } from './session.js';

export interface RespondDeps {
  /** A translator for a language. */
  t: (language: Language) => TFunction;
  /** Persist a resident's language choice. */
  setLanguage: (residentId: string, language: Language) => Promise<void>;
}

export interface RespondInput {
  inbound: InboundMessage;
  resident: ResidentView;
  session: ConversationSession;
}

export interface RespondOutput {
  reply: OutboundReply | null;
  session: ConversationSession;
}

const text = (content: string): OutboundReply => ({ type: 'text', content });

/**
 * One conversation step for an inbound message: the welcome on subscribe, the menu, language
 * switching, and each service entry. The service flows themselves (health report, supplies,
 * volunteers, rumours) come with the conversation engine; until then an entry says it opens soon.
 */
export async function respond(deps: RespondDeps, input: RespondInput): Promise<RespondOutput> {
  const { inbound, resident, session } = input;
  const t = deps.t(resident.language);
  if (inbound.type === 'event') {
    switch (inbound.event) {
      case 'subscribe':
        return { reply: text(t('welcome')), session: {} };
      case 'unsubscribe':
      case 'template_send_finished':
      case 'location':
      case 'view':
      case 'unknown_event':
        return { reply: null, session };
      case 'scan':
        return { reply: text(t('menu')), session };
      case 'click':
        return answerIntent(deps, resident, session, intentOfClick(inbound.key));
    }
  }
  if (inbound.type === 'text') return answerIntent(deps, resident, session, intentOfText(inbound.content));
  if (inbound.type === 'voice' && inbound.recognition) return answerIntent(deps, resident, session, intentOfText(inbound.recognition));
  return { reply: text(t('unsupported_message')), session };
}

async function answerIntent(deps: RespondDeps, resident: ResidentView, session: ConversationSession, intent: Intent): Promise<RespondOutput> {
  switch (intent.kind) {
    case 'language': {
      await deps.setLanguage(resident.id, intent.language);
      return { reply: text(`${deps.t(intent.language)('language_switched')}\n${deps.t(intent.language)('menu')}`), session };
    }
    case 'service': {
      const t = deps.t(resident.language);
      return { reply: text(t('coming_soon', { service: t(`services.${intent.service}`) })), session };
    }
    case 'menu':
    case 'unknown':
      return { reply: text(deps.t(resident.language)('menu')), session };
  }
}
