/** What the rumour routes answer, for the OpenAPI document. */
import { z } from 'zod';
import { AUDIT_STATUSES } from '../../models/audit-entry.js';
import { CLAIM_STATUSES } from '../../models/claim.js';
import { VERDICTS } from '../../models/fact-check.js';
import { LANGUAGES } from '../../models/resident.js';
import { AuditEntryView } from '../notices/responses.js';

const status = z.enum(AUDIT_STATUSES);
const verdict = z.enum(VERDICTS);
const lang = z.enum(LANGUAGES);
const score = z.number().min(0).max(1);

export const FactCheckRefView = z
  .object({ id: z.string(), status, version: z.number().int(), round: z.number().int(), publishedVersion: z.number().int().nullable() })
  .meta({ id: 'FactCheckRef' });
export const CreatedFactCheckView = FactCheckRefView.extend({ claimId: z.string().nullable() }).meta({ id: 'CreatedFactCheck' });
export const ReleasedFactCheckView = FactCheckRefView.extend({ notified: z.boolean() }).meta({ id: 'ReleasedFactCheck' });

export const RumorMatchView = z
  .object({
    match: z.object({ id: z.string(), claim: z.string(), verdict, score }).nullable(),
    candidates: z.array(z.object({ id: z.string(), claim: z.string(), score })),
  })
  .meta({ id: 'RumorMatch' });

const claim = {
  id: z.string(),
  text: z.string(),
  lang,
  status: z.enum(CLAIM_STATUSES),
  askCount: z.number().int(),
  factCheckId: z.string().nullable(),
  firstAskedAt: z.date(),
  lastAskedAt: z.date(),
  answeredAt: z.date().nullable(),
  dismissedAt: z.date().nullable(),
  comment: z.string().nullable(),
};
export const ClaimView = z.object(claim).meta({ id: 'Claim' });
const suggestions = z.array(z.object({ id: z.string(), claim: z.string(), verdict, score })).meta({ id: 'FactCheckSuggestions' });
export const ClaimList = z.object({ claims: z.array(z.object({ ...claim, suggestions })), total: z.number().int() }).meta({ id: 'ClaimList' });
export const ClaimDetail = z.object({ claim: z.object({ ...claim, wordings: z.array(z.string()) }), suggestions }).meta({ id: 'ClaimDetail' });
export const AnsweredClaimView = z.object({ claim: ClaimView, notified: z.number().int() }).meta({ id: 'AnsweredClaim' });
export const DismissedClaimView = z.object({ claim: ClaimView }).meta({ id: 'DismissedClaim' });

const summary = {
  id: z.string(),
  lang,
  claim: z.string(),
  verdict,
  status,
  version: z.number().int(),
  publishedVersion: z.number().int().nullable(),
  origin: z.enum(['staff', 'import']),
  author: z.object({ id: z.string(), name: z.string() }),
  releasedAt: z.date().nullable(),
  updatedAt: z.date().optional(),
};
export const FactCheckList = z.object({ factChecks: z.array(z.object(summary).meta({ id: 'FactCheckSummary' })) }).meta({ id: 'FactCheckList' });

const performer = z.object({ id: z.string(), name: z.string(), at: z.date() }).nullable();
const published = z
  .object({
    lang,
    claim: z.string(),
    verdict,
    explanation: z.string(),
    source: z.string(),
    aliases: z.array(z.string()),
    version: z.number().int(),
    corrects: z.number().int().optional(),
  })
  .meta({ id: 'PublishedFactCheck', description: 'What residents are told: the text of the latest release.' });
export const FactCheckDetail = z
  .object({
    factCheck: z.object({
      ...summary,
      explanation: z.string(),
      source: z.string(),
      aliases: z.array(z.string()),
      round: z.number().int(),
      duties: z.object({ verify: performer, edit: performer, release: performer }),
      correctedBy: z.string().nullable(),
      published: published.nullable(),
      notifiedVersion: z.number().int(),
      withdrawnAt: z.date().nullable(),
      claims: z.array(z.object({ id: z.string(), text: z.string(), status: z.string() })),
    }),
    audit: z.array(AuditEntryView),
  })
  .meta({ id: 'FactCheckDetail' });
