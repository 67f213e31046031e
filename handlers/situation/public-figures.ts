/**
 * The public figures page (`/figures`, off unless PUBLIC_FIGURES_ENABLED=1): what residents are
 * owed about how their community is run, and nothing about any person. Community-level counts
 * only — never by building (a building's single red report points at a family), never names,
 * rooms, mobiles or texts. Released allocation rounds add their stock, booked and handed-out
 * figures (the same summary the allocation API publishes).
 */
import { z } from 'zod';
import type { HealthReport } from '../../models/health-report.js';
import type { SupplyRequest } from '../../models/supply-request.js';
import { localDate } from '../../flows/engine/time.js';
import { OPEN_SUPPLY_STATUSES } from '../../flows/supplies/priority.js';
import type { Models } from '../../models/index.js';
import type { Clock } from '../ports.js';
import type { PlaceDirectory } from '../places/directory.js';
import type { AllocationRound } from '../../models/allocation.js';
import { summaryOf } from '../allocations/staff-allocations.js';

const count = z.number().int();
export const PublicAllocation = z.object({ title: z.string(), status: z.string(), stock: count, booked: count, redeemed: count });
export const PublicFigures = z.object({
  generatedAt: z.date(),
  communities: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      today: z.string(),
      reports: z.object({ green: count, yellow: count, red: count }),
      supplies: z.object({ open: count, deliveredLast7Days: count }),
      volunteers: z.object({ approved: count, openTasks: count }),
      notices: z.object({ releasedLast7Days: count }),
      allocations: z.array(PublicAllocation),
    }),
  ),
});
export type PublicFiguresView = z.input<typeof PublicFigures>;

export interface PublicFiguresDeps {
  models: Models;
  places: PlaceDirectory;
  clock: Clock;
}

/** The community's released rounds, newest first, with their public summary. */
async function releasedRounds(models: Models, community: string): Promise<z.input<typeof PublicAllocation>[]> {
  const rounds = await models.AllocationRound.find({ communityCode: community, status: { $in: ['open', 'closed'] } })
    .sort({ _id: -1 })
    .limit(10)
    .lean<AllocationRound[]>();
  return Promise.all(
    rounds.map(async (r) => {
      const s = await summaryOf(models, r);
      return { title: r.item, status: r.status, stock: s.stock, booked: s.booked, redeemed: s.redeemed };
    }),
  );
}

export async function publicFigures(deps: PublicFiguresDeps): Promise<PublicFiguresView> {
  const now = deps.clock.now();
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  const communities = await deps.places.communities();
  const rows = await Promise.all(
    communities.map(async (c) => {
      const today = localDate(now, c.timeZone);
      const [reports, open, delivered, approved, openTasks, released, allocations] = await Promise.all([
        deps.models.HealthReport.find({ communityCode: c.code, date: today }, { risk: 1 }).lean<Pick<HealthReport, 'risk'>[]>(),
        deps.models.SupplyRequest.countDocuments({ communityCode: c.code, status: { $in: OPEN_SUPPLY_STATUSES } }),
        deps.models.SupplyRequest.find({ communityCode: c.code, status: 'delivered', updatedAt: { $gte: weekAgo } }, { _id: 1 }).lean<
          Pick<SupplyRequest, '_id'>[]
        >(),
        deps.models.Volunteer.countDocuments({ communityCode: c.code, status: 'approved' }),
        deps.models.VolunteerTask.countDocuments({ communityCode: c.code, status: 'open', endsAt: { $gt: now } }),
        deps.models.Notice.countDocuments({ 'scope.communityCode': c.code, releasedAt: { $gte: weekAgo } }),
        releasedRounds(deps.models, c.code),
      ]);
      const risk = { green: 0, yellow: 0, red: 0 };
      for (const r of reports) risk[r.risk]++;
      return {
        code: c.code,
        name: c.name,
        today,
        reports: risk,
        supplies: { open, deliveredLast7Days: delivered.length },
        volunteers: { approved, openTasks },
        notices: { releasedLast7Days: released },
        allocations,
      };
    }),
  );
  return { generatedAt: now, communities: rows };
}
