/**
 * Who may read residents' sensitive personal data (product.md: only roles that need it; every
 * read is logged). Route guards and use cases both read these lists.
 */
import type { Role } from '../../models/staff-user.js';
import { HEALTH_ALERT_ROLES } from '../alerts/notify-alert.js';

/**
 * Health data — reports, alerts, who has not reported, vulnerable flags — goes to the roles that
 * act on it: the committee, the street office (government) and medical teams (social_org), the
 * same roles an alert is sent to. Not party (reads notices and supplies), not property, not the
 * platform admin (manages accounts, not residents).
 */
export const HEALTH_DATA_ROLES: readonly Role[] = HEALTH_ALERT_ROLES;

/**
 * Roles that see residents' full mobile numbers: the committee, who phone residents. Everyone
 * else sees `138****5678`; a supply request's assignee sees the number of that request's resident.
 */
export const FULL_MOBILE_ROLES: readonly Role[] = ['committee'];
