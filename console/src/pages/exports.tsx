import { useI18n } from '../i18n';

export function ExportsPage() {
  const { t } = useI18n();
  return <p class="hint">{t('nothingHere')}</p>;
}
