/**
 * Data a flow reads but does not own, loaded by the caller when the flow starts (a flow lists
 * what it needs in `needs`). Kept on the session while the flow runs, so answering a question
 * never waits on the database.
 */
import type { HealthAnswers } from '../health/risk.js';
import type { SupplyCategory, SupplyStatus, Urgency } from '../supplies/priority.js';
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
  /** The resident's volunteer sign-up (null: never signed up). */
  volunteer?: VolunteerFact | null;
  /** The task prompt received in the last 24 hours (null: none). */
  latestTaskPrompt?: TaskPromptFact | null;
}

export type FactName = keyof Facts;
