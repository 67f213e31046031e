/**
 * Data a flow reads but does not own, loaded by the caller when the flow starts (a flow lists
 * what it needs in `needs`). Kept on the session while the flow runs, so answering a question
 * never waits on the database.
 */
import type { HealthAnswers } from '../health/risk.js';
import type { SupplyCategory, SupplyStatus, Urgency } from '../supplies/priority.js';
import type { RumorCheck } from '../rumors/card.js';
import type { Skill } from '../volunteers/skills.js';

export interface CommunityFact {
  code: string;
  name: string;
  buildings: { code: string; name: string }[];
}

export interface HealthReportFact extends HealthAnswers {
  /** Local date of the report, YYYY-MM-DD. */
  date: string;
}

export interface SupplyRequestFact {
  id: string;
  ticket: string;
  category: SupplyCategory;
  items: string;
  urgency: Urgency;
  status: SupplyStatus;
  createdAt: string;
}

/** A gate whose poster can be scanned (scene `g:<id>`). */
export interface GateFact {
  id: string;
  name: string;
  communityCode: string;
  communityName: string;
  /** A building's own gate (a building under closed management). */
  buildingCode?: string;
}

/** Where the resident's last granted pass left them. */
export interface GatePresenceFact {
  state: 'out' | 'in';
  gateId: string;
  communityCode: string;
  /** Local date of that pass. */
  date: string;
  visitor: boolean;
}

/** What the returnee form needs from the resident's community. */
export interface ReturneeRulesFact {
  /** Places a return from which starts an observation (`上海/Shanghai`: spellings separated by `/`). */
  riskAreas: string[];
  observationDays: number;
  /** Local times the resident is reminded to report (the observation message names them). */
  remindAt: string[];
}

/** An allocation round the resident's household may book now. */
export interface AllocationOfferFact {
  id: string;
  item: string;
  /** Units a household may book. */
  perHousehold: number;
  stock: number;
  /** Units not booked yet (live figure when the form opened). */
  left: number;
  slots: { id: string; start: string; end: string; left: number }[];
  /** The household's booking in this round, if any. */
  booking?: { slotId: string; quantity: number; pickupCode: string; bookedBy: 'me' | 'household' };
  /** Not bookable by this household before then (ISO; a vulnerable-first window). */
  opensAt?: string;
}

/** The resident's volunteer sign-up, as far as the conversation needs it. */
export interface VolunteerFact {
  status: 'pending' | 'approved' | 'rejected';
  name: string;
  skills: Skill[];
}

/** The last task prompt the resident was sent (kept 24 hours): what a bare `1` answers. */
export interface TaskPromptFact {
  taskId: string;
  code: string;
  title: string;
}

export interface Facts {
  /** The communities a resident may register in, with their buildings. */
  communities?: CommunityFact[];
  /** The resident's latest health report before today (null: none in the last week). */
  lastHealthReport?: HealthReportFact | null;
  /** Today's report, when the resident already sent one (a new one replaces it). */
  todayHealthReport?: HealthReportFact | null;
  /** The resident's supply requests, newest first (open and recently closed). */
  supplyRequests?: SupplyRequestFact[];
  /** Every gate (a scan names one by id; a visitor may live elsewhere). */
  gates?: GateFact[];
  /** The resident's place by the last granted pass (null: never passed a gate). */
  gatePresence?: GatePresenceFact | null;
  returneeRules?: ReturneeRulesFact;
  /** Allocation rounds open to the household now, oldest first. */
  allocationOffers?: AllocationOfferFact[];
  /** The resident's volunteer sign-up (null: never signed up). */
  volunteer?: VolunteerFact | null;
  /** The task prompt received in the last 24 hours (null: none). */
  latestTaskPrompt?: TaskPromptFact | null;
  /** A lookup: the released fact-checks matching `query` (the answer being read). */
  rumorCheck?: RumorCheckFact | null;
}

/** What the fact base says about a resident's text. */
export interface RumorCheckFact extends RumorCheck {
  query: string;
}

export type FactName = keyof Facts;

/**
 * Facts that depend on the answer being read (a search the pure engine cannot do): a step names
 * one in `lookup`, and the caller computes it for the answer's text (`query`) before the step
 * reads the answer.
 */
export type LookupName = 'rumorCheck';
