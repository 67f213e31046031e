/** Situation: the day's figures as charts, refreshed every 30 seconds. */
import { useState } from 'preact/hooks';
import { call } from '../api/client';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { ErrorBox, Loading, formatTime, useLoad } from '../ui';
import { BarChart } from './chart';
import { CommunitySelect } from './community-select';

const REFRESH_S = 30;
const C = { green: '#2e7d32', yellow: '#c28a00', red: '#b3261e', blue: '#0b5cad', grey: '#7b8794', purple: '#6a3d9a' };

export function SituationPage() {
  const { t, lang } = useI18n();
  const { api } = useSession();
  const [community, setCommunity] = useState('');
  const s = useLoad(() => call(api.GET('/api/situation', { params: { query: community ? { community } : {} } })), [community], REFRESH_S * 1000);
  const d = s.data;
  return (
    <section aria-labelledby="sit-h">
      <div class="spread">
        <h1 id="sit-h">{t('situationTitle')}</h1>
        <div class="row">
          <CommunitySelect id="sit-community" value={community} onChange={setCommunity} all />
          <button type="button" onClick={s.reload}>
            {t('refresh')}
          </button>
        </div>
      </div>
      {d && (
        <p class="hint" aria-live="polite">
          {t('updatedAt', { at: formatTime(d.generatedAt, lang), s: REFRESH_S })}
        </p>
      )}
      <ErrorBox error={s.error} onRetry={s.reload} />
      <Loading when={s.loading && !d} />
      {d && (
        <div class="charts">
          <BarChart
            id="risk14"
            title={t('chartRisk14')}
            stacked
            labels={d.reportsByDay.map((r) => r.date.slice(5))}
            series={[
              { label: t('risk_green'), data: d.reportsByDay.map((r) => r.green), color: C.green },
              { label: t('risk_yellow'), data: d.reportsByDay.map((r) => r.yellow), color: C.yellow },
              { label: t('risk_red'), data: d.reportsByDay.map((r) => r.red), color: C.red },
            ]}
          />
          <BarChart
            id="buildings"
            title={t('chartBuildingsToday')}
            stacked
            labels={d.buildingsToday.map((b) => `${b.community} ${b.building}`)}
            series={[
              { label: t('risk_yellow'), data: d.buildingsToday.map((b) => b.yellow), color: C.yellow },
              { label: t('risk_red'), data: d.buildingsToday.map((b) => b.red), color: C.red },
            ]}
          />
          <BarChart
            id="missing"
            title={t('chartMissing')}
            horizontal
            labels={[t('reported'), t('notReported')]}
            series={[{ label: t('chartMissing'), data: [d.households.reported, d.households.missing], color: C.blue }]}
          />
          <BarChart
            id="supplies"
            title={t('chartSupplies')}
            stacked
            labels={[t('priorityHigh'), t('priorityMid'), t('priorityLow')]}
            series={[
              { label: t('ageUnder1d'), data: d.supplies.map((x) => x.under1d), color: C.blue },
              { label: t('age1to3d'), data: d.supplies.map((x) => x.from1to3d), color: C.yellow },
              { label: t('ageOver3d'), data: d.supplies.map((x) => x.over3d), color: C.red },
            ]}
          />
          <BarChart
            id="tasks"
            title={t('chartTasks')}
            stacked
            horizontal
            labels={d.tasks.map((x) => `${x.code} ${x.title}`)}
            series={[
              { label: t('taken'), data: d.tasks.map((x) => x.confirmed), color: C.green },
              { label: t('free'), data: d.tasks.map((x) => Math.max(0, x.slots - x.confirmed)), color: C.grey },
            ]}
          />
          <BarChart
            id="claims"
            title={t('chartClaims')}
            horizontal
            labels={d.claims.map((c) => (c.text.length > 24 ? `${c.text.slice(0, 24)}…` : c.text))}
            series={[{ label: t('asks'), data: d.claims.map((c) => c.asks), color: C.purple }]}
          />
          <BarChart
            id="deliveries"
            title={t('chartDelivery')}
            stacked
            horizontal
            labels={d.notices.map((n) => n.title)}
            series={[
              { label: t('sent'), data: d.notices.map((n) => n.sent), color: C.green },
              { label: t('failed'), data: d.notices.map((n) => n.failed), color: C.red },
              { label: t('pending'), data: d.notices.map((n) => n.pending), color: C.yellow },
              { label: t('cancelled'), data: d.notices.map((n) => n.cancelled), color: C.grey },
            ]}
          />
        </div>
      )}
    </section>
  );
}
