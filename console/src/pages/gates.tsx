/**
 * Gates, returnees and allocations for one community: who is out now, today's gate log,
 * returnees under home observation (with today's report), and allocation rounds with their
 * stock, booked and handed-out figures and a pick-up code box. Each part shows only when the
 * role may read it (the API document's roles).
 */
import { useState } from 'preact/hooks';
import { call } from '../api/client';
import { useI18n, type Key } from '../i18n';
import { useSession } from '../session';
import { Badge, ErrorBox, Loading, Notice, formatTime, useAction, useLoad, HeadRow } from '../ui';

const place = (r: { building: string | null; unit: string | null; room: string | null }) => [r.building, r.unit, r.room].filter(Boolean).join('-');

export function GatesPage() {
  const { t } = useI18n();
  const { api, may } = useSession();
  const communities = useLoad(() => call(api.GET('/api/communities')), []);
  const [chosen, setChosen] = useState('');
  const community = chosen || communities.data?.communities[0]?.code || '';
  return (
    <section aria-labelledby="gates-h">
      <div class="spread">
        <h1 id="gates-h">{t('gatesTitle')}</h1>
        <label class="inline">
          <span>{t('community')}</span>
          <select value={community} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
            {communities.data?.communities.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={communities.error} onRetry={communities.reload} />
      {community && (
        <>
          {may('GET /api/gate-records/out-now') && <OutNow community={community} />}
          {may('GET /api/gate-records') && <GateLog community={community} />}
          {may('GET /api/returnees') && <Returnees community={community} />}
          {may('GET /api/allocations') && <Allocations community={community} />}
        </>
      )}
    </section>
  );
}

function OutNow({ community }: { community: string }) {
  const { t, lang } = useI18n();
  const { api } = useSession();
  const d = useLoad(() => call(api.GET('/api/gate-records/out-now', { params: { query: { community } } })), [community], 30_000);
  return (
    <section class="card" aria-labelledby="out-h">
      <h2 id="out-h">
        {t('outNow')} {d.data && `(${d.data.out.length})`}
      </h2>
      <ErrorBox error={d.error} onRetry={d.reload} />
      <Loading when={d.loading && !d.data} />
      {d.data?.out.length === 0 && <p class="hint">{t('none')}</p>}
      <ul>
        {d.data?.out.map((o) => (
          <li key={o.passCode}>
            {place(o)} · {o.gateName} · {formatTime(o.since, lang)} · {t('hoursOut', { n: Math.floor(o.hoursOut) })}
          </li>
        ))}
      </ul>
      {!!d.data?.visitorsInside.length && (
        <>
          <h3>{t('visitorsInside')}</h3>
          <ul>
            {d.data.visitorsInside.map((v) => (
              <li key={v.passCode}>
                {v.visitor?.name ?? t('visitor')} → {v.visitor?.host} · {v.gateName} · {formatTime(v.since, lang)}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function GateLog({ community }: { community: string }) {
  const { t, lang } = useI18n();
  const { api } = useSession();
  const d = useLoad(() => call(api.GET('/api/gate-records', { params: { query: { community, limit: 100 } } })), [community], 30_000);
  return (
    <section class="card" aria-labelledby="log-h">
      <h2 id="log-h">{t('gateLog')}</h2>
      <ErrorBox error={d.error} onRetry={d.reload} />
      {d.data && <p class="hint">{t('refusedCount', { total: d.data.total, refused: d.data.refused })}</p>}
      {!!d.data?.records.length && (
        <div class="table-wrap">
          <table>
            <HeadRow cols={[t('time'), t('gate'), t('direction'), t('address'), t('reason')]} />
            <tbody>
              {d.data.records.map((r) => (
                <tr key={r.id}>
                  <td>{formatTime(r.at, lang)}</td>
                  <td>{r.gateName}</td>
                  <td>
                    {t(`dir_${r.direction}`)} {r.status === 'refused' && <Badge kind="red">{t('refused')}</Badge>}
                  </td>
                  <td>{r.resident ? place(r.resident) : `${t('visitor')}: ${r.visitor?.name ?? ''}`}</td>
                  <td>{r.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Returnees({ community }: { community: string }) {
  const { t } = useI18n();
  const { api } = useSession();
  const d = useLoad(() => call(api.GET('/api/returnees', { params: { query: { community, status: 'observing' } } })), [community], 60_000);
  const rows = d.data?.observing ?? [];
  return (
    <section class="card" aria-labelledby="ret-h">
      <h2 id="ret-h">
        {t('returnees')} {d.data && `(${rows.length})`}
      </h2>
      <ErrorBox error={d.error} onRetry={d.reload} />
      {d.data && rows.length === 0 && <p class="hint">{t('none')}</p>}
      <ul>
        {rows.map((r) => (
          <li key={r.resident}>
            {place(r)} · {t('from_')} {r.from} ({r.riskArea}) · {t('dayOf', { day: r.day, days: r.days })} · {t('observationUntil')} {r.endDate} ·{' '}
            {r.today.reported ? <Badge kind={r.today.risk ?? ''}>{t('reportedToday')}</Badge> : <Badge kind="red">{t('notReportedToday')}</Badge>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Allocations({ community }: { community: string }) {
  const { t } = useI18n();
  const { api, may } = useSession();
  const list = useLoad(
    async () => {
      const { rounds } = await call(api.GET('/api/allocations', { params: { query: { community } } }));
      return Promise.all(rounds.map((r) => call(api.GET('/api/allocations/{id}', { params: { path: { id: r.id } } }))));
    },
    [community],
    30_000,
  );
  const [codes, setCodes] = useState<Record<string, string>>({});
  const action = useAction();
  return (
    <section class="card" aria-labelledby="alloc-h">
      <h2 id="alloc-h">{t('allocations')}</h2>
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.data?.length === 0 && <p class="hint">{t('nothingHere')}</p>}
      {!!list.data?.length && (
        <div class="table-wrap">
          <table>
            <HeadRow cols={[t('items'), t('stock'), t('booked'), t('redeemed'), t('left'), t('redeem')]} />
            <tbody>
              {list.data.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    {r.item} <Badge>{t(`arst_${r.status}` as Key)}</Badge>
                  </th>
                  <td>{r.summary.stock}</td>
                  <td>{r.summary.booked}</td>
                  <td>{r.summary.redeemed}</td>
                  <td>{r.summary.left}</td>
                  <td>
                    {may('POST /api/allocations/{id}/redeem') && r.status !== 'draft' && (
                      <form
                        class="row"
                        onSubmit={(e) => {
                          e.preventDefault();
                          void action.act(async () => {
                            await call(api.POST('/api/allocations/{id}/redeem', { params: { path: { id: r.id } }, body: { code: codes[r.id] ?? '' } }));
                            setCodes({ ...codes, [r.id]: '' });
                            list.reload();
                          }, t('done'));
                        }}
                      >
                        <label class="sr-only" for={`code-${r.id}`}>
                          {t('pickupCode')}
                        </label>
                        <input
                          id={`code-${r.id}`}
                          size={8}
                          placeholder={t('pickupCode')}
                          value={codes[r.id] ?? ''}
                          onInput={(e) => setCodes({ ...codes, [r.id]: (e.target as HTMLInputElement).value })}
                        />
                        <button type="submit" disabled={action.busy || !codes[r.id]?.trim()}>
                          {t('redeem')}
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorBox error={action.error} />
      <Notice text={action.done} />
    </section>
  );
}
