import { call } from '../api/client';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { ErrorBox, useLoad } from '../ui';

/**
 * The communities the account may see. `all` adds "all my communities" as the empty choice;
 * without it the empty value means the first community.
 */
export function CommunitySelect({ id, value, onChange, all }: { id: string; value: string; onChange: (code: string) => void; all?: boolean }) {
  const { t } = useI18n();
  const { api } = useSession();
  const list = useLoad(() => call(api.GET('/api/communities')), []);
  return (
    <>
      <label for={id}>{t('community')}</label>
      <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {all && <option value="">{t('allCommunities')}</option>}
        {list.data?.communities.map((c) => (
          <option key={c.code} value={c.code}>
            {c.name}
          </option>
        ))}
      </select>
      <ErrorBox error={list.error} onRetry={list.reload} />
    </>
  );
}
