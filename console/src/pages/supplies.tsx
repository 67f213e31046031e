/**
 * Supply requests as a triage board, highest priority first (the API computes priority from
 * urgency, vulnerability and waiting time): accept, assign, on the way, delivered, reject with a
 * reason. Every action sends the request's `seq` back, so two people acting at once cannot
 * overwrite each other (the second gets a readable 409).
 */
import { useState } from 'preact/hooks';
import { call, type Schemas } from '../api/client';
import { codeLabel, listJoin, useI18n, type Key } from '../i18n';
import { useSession } from '../session';
import { Badge, ErrorBox, Loading, Notice, formatTime, useAction, useLoad, waitedFor } from '../ui';

type Request = Schemas['SupplyRequest'];

export function SuppliesPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const [open, setOpen] = useState(true);
  const list = useLoad(() => call(api.GET('/api/supply-requests', { params: { query: { open: open ? 'true' : 'false', limit: 100 } } })), [open], 15_000);
  return (
    <section aria-labelledby="supplies-h">
      <div class="spread">
        <h1 id="supplies-h">{t('suppliesTitle')}</h1>
        <div class="row">
          <label class="inline">
            <input type="checkbox" checked={open} onChange={(e) => setOpen((e.target as HTMLInputElement).checked)} />
            {t('openOnly')}
          </label>
          <button type="button" onClick={list.reload}>
            {t('refresh')}
          </button>
        </div>
      </div>
      <ErrorBox error={list.error} onRetry={list.reload} />
      <Loading when={list.loading && !list.data} />
      {list.data && list.data.requests.length === 0 && <p class="hint">{t('nothingHere')}</p>}
      <ol class="board" style="list-style:none;padding:0" aria-label={t('suppliesTitle')}>
        {list.data?.requests.map((r) => (
          <li key={r.id}>
            <RequestCard request={r} onChanged={list.reload} />
          </li>
        ))}
      </ol>
    </section>
  );
}

