/** Exports: a kind, a range of days and a format; the file downloads with the staff token (never in a URL). */
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { useI18n, type Key } from '../i18n';
import { useSession } from '../session';
import { ErrorBox, useAction } from '../ui';
import { CommunitySelect } from './community-select';

export const EXPORT_KINDS = ['health-reports', 'supply-requests', 'volunteers', 'deliveries'] as const;
type Kind = (typeof EXPORT_KINDS)[number];
const day = (d: Date) => d.toLocaleDateString('sv-SE');

export function ExportsPage() {
  const { t } = useI18n();
  const { api, may } = useSession();
  const kinds = EXPORT_KINDS.filter((k) => may(`GET /api/exports/${k}`));
  const [kind, setKind] = useState<Kind>(kinds[0] ?? 'supply-requests');
  const [from, setFrom] = useState(day(new Date(Date.now() - 6 * 86_400_000)));
  const [to, setTo] = useState(day(new Date()));
  const [format, setFormat] = useState<'csv' | 'xlsx'>('xlsx');
  const [community, setCommunity] = useState('');
  const action = useAction();
  const download = () =>
    action.act(async () => {
      const query = { from, to, format, ...(community ? { community } : {}) };
      const r = await api.GET(`/api/exports/${kind}` as '/api/exports/supply-requests', { params: { query }, parseAs: 'blob' });
      if (!r.response.ok) {
        const e = (r.error ?? {}) as { error?: string; message?: string };
        throw new ApiError(r.response.status, e.error ?? 'http', e.message ?? r.response.statusText);
      }
      const name = /filename="([^"]+)"/.exec(r.response.headers.get('content-disposition') ?? '')?.[1] ?? `linli-${kind}.${format}`;
      const link = document.createElement('a');
      link.href = URL.createObjectURL(r.data as unknown as Blob);
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    }, t('done'));
  return (
    <section aria-labelledby="exp-h">
      <h1 id="exp-h">{t('exportsTitle')}</h1>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void download();
        }}
      >
        <label for="exp-kind">{t('exportKind')}</label>
        <select id="exp-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as Kind)}>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {t(`export_${k.replace('-', '_')}` as Key)}
            </option>
          ))}
        </select>
        <div class="row">
          <div>
            <label for="exp-from">{t('dateFrom')}</label>
            <input id="exp-from" type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} required />
          </div>
          <div>
            <label for="exp-to">{t('dateTo')}</label>
            <input id="exp-to" type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} required />
          </div>
          <div>
            <CommunitySelect id="exp-community" value={community} onChange={setCommunity} all />
          </div>
        </div>
        <fieldset style="border:0;padding:0;margin-top:0.6rem">
          <legend>{t('format')}</legend>
          {(['xlsx', 'csv'] as const).map((f) => (
            <label class="inline" key={f}>
              <input type="radio" name="format" value={f} checked={format === f} onChange={() => setFormat(f)} />
              {f.toUpperCase()}
            </label>
          ))}
        </fieldset>
        <p class="hint">{t('exportHint')}</p>
        <ErrorBox error={action.error} />
        <button class="primary" type="submit" disabled={action.busy || kinds.length === 0}>
          {t('download')}
        </button>
      </form>
    </section>
  );
}
