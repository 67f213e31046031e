/**
 * Notices: the list, a draft's editor with the target preview, and a notice's page — the next
 * audit step the signed-in person may take (by their duties), the audit trail with each change
 * as a diff, and while it is sent a live progress bar with cancel.
 */
import { useEffect, useState } from 'preact/hooks';
import { call, type Schemas } from '../api/client';
import { useI18n, type Key } from '../i18n';
import { useSession } from '../session';
import { Badge, ErrorBox, Loading, Notice, formatTime, isoToLocalInput, localInputToIso, useAction, useLoad } from '../ui';
import { TargetsEditor, isEmptyTargets, type Targets } from './targets';
import { AuditTrail } from './audit-trail';

type Detail = Schemas['NoticeDetail'];
type Status = Detail['notice']['status'];
const STATUSES: Status[] = ['draft', 'verified', 'edited', 'released', 'sending', 'completed', 'cancelled'];
const SENDING: Status[] = ['released', 'sending'];

const route = () => window.location.hash.replace(/^#\/?notices\/?/, '');
const go = (id: string) => {
  window.location.hash = id ? `#/notices/${id}` : '#/notices';
};

export function NoticesPage() {
  const { t } = useI18n();
  const { api, may } = useSession();
  const [selected, setSelected] = useState(route());
  const [status, setStatus] = useState('');
  useEffect(() => {
    const on = () => setSelected(route());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const list = useLoad(
    () => call(api.GET('/api/notices', { params: { query: { limit: 50, ...(status ? { status: status as Status } : {}) } } })),
    [status],
    10_000,
  );
  return (
    <section aria-labelledby="notices-h">
      <div class="spread">
        <h1 id="notices-h">{t('noticesTitle')}</h1>
        {may('POST /api/notices') && (
          <button type="button" class="primary" onClick={() => go('new')}>
            {t('newNotice')}
          </button>
        )}
      </div>
      <div class="two-col">
        <div>
          <label for="notice-status">{t('filterStatus')}</label>
          <select id="notice-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            <option value="">{t('allStatuses')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status_${s}` as Key)}
              </option>
            ))}
          </select>
          <ErrorBox error={list.error} onRetry={list.reload} />
          <ul style="list-style:none;padding:0;margin-top:0.75rem" aria-label={t('noticesTitle')}>
            {list.data?.notices.map((n) => (
              <li key={n.id}>
                <button type="button" class="list-button" aria-current={n.id === selected ? 'true' : undefined} onClick={() => go(n.id)}>
                  <strong>{n.title}</strong>
                  <br />
                  <Badge>{t(`status_${n.status}` as Key)}</Badge> {n.urgent && <Badge kind="red">!</Badge>} <span class="hint">{n.author.name}</span>
                </button>
              </li>
            ))}
          </ul>
          {list.data && list.data.notices.length === 0 && <p class="hint">{t('nothingHere')}</p>}
        </div>
        <div>
          {selected === 'new' ? (
            <NoticeEditor
              onSaved={(id) => {
                list.reload();
                go(id);
              }}
            />
          ) : selected ? (
            <NoticeView key={selected} id={selected} onChanged={list.reload} />
          ) : null}
        </div>
      </div>
    </section>
  );
}

interface Draft {
  title: string;
  body: string;
  targets: Targets;
  urgent: boolean;
  sendAt: string;
}

