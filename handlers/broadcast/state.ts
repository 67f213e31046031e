import type { Model } from 'mongoose';
import type { Models } from '../../models/index.js';
import { FanoutStateSchema, type FanoutState } from '../../models/delivery.js';

/**
 * The FanoutState model on the models' connection. Bound here rather than in `models/index.ts`
 * so the broadcast owns its one extra collection; it has no secondary index (keyed by notice id).
 */
export function fanoutStates(models: Models): Model<FanoutState> {
  const conn = models.DeliveryBatch.db;
  return (conn.models.FanoutState ?? conn.model('FanoutState', FanoutStateSchema)) as unknown as Model<FanoutState>;
}
