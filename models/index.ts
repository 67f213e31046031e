import type { Connection, Model, Schema } from 'mongoose';
import { StreetSchema, CommunitySchema, BuildingSchema, type Street, type Community, type Building } from './places.js';
import { ResidentSchema, type Resident } from './resident.js';
import { StaffUserSchema, type StaffUser } from './staff-user.js';
import { NoticeSchema, type Notice } from './notice.js';
import { AuditEntrySchema, type AuditEntry } from './audit-entry.js';
import { DeliveryBatchSchema, type DeliveryBatch } from './delivery.js';
import { DeliveryLogEntrySchema, type DeliveryLogEntry } from './delivery-log.js';

export * from './places.js';
export * from './resident.js';
export * from './staff-user.js';
export * from './notice.js';
export * from './audit-entry.js';
export * from './delivery.js';
export * from './delivery-log.js';

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
  };
}

export type Models = ReturnType<typeof bindModels>;

/** Build every index (idempotent). Run at startup so unique constraints hold before traffic. */
export async function syncIndexes(models: Record<string, Model<any>>): Promise<void> {
  for (const m of Object.values(models)) await m.createIndexes();
}
