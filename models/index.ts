import type { Connection, Model, Schema } from 'mongoose';
import { StreetSchema, CommunitySchema, BuildingSchema, type Street, type Community, type Building } from './places.js';
import { ResidentSchema, type Resident } from './resident.js';
import { StaffUserSchema, type StaffUser } from './staff-user.js';
import { NoticeSchema, type Notice } from './notice.js';
import { AuditEntrySchema, type AuditEntry } from './audit-entry.js';
import { DeliveryBatchSchema, type DeliveryBatch } from './delivery.js';
import { DeliveryLogEntrySchema, type DeliveryLogEntry } from './delivery-log.js';
import { HouseholdSchema, type Household } from './household.js';
import { HealthReportRevisionSchema, HealthReportSchema, type HealthReport } from './health-report.js';
import { AlertSchema, type Alert } from './alert.js';
import { EscalationSchema, type Escalation } from './escalation.js';
import { SupplyRequestEventSchema, SupplyRequestSchema, type SupplyRequest, type SupplyRequestEvent } from './supply-request.js';
import { AccessLogSchema, type AccessLogEntry } from './access-log.js';
import {
  GatePassCodeSchema,
  GatePresenceSchema,
  GateQuotaClaimSchema,
  GateRecordSchema,
  GateSchema,
  type Gate,
  type GatePresence,
  type GateRecord,
} from './gate.js';
import { CommunityRulesSchema, type CommunityRules } from './community-rules.js';
import { ObservationSchema, ReturneeSchema, type Observation, type Returnee } from './returnee.js';
import {
  AllocationBookingSchema,
  AllocationRoundSchema,
  BookingOutcomeSchema,
  PickupCodeSchema,
  type AllocationBooking,
  type AllocationRound,
  type BookingOutcome,
} from './allocation.js';
import { VolunteerDecisionSchema, VolunteerSchema, type Volunteer, type VolunteerDecision } from './volunteer.js';
import { TaskSignupSchema, VolunteerTaskSchema, type TaskSignup, type VolunteerTask } from './volunteer-task.js';
import { FactCheckReceiptSchema, FactCheckSchema, type FactCheck, type FactCheckReceipt } from './fact-check.js';
import { ClaimAskSchema, ClaimSchema, type Claim, type ClaimAsk } from './claim.js';

export * from './places.js';
export * from './resident.js';
export * from './staff-user.js';
export * from './notice.js';
export * from './audit-entry.js';
export * from './delivery.js';
export * from './delivery-log.js';
export * from './household.js';
export * from './health-report.js';
export * from './alert.js';
export * from './escalation.js';
export * from './supply-request.js';
export * from './access-log.js';
export * from './gate.js';
export * from './community-rules.js';
export * from './returnee.js';
export * from './allocation.js';
export * from './volunteer.js';
export * from './volunteer-task.js';
export * from './fact-check.js';
export * from './claim.js';
export * from './ids.js';
export * from './vulnerability.js';

/**
 * Models bound to one connection. Registering per connection (not on the global mongoose)
 * lets tests and scripts hold several databases at once.
 */
export function bindModels(conn: Connection) {
  // Casts instead of mongoose's generic inference: inferring Model<T> from schemas makes tsc
  // run out of memory on mongoose 9's types; the schema types are declared next to each schema.
  const bind = <T>(name: string, schema: Schema<any>): Model<T> => (conn.models[name] ?? conn.model(name, schema)) as unknown as Model<T>;
  return {
    Street: bind<Street>('Street', StreetSchema),
    Community: bind<Community>('Community', CommunitySchema),
    Building: bind<Building>('Building', BuildingSchema),
    Resident: bind<Resident>('Resident', ResidentSchema),
    StaffUser: bind<StaffUser>('StaffUser', StaffUserSchema),
    Notice: bind<Notice>('Notice', NoticeSchema),
    AuditEntry: bind<AuditEntry>('AuditEntry', AuditEntrySchema),
    DeliveryBatch: bind<DeliveryBatch>('DeliveryBatch', DeliveryBatchSchema),
    DeliveryLog: bind<DeliveryLogEntry>('DeliveryLogEntry', DeliveryLogEntrySchema),
    Household: bind<Household>('Household', HouseholdSchema),
    HealthReport: bind<HealthReport>('HealthReport', HealthReportSchema),
    HealthReportRevision: bind<HealthReport & { reportId: unknown }>('HealthReportRevision', HealthReportRevisionSchema),
    Alert: bind<Alert>('Alert', AlertSchema),
    Escalation: bind<Escalation>('Escalation', EscalationSchema),
    SupplyRequest: bind<SupplyRequest>('SupplyRequest', SupplyRequestSchema),
    SupplyRequestEvent: bind<SupplyRequestEvent>('SupplyRequestEvent', SupplyRequestEventSchema),
    AccessLog: bind<AccessLogEntry>('AccessLog', AccessLogSchema),
    Gate: bind<Gate>('Gate', GateSchema),
    GateRecord: bind<GateRecord>('GateRecord', GateRecordSchema),
    GatePassCode: bind<{ _id: unknown; recordId: unknown; sourceKey: string }>('GatePassCode', GatePassCodeSchema),
    GateQuotaClaim: bind<{ _id: unknown; sourceKey: string }>('GateQuotaClaim', GateQuotaClaimSchema),
    GatePresence: bind<GatePresence>('GatePresence', GatePresenceSchema),
    CommunityRules: bind<CommunityRules>('CommunityRules', CommunityRulesSchema),
    Returnee: bind<Returnee>('Returnee', ReturneeSchema),
    Observation: bind<Observation>('Observation', ObservationSchema),
    AllocationRound: bind<AllocationRound>('AllocationRound', AllocationRoundSchema),
    AllocationBooking: bind<AllocationBooking>('AllocationBooking', AllocationBookingSchema),
    PickupCode: bind<{ _id: unknown; bookingId: unknown; token: string }>('PickupCode', PickupCodeSchema),
    BookingOutcome: bind<BookingOutcome>('BookingOutcome', BookingOutcomeSchema),
    Volunteer: bind<Volunteer>('Volunteer', VolunteerSchema),
    VolunteerDecision: bind<VolunteerDecision>('VolunteerDecision', VolunteerDecisionSchema),
    VolunteerTask: bind<VolunteerTask>('VolunteerTask', VolunteerTaskSchema),
    TaskSignup: bind<TaskSignup>('TaskSignup', TaskSignupSchema),
    FactCheck: bind<FactCheck>('FactCheck', FactCheckSchema),
    FactCheckReceipt: bind<FactCheckReceipt>('FactCheckReceipt', FactCheckReceiptSchema),
    Claim: bind<Claim>('Claim', ClaimSchema),
    ClaimAsk: bind<ClaimAsk>('ClaimAsk', ClaimAskSchema),
  };
}

export type Models = ReturnType<typeof bindModels>;

/** Build every index (idempotent). Run at startup so unique constraints hold before traffic. */
export async function syncIndexes(models: Record<string, Model<any>>): Promise<void> {
  for (const m of Object.values(models)) await m.createIndexes();
}
