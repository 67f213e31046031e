/**
 * The daily health report's risk rule (product.md, "Health report"): red = a positive test
 * (PCR or antigen), shortness of breath, or 38.5 °C and above; yellow = 37.3–38.4 °C, any other
 * symptom, or a close contact / travel in the last 7 days; green otherwise. Pure, so it is tested
 * at every boundary.
 */
export const SYMPTOMS = ['cough', 'sore_throat', 'shortness_of_breath', 'fatigue', 'muscle_ache', 'loss_of_taste_smell', 'diarrhea'] as const;
export type Symptom = (typeof SYMPTOMS)[number];

export const TEST_RESULTS = ['negative', 'positive', 'antigen_positive', 'not_tested'] as const;
export type TestResult = (typeof TEST_RESULTS)[number];

export const RISK_LEVELS = ['green', 'yellow', 'red'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface HealthAnswers {
  temperatureC: number;
  symptoms: Symptom[];
  test: TestResult;
  /** Close contact, or travel outside the city, in the last 7 days. */
  contact: boolean;
}

export type RiskReason = 'positive_test' | 'antigen_positive' | 'shortness_of_breath' | 'high_fever' | 'fever' | 'symptoms' | 'contact';

export interface Risk {
  level: RiskLevel;
  /** Every reason that applies (staff see why), most serious first. */
  reasons: RiskReason[];
}

/** Temperatures compare in tenths of a degree, so 37.3 is never 37.29999. */
const tenths = (c: number) => Math.round(c * 10);

export function assessRisk(a: HealthAnswers): Risk {
  const red: RiskReason[] = [];
  const yellow: RiskReason[] = [];
  if (a.test === 'positive') red.push('positive_test');
  if (a.test === 'antigen_positive') red.push('antigen_positive');
  if (a.symptoms.includes('shortness_of_breath')) red.push('shortness_of_breath');
  const t = tenths(a.temperatureC);
  if (t >= 385) red.push('high_fever');
  else if (t >= 373) yellow.push('fever');
  if (a.symptoms.some((s) => s !== 'shortness_of_breath')) yellow.push('symptoms');
  if (a.contact) yellow.push('contact');
  if (red.length) return { level: 'red', reasons: [...red, ...yellow] };
  if (yellow.length) return { level: 'yellow', reasons: yellow };
  return { level: 'green', reasons: [] };
}
