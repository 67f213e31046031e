/**
 * Effects: what a conversation step asks the world to do, as data (goflow's events). The engine
 * never writes; `handlers/inbound/effects/` carries each one out, in order, before the reply is
 * sent — so whatever a resident submits is stored before the bot says it was received. An
 * effect's result (a ticket number, say) is handed to the replies as parameters.
 */
import type { HealthAnswers } from '../health/risk.js';
import type { SupplyCategory, Urgency } from '../supplies/priority.js';
import type { GateDirection } from '../gates/rules.js';
import type { Transport } from '../returnees/returnee.js';
import type { Area, Availability, Skill } from '../volunteers/skills.js';
import type { Language } from './types.js';

export interface RegistrationData {
  communityCode: string;
  buildingCode: string;
  unit?: string;
  room: string;
  householdSize: number;
  vulnerable: string[];
  /** E.164 mobile number, when given. */
  mobile?: string;
  /** The QR poster scene the community came from, if any. */
  scene?: string;
}

/** What a visitor tells the gate. */
export interface VisitorData {
  name: string;
  /** E.164. */
  mobile: string;
  /** Whom they visit (a room or a name). */
  host: string;
  purpose: string;
}

export interface VolunteerSignUp {
  name: string;
  /** E.164. */
  mobile: string;
  skills: Skill[];
  availability: Availability[];
  area: Area;
}

/** Which task a reply means: a code the volunteer typed (`T12`), or the latest prompt they received. */
export type TaskRef = { code: string } | { latest: true; id?: string; code?: string };

export type Effect =
  | { type: 'setLanguage'; language: Language }
  | { type: 'saveRegistration'; registration: RegistrationData }
  /** Ask a person to help: three misses in a row, or the resident asked for one. */
  | { type: 'escalate'; reason: 'misses' | 'asked'; flow?: string; step?: string; lastInput?: string }
  | { type: 'submitHealthReport'; answers: HealthAnswers; reusedYesterday: boolean }
  /** A yellow or red report: the building's responsible staff are told (at most once a day per level). */
  | { type: 'raiseHealthAlert'; level: 'yellow' | 'red'; reasons: string[] }
  | { type: 'submitSupplyRequest'; category: SupplyCategory; items: string; urgency: Urgency; address: string }
  /** The resident answered the "still needed?" question of an old request. */
  | { type: 'answerStillNeeded'; requestId: string; stillNeeded: boolean }
  /** A gate pass: checked against the closed-management rules; the outcome (a pass code, or the reason it was refused) is `gatePass`. */
  | { type: 'requestGatePass'; gateId: string; direction: GateDirection; visitor?: VisitorData }
  /** A resident back from elsewhere; from a risk area, an observation period (local dates, inclusive). */
  | {
      type: 'registerReturn';
      from: string;
      arrivalDate: string;
      transport: Transport;
      riskArea?: string;
      observation?: { startDate: string; endDate: string };
    }
  /** Book a pick-up slot of an allocation round for the household; the outcome is `booking`. */
  | { type: 'bookAllocation'; roundId: string; slotId: string; quantity: number }
  | { type: 'cancelAllocationBooking'; roundId: string }
  /** A volunteer sign-up for staff to approve (the replies get nothing back: it is pending). */
  | { type: 'submitVolunteer'; volunteer: VolunteerSignUp }
  /** Take a place on a task; the result `taskReply` says what the slot claim decided. */
  | { type: 'joinTask'; task: TaskRef }
  /** Give a place (or a waitlist place) back; the result `taskReply` says what happened. */
  | { type: 'leaveTask'; task: { code: string } }
  /** The resident was told a released fact-check (recorded, so a correction reaches them). */
  | { type: 'recordRumorAnswer'; factCheckId: string; version: number }
  /** Nothing in the fact base answers the resident's question: join or open a pending claim. */
  | { type: 'askClaim'; text: string };

export type EffectType = Effect['type'];
