/**
 * Operational messages to many residents — a volunteer task's prompt, a fact-check for everyone
 * who asked, the daily health reminder, an allocation round's offer. Unlike a public notice they
 * need no three-level audit, but they travel the same way: queued, each send on the notices'
 * shared pace (BROADCAST_RATE_PER_S counts both), the notices' channel choice (customer-service
 * message inside the 48-hour window as the resident cache knows it, from the same budget; template
 * outside), each recipient once — also when the message is queued from several places at once.
 *
 * A message is text in both languages (an i18n key and its parameters), rendered per resident.
 */
import type { Prompt } from '../../flows/engine/types.js';

export interface BulkMessage {
  /** What it is about, e.g. `volunteer-task`, `fact-check`, `health-reminder`. */
  kind: string;
  /** The id of the thing it is about (task id, fact-check id, date…): (kind, ref) is sent once. */
  ref: string;
  /** The template message's title (WeChat shows it above the text outside the window). */
  title: Prompt;
  text: Prompt;
  residentIds: string[];
  urgent?: boolean;
}

export interface BulkMessages {
  /**
   * Queue the message. Idempotent per (kind, ref): queueing it again sends to the residents not
   * reached yet and never twice to one. Resolves once queued, not sent; `queued` counts the
   * recipients this call added.
   */
  send(m: BulkMessage): Promise<{ messageId: string; queued: number }>;
  /** Whether (kind, ref) was queued already. */
  exists(kind: string, ref: string): Promise<boolean>;
}
