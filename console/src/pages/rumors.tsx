import { useI18n } from '../i18n';

export function RumorsPage() {
  const { t } = useI18n();
  return <p class="hint">{t('nothingHere')}</p>;
}