function RequestCard({ request: r, onChanged }: { request: Request; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const { api, may, me } = useSession();
  const [reason, setReason] = useState('');
  const [assignee, setAssignee] = useState('');
  const [showHistory, setShowHistory] = useState(false);
  const action = useAction();
  const path = { params: { path: { id: r.id } } };
  const triage = may('POST /api/supply-requests/{id}/accept');
  const delivers = may('POST /api/supply-requests/{id}/deliver') && (triage || r.assignee?.staffId === me.id);
  const assignees = useLoad(
    async () => (triage && ['accepted', 'assigned'].includes(r.status) ? (await call(api.GET('/api/supply-requests/{id}/assignees', path))).assignees : []),
    [r.id, r.status],
  );
  const run = (fn: () => Promise<unknown>) =>
    action.act(async () => {
      await fn();
      setReason('');
      onChanged();
    }, t('done'));
  const urgencyKind = r.urgency === 'today' ? 'red' : 'yellow';
  const id = `req-${r.id}`;
  return (
    <article class="card" aria-labelledby={`${id}-h`} data-ticket={r.ticket}>
      <div class="spread">
        <h2 id={`${id}-h`} style="margin:0">
          {r.ticket}
        </h2>
        <Badge>{t(`sstatus_${r.status}` as Key)}</Badge>
      </div>
      <p style="margin:0.4rem 0">
        <Badge kind={urgencyKind}>{t(`urgency_${r.urgency}` as Key)}</Badge> {t(`cat_${r.category}` as Key)} · {r.items}
      </p>
      <p class="hint" style="margin:0.2rem 0">
        {t('priority')}: {r.priority ?? '—'} · {t('waiting')}: {waitedFor(r.createdAt, t)} · {r.address}
      </p>
      {r.vulnerable.length > 0 && (
        <p style="margin:0.2rem 0">
          {t('vulnerableHousehold', {
            flags: listJoin(
              lang,
              r.vulnerable.map((f) => codeLabel(t, 'vuln_', f)),
            ),
          })}
        </p>
      )}
      {r.assignee && (
        <p class="hint" style="margin:0.2rem 0">
          {t('assignee')}: {r.assignee.name}
        </p>
      )}
      {r.reason && (
        <p class="hint" style="margin:0.2rem 0">
          {t('reason')}: {r.reason}
        </p>
      )}
      <div class="row" style="margin-top:0.5rem">
        {triage && r.status === 'submitted' && (
          <button
            type="button"
            class="primary"
            disabled={action.busy}
            onClick={() => run(() => call(api.POST('/api/supply-requests/{id}/accept', { ...path, body: { expectedSeq: r.seq } })))}
          >
            {t('accept')}
          </button>
        )}
        {delivers && ['accepted', 'assigned'].includes(r.status) && (
          <button
            type="button"
            disabled={action.busy}
            onClick={() => run(() => call(api.POST('/api/supply-requests/{id}/in-transit', { ...path, body: { expectedSeq: r.seq } })))}
          >
            {t('inTransit')}
          </button>
        )}
        {delivers && ['accepted', 'assigned', 'in_transit'].includes(r.status) && (
          <button
            type="button"
            class="primary"
            disabled={action.busy}
            onClick={() => run(() => call(api.POST('/api/supply-requests/{id}/deliver', { ...path, body: { expectedSeq: r.seq } })))}
          >
            {t('deliver')}
          </button>
        )}
      </div>
      {triage && ['accepted', 'assigned'].includes(r.status) && (
        <div class="row" style="margin-top:0.5rem">
          <label class="sr-only" for={`${id}-assignee`}>
            {t('assignTo')}
          </label>
          <select id={`${id}-assignee`} value={assignee} onChange={(e) => setAssignee((e.target as HTMLSelectElement).value)}>
            <option value="">{t('chooseAssignee')}</option>
            {assignees.data?.map((a) => (
              <option key={a.staffId} value={a.staffId}>
                {a.name} ({t(a.kind === 'staff' ? 'role_committee' : (`role_${a.kind}` as Key))})
              </option>
            ))}
          </select>
          <button
            type="button"
            disabled={action.busy || !assignee}
            onClick={() => run(() => call(api.POST('/api/supply-requests/{id}/assign', { ...path, body: { assignee, expectedSeq: r.seq } })))}
          >
            {t('assign')}
          </button>
          <ErrorBox error={assignees.error} />
        </div>
      )}
      {triage && ['submitted', 'accepted'].includes(r.status) && (
        <div class="row" style="margin-top:0.5rem">
          <label class="sr-only" for={`${id}-reason`}>
            {t('reasonRequired')}
          </label>
          <input
            id={`${id}-reason`}
            placeholder={t('reasonRequired')}
            value={reason}
            maxLength={200}
            onInput={(e) => setReason((e.target as HTMLInputElement).value)}
          />
          <button
            type="button"
            class="danger"
            disabled={action.busy || !reason.trim()}
            onClick={() => run(() => call(api.POST('/api/supply-requests/{id}/reject', { ...path, body: { reason, expectedSeq: r.seq } })))}
          >
            {t('rejectRequest')}
          </button>
        </div>
      )}
      <ErrorBox error={action.error} />
      <Notice text={action.done} />
      <button type="button" style="margin-top:0.5rem" aria-expanded={showHistory} onClick={() => setShowHistory(!showHistory)}>
        {t('history')}
      </button>
      {showHistory && <History id={r.id} lang={lang} />}
    </article>
  );
}

function History({ id, lang }: { id: string; lang: string }) {
  const { t } = useI18n();
  const { api } = useSession();
  const detail = useLoad(() => call(api.GET('/api/supply-requests/{id}', { params: { path: { id } } })), [id]);
  if (!detail.data) return detail.error ? <ErrorBox error={detail.error} onRetry={detail.reload} /> : <Loading when />;
  return (
    <ol>
      {detail.data.events.map((e) => (
        <li key={e.seq}>
          {formatTime(e.at, lang)} · {e.actor.name}: {t(`sstatus_${e.to}` as Key)}
          {e.reason && ` (${e.reason})`}
          {e.assignee && ` → ${e.assignee.name}`}
        </li>
      ))}
    </ol>
  );
}
