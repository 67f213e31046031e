/**
 * What a volunteer offers (product.md "Volunteer sign-up"): skills, when they are free and where
 * they will go. Tasks name at most one skill; a task without one suits everybody.
 */
export const SKILLS = ['delivery', 'medical', 'translation', 'driving', 'it', 'counselling'] as const;
export type Skill = (typeof SKILLS)[number];

export const AVAILABILITY = ['weekday_daytime', 'weekday_evening', 'weekend', 'anytime'] as const;
export type Availability = (typeof AVAILABILITY)[number];

/** `building`: only tasks in their own building; `community`: any task in their community. */
export const AREAS = ['building', 'community'] as const;
export type Area = (typeof AREAS)[number];

/** Does a volunteer (skills, area, home building) suit a task (skill, building)? */
export function suits(
  v: { skills: readonly string[]; area: Area; buildingCode?: string | null },
  task: { skill?: string | null; buildingCode?: string | null },
): boolean {
  if (task.skill && !v.skills.includes(task.skill)) return false;
  // A building-only volunteer goes nowhere else — not even to a community-wide task.
  return v.area === 'community' || (!!task.buildingCode && task.buildingCode === v.buildingCode);
}