/** Create a draft, or change one (the author, while it is a draft). */
function NoticeEditor({ existing, onSaved, onCancel }: { existing?: Detail['notice']; onSaved: (id: string) => void; onCancel?: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [d, setD] = useState<Draft>({
    title: existing?.title ?? '',
    body: existing?.body ?? '',
    targets: existing?.targets ?? { all: true },
    urgent: existing?.urgent ?? false,
    sendAt: isoToLocalInput(existing?.sendAt),
  });
  const [comment, setComment] = useState('');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.act(async () => {
      const sendAt = d.sendAt ? localInputToIso(d.sendAt) : undefined;
      if (existing) {
        await call(
          api.PATCH('/api/notices/{id}', {
            params: { path: { id: existing.id } },
            body: {
              title: d.title,
              body: d.body,
              targets: d.targets,
              urgent: d.urgent,
              sendAt: sendAt ?? null,
              version: existing.version,
              ...(comment ? { comment } : {}),
            },
          }),
        );
        onSaved(existing.id);
      } else {
        const created = await call(
          api.POST('/api/notices', { body: { title: d.title, body: d.body, targets: d.targets, urgent: d.urgent, ...(sendAt ? { sendAt } : {}) } }),
        );
        onSaved(created.id);
      }
    });
  };
  const input = (k: keyof Draft) => (e: Event) => setD({ ...d, [k]: (e.target as HTMLInputElement).value });
  return (
    <form class="card" onSubmit={submit} aria-labelledby="editor-h">
      <h2 id="editor-h">{existing ? t('editDraft') : t('newNotice')}</h2>
      <label for="notice-title">{t('noticeTitle')}</label>
      <input id="notice-title" value={d.title} onInput={input('title')} maxLength={64} required style="width:100%" />
      <label for="notice-body">{t('noticeBody')}</label>
      <textarea id="notice-body" value={d.body} onInput={input('body')} maxLength={2000} required />
      <TargetsEditor value={d.targets} onChange={(targets) => setD({ ...d, targets })} />
      <label class="inline">
        <input type="checkbox" checked={d.urgent} onChange={(e) => setD({ ...d, urgent: (e.target as HTMLInputElement).checked })} />
        {t('urgent')}
      </label>
      <label for="notice-send-at">{t('sendAt')}</label>
      <input id="notice-send-at" type="datetime-local" value={d.sendAt} onInput={input('sendAt')} />
      {existing && (
        <>
          <label for="notice-edit-comment">{t('comment')}</label>
          <input id="notice-edit-comment" value={comment} onInput={(e) => setComment((e.target as HTMLInputElement).value)} style="width:100%" />
        </>
      )}
      <ErrorBox error={action.error} />
      <div class="row" style="margin-top:0.75rem">
        <button class="primary" type="submit" disabled={action.busy || isEmptyTargets(d.targets)}>
          {existing ? t('saveDraft') : t('createDraft')}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            {t('cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

function NoticeView({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const { api } = useSession();
  const [editing, setEditing] = useState(false);
  const [live, setLive] = useState(false);
  const detail = useLoad(() => call(api.GET('/api/notices/{id}', { params: { path: { id } } })), [id], live ? 1000 : undefined);
  const status = detail.data?.notice.status;
  useEffect(() => setLive(!!status && SENDING.includes(status)), [status]);
  if (!detail.data) return <>{detail.error ? <ErrorBox error={detail.error} onRetry={detail.reload} /> : <Loading when />}</>;
  const { notice, audit, progress } = detail.data;
  const changed = () => {
    detail.reload();
    onChanged();
  };
  if (editing)
    return (
      <NoticeEditor
        existing={notice}
        onSaved={() => {
          setEditing(false);
          changed();
        }}
        onCancel={() => setEditing(false)}
      />
    );
  return (
    <article class="card" aria-labelledby="notice-h">
      <div class="spread">
        <h2 id="notice-h">{notice.title}</h2>
        <span data-testid="notice-status">
          <Badge>{t(`status_${notice.status}` as Key)}</Badge>
        </span>
      </div>
      <p class="hint">
        {t('author')}: {notice.author.name} · {t('round', { round: notice.round })} · {t('version', { version: notice.version })}
        {notice.sendAt && ` · ${t('scheduledFor', { at: formatTime(notice.sendAt, lang) })}`}
        {notice.urgent && ` · ${t('urgent')}`}
      </p>
      <p style="white-space:pre-wrap">{notice.body}</p>
      <ErrorBox error={detail.error} />
      <NextStep notice={notice} onDone={changed} onEdit={() => setEditing(true)} />
      {(progress.total > 0 || SENDING.includes(notice.status) || notice.status === 'completed') && <Progress progress={progress} />}
      <AuditTrail entries={audit} />
    </article>
  );
}

function Progress({ progress: p }: { progress: Schemas['NoticeProgress'] }) {
  const { t } = useI18n();
  const done = p.sent + p.failed + p.cancelled;
  const pct = p.total ? Math.round((done / p.total) * 100) : 0;
  const width = (n: number) => (p.total ? `${(n / p.total) * 100}%` : '0');
  return (
    <section aria-labelledby="progress-h">
      <h3 id="progress-h">{t('progress')}</h3>
      <div
        class="progress"
        role="progressbar"
        aria-label={t('progressLabel')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={`${pct}%`}
      >
        <div class="sent" style={{ width: width(p.sent) }} />
        <div class="failed" style={{ width: width(p.failed) }} />
      </div>
      <p class="hint" data-testid="progress-line">
        {pct}% · {t('progressLine', { done, total: p.total, sent: p.sent, failed: p.failed, pending: p.pending, cancelled: p.cancelled })}
      </p>
    </section>
  );
}

/** The step this person may take now: their duties, the notice's state, and who already acted this round. */
function NextStep({ notice, onDone, onEdit }: { notice: Detail['notice']; onDone: () => void; onEdit: () => void }) {
  const { t } = useI18n();
  const { api, me } = useSession();
  const [comment, setComment] = useState('');
  const [title, setTitle] = useState(notice.title);
  const [body, setBody] = useState(notice.body);
  const action = useAction();
  const isAuthor = notice.author.id === me.id;
  const actedThisRound = Object.values(notice.duties).some((d) => d?.id === me.id);
  const has = (d: 'verify' | 'edit' | 'release') => me.duties.includes(d);
  const auditor = !isAuthor && !actedThisRound;
  const path = { params: { path: { id: notice.id } } };
  const withComment = comment ? { comment } : {};
  const run = (fn: () => Promise<unknown>) =>
    action.act(async () => {
      await fn();
      setComment('');
      onDone();
    }, t('done'));
  const waitingDuty = notice.status === 'draft' ? 'verify' : notice.status === 'verified' ? 'edit' : notice.status === 'edited' ? 'release' : null;
  const canReject = auditor && waitingDuty !== null && me.duties.length > 0;
  const canCancel =
    (isAuthor && ['draft', 'verified', 'edited'].includes(notice.status)) || (has('release') && ['released', 'sending'].includes(notice.status));
  const buttons = [
    notice.status === 'draft' && isAuthor && (
      <button type="button" key="edit-draft" onClick={onEdit}>
        {t('editDraft')}
      </button>
    ),
    notice.status === 'draft' && auditor && has('verify') && (
      <button
        type="button"
        key="verify"
        class="primary"
        disabled={action.busy}
        onClick={() => run(() => call(api.POST('/api/notices/{id}/verify', { ...path, body: { version: notice.version, ...withComment } })))}
      >
        {t('verify')}
      </button>
    ),
    notice.status === 'verified' && auditor && has('edit') && (
      <button
        type="button"
        key="edit"
        class="primary"
        disabled={action.busy}
        onClick={() =>
          run(() =>
            call(
              api.POST('/api/notices/{id}/edit', {
                ...path,
                body: { version: notice.version, ...(title !== notice.title ? { title } : {}), ...(body !== notice.body ? { body } : {}), ...withComment },
              }),
            ),
          )
        }
      >
        {t('editStage')}
      </button>
    ),
    notice.status === 'edited' && auditor && has('release') && (
      <button
        type="button"
        key="release"
        class="primary"
        disabled={action.busy}
        onClick={() => run(() => call(api.POST('/api/notices/{id}/release', { ...path, body: { version: notice.version, ...withComment } })))}
      >
        {t('release')}
      </button>
    ),
    canReject && (
      <button
        type="button"
        key="reject"
        class="danger"
        disabled={action.busy || !comment.trim()}
        title={comment.trim() ? undefined : t('commentRequired')}
        onClick={() => run(() => call(api.POST('/api/notices/{id}/reject', { ...path, body: { comment, version: notice.version } })))}
      >
        {t('reject')}
      </button>
    ),
    canCancel && (
      <button
        type="button"
        key="cancel"
        class="danger"
        disabled={action.busy}
        onClick={() => run(() => call(api.POST('/api/notices/{id}/cancel', { ...path, body: withComment })))}
      >
        {t('cancelNotice')}
      </button>
    ),
  ].filter(Boolean);
  return (
    <section class="card" aria-labelledby="next-h">
      <h3 id="next-h">{t('nextStep')}</h3>
      {waitingDuty && <p class="hint">{t('waitingFor', { duty: t(`duty_${waitingDuty}` as Key) })}</p>}
      {waitingDuty && isAuthor && <p class="hint">{t('youAreAuthor')}</p>}
      {waitingDuty && !isAuthor && actedThisRound && <p class="hint">{t('youActed')}</p>}
      {notice.status === 'verified' && auditor && has('edit') && (
        <>
          <label for="edit-title">{t('noticeTitle')}</label>
          <input id="edit-title" value={title} maxLength={64} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} style="width:100%" />
          <label for="edit-body">{t('noticeBody')}</label>
          <textarea id="edit-body" value={body} maxLength={2000} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} />
        </>
      )}
      {buttons.length > 0 && (
        <>
          <label for="step-comment">{canReject ? t('commentRequired') : t('comment')}</label>
          <input id="step-comment" value={comment} maxLength={500} onInput={(e) => setComment((e.target as HTMLInputElement).value)} style="width:100%" />
          <div class="row" style="margin-top:0.6rem">
            {buttons}
          </div>
        </>
      )}
      <ErrorBox error={action.error} />
      <Notice text={action.done} />
    </section>
  );
}
