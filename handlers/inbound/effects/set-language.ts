import type { EffectHandler } from './ports.js';

/** Kept with the resident's hot fields (cached, written back to MongoDB behind the reply). */
export const setLanguage: EffectHandler<'setLanguage'> = async (deps, e, { resident }) => {
  await deps.residents.setLanguage(resident, e.language);
  return undefined;
};
