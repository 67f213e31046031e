import { Schema, type InferSchemaType } from 'mongoose';

/** 街道 street office area: the top of the scope tree. */
export const StreetSchema = new Schema(
  {
    code: { type: String, required: true, unique: true, match: /^[a-z0-9-]{1,32}$/ },
    name: { type: String, required: true },
  },
  { timestamps: true },
);

/** 社区 residential community, run by one committee. */
export const CommunitySchema = new Schema(
  {
    code: { type: String, required: true, unique: true, match: /^[a-z0-9-]{1,32}$/ },
    name: { type: String, required: true },
    streetCode: { type: String, required: true, index: true },
    /** IANA time zone for "today" (daily reports, reminders); China's communities all use Asia/Shanghai. */
    timeZone: { type: String, default: 'Asia/Shanghai' },
  },
  { timestamps: true },
);

/** 楼栋 building; `code` is unique within its community. */
export const BuildingSchema = new Schema(
  {
    code: { type: String, required: true },
    name: { type: String, required: true },
    communityCode: { type: String, required: true },
    streetCode: { type: String, required: true },
  },
  { timestamps: true },
);
BuildingSchema.index({ communityCode: 1, code: 1 }, { unique: true });

export type Street = InferSchemaType<typeof StreetSchema>;
export type Community = InferSchemaType<typeof CommunitySchema>;
export type Building = InferSchemaType<typeof BuildingSchema>;
