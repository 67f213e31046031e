import type { EffectHandler } from './ports.js';

export const setLanguage: EffectHandler<'setLanguage'> = async (deps, e, { resident }) => {
  await deps.models.Resident.updateOne({ _id: resident.id }, { $set: { language: e.language } });
  await deps.residents.changed(resident.channel, resident.openid);
  return undefined;
};
