/**
 * Rumours: pending claims, most asked first, each answered with a suggested fact-check, a new
 * fact-check, or dismissed; fact-checks in their three-level audit (the same duties and audit
 * trail as notices); the released fact base with search, and a box to try what residents send.
 */
import { useState } from 'preact/hooks';
import { call, type Schemas } from '../api/client';
import { useI18n, type Key } from '../i18n';
import { useSession } from '../session';
import { Badge, ErrorBox, Loading, Notice, useAction, useLoad } from '../ui';
import { AuditTrail } from './audit-trail';

type Verdict = Schemas['FactCheckSummary']['verdict'];
const VERDICTS: Verdict[] = ['false', 'misleading', 'true', 'unproven'];
const verdictKind = (v: Verdict) => (v === 'false' ? 'red' : v === 'misleading' ? 'yellow' : v === 'true' ? 'green' : '');

export function RumorsPage() {
  const { t } = useI18n();
  const [open, setOpen] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);
  return (
    <section aria-labelledby="rum-h">
      <h1 id="rum-h">{t('rumorsTitle')}</h1>
      <Claims onFactCheck={(id) => (setOpen(id), setRefresh(refresh + 1))} />
      <InAudit open={open} setOpen={setOpen} refresh={refresh} />
      <FactBase />
    </section>
  );
}

function VerdictBadge({ v }: { v: Verdict }) {
  const { t } = useI18n();
  return <Badge kind={verdictKind(v)}>{t(`verdict_${v}` as Key)}</Badge>;
}

function Claims({ onFactCheck }: { onFactCheck: (id: string) => void }) {
  const { t } = useI18n();
  const { api, may } = useSession();
  const list = useLoad(() => call(api.GET('/api/rumors/claims', { params: { query: { status: 'pending', limit: 50 } } })), [], 20_000);
  const writer = may('POST /api/rumors/claims/{id}/fact-check');
  const [writing, setWriting] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const action = useAction();
  const run = (fn: () => Promise<unknown>) => action.act(async () => (await fn(), list.reload()), t('done'));
  return (
    <section class="card" aria-labelledby="claims-h">
      <h2 id="claims-h">{t('claims')}</h2>
      <ErrorBox error={list.error} onRetry={list.reload} />
      <Loading when={list.loading && !list.data} />
      {list.data?.claims.length === 0 && <p class="hint">{t('nothingHere')}</p>}
      <ol>
        {list.data?.claims.map((c) => (
          <li key={c.id} style="margin-bottom:0.8rem">
            <strong>{c.text}</strong> <Badge>{t('askCount', { n: c.askCount })}</Badge>
            {c.suggestions.map((s) => (
              <div key={s.id} class="row">
                <VerdictBadge v={s.verdict} /> {s.claim} <span class="hint">({s.score.toFixed(2)})</span>
                {writer && (
                  <button
                    type="button"
                    disabled={action.busy}
                    onClick={() => run(() => call(api.POST('/api/rumors/claims/{id}/answer', { params: { path: { id: c.id } }, body: { factCheckId: s.id } })))}
                  >
                    {t('answerWith')}
                  </button>
                )}
              </div>
            ))}
            {writer && (
              <div class="row" style="margin-top:0.3rem">
                <button type="button" aria-expanded={writing === c.id} onClick={() => setWriting(writing === c.id ? null : c.id)}>
                  {t('writeFactCheck')}
                </button>
                <label class="sr-only" for={`dismiss-${c.id}`}>
                  {t('commentRequired')}
                </label>
                <input
                  id={`dismiss-${c.id}`}
                  placeholder={t('commentRequired')}
                  value={comment}
                  onInput={(e) => setComment((e.target as HTMLInputElement).value)}
                />
                <button
                  type="button"
                  class="danger"
                  disabled={action.busy || !comment.trim()}
                  onClick={() => run(() => call(api.POST('/api/rumors/claims/{id}/dismiss', { params: { path: { id: c.id } }, body: { comment } })))}
                >
                  {t('dismiss')}
                </button>
              </div>
            )}
            {writing === c.id && (
              <FactCheckForm
                claim={c.text}
                onSubmit={(body) =>
                  run(async () => {
                    const created = await call(api.POST('/api/rumors/claims/{id}/fact-check', { params: { path: { id: c.id } }, body }));
                    setWriting(null);
                    onFactCheck(created.id);
                  })
                }
              />
            )}
          </li>
        ))}
      </ol>
      <ErrorBox error={action.error} />
      <Notice text={action.done} />
    </section>
  );
}

interface FactCheckBody {
  claim: string;
  verdict: Verdict;
  explanation: string;
  source?: string;
}

function FactCheckForm({ claim, onSubmit }: { claim: string; onSubmit: (b: FactCheckBody) => void }) {
  const { t } = useI18n();
  const [b, setB] = useState<FactCheckBody>({ claim, verdict: 'false', explanation: '', source: '' });
  const id = Math.random().toString(36).slice(2, 8);
  return (
    <form
      class="card"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit({ ...b, ...(b.source ? {} : { source: undefined }) });
      }}
    >
      <label for={`fc-claim-${id}`}>{t('claim')}</label>
      <input
        id={`fc-claim-${id}`}
        value={b.claim}
        maxLength={200}
        onInput={(e) => setB({ ...b, claim: (e.target as HTMLInputElement).value })}
        style="width:100%"
      />
      <label for={`fc-verdict-${id}`}>{t('verdict')}</label>
      <select id={`fc-verdict-${id}`} value={b.verdict} onChange={(e) => setB({ ...b, verdict: (e.target as HTMLSelectElement).value as Verdict })}>
        {VERDICTS.map((v) => (
          <option key={v} value={v}>
            {t(`verdict_${v}` as Key)}
          </option>
        ))}
      </select>
      <label for={`fc-expl-${id}`}>{t('explanation')}</label>
      <textarea
        id={`fc-expl-${id}`}
        value={b.explanation}
        minLength={10}
        maxLength={600}
        required
        onInput={(e) => setB({ ...b, explanation: (e.target as HTMLTextAreaElement).value })}
      />
      <label for={`fc-source-${id}`}>{t('source')}</label>
      <input
        id={`fc-source-${id}`}
        value={b.source}
        maxLength={300}
        onInput={(e) => setB({ ...b, source: (e.target as HTMLInputElement).value })}
        style="width:100%"
      />
      <button class="primary" type="submit" style="margin-top:0.6rem">
        {t('createDraft')}
      </button>
    </form>
  );
}

function InAudit({ open, setOpen, refresh }: { open: string | null; setOpen: (id: string | null) => void; refresh: number }) {
  const { t } = useI18n();
  const { api } = useSession();
  const list = useLoad(
    async () => {
      const lists = await Promise.all(
        (['draft', 'verified', 'edited'] as const).map((status) => call(api.GET('/api/rumors/fact-checks', { params: { query: { status, limit: 50 } } }))),
      );
      return lists.flatMap((l) => l.factChecks);
    },
    [refresh],
    20_000,
  );
  return (
    <section class="card" aria-labelledby="audit-fc-h">
      <h2 id="audit-fc-h">{t('factChecks')}</h2>
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.data?.length === 0 && <p class="hint">{t('nothingHere')}</p>}
      <ul style="list-style:none;padding:0">
        {list.data?.map((f) => (
          <li key={f.id}>
            <button type="button" class="list-button" aria-expanded={open === f.id} onClick={() => setOpen(open === f.id ? null : f.id)}>
              <VerdictBadge v={f.verdict} /> {f.claim} <Badge>{t(`status_${f.status}` as Key)}</Badge>
            </button>
            {open === f.id && <FactCheckView id={f.id} onChanged={list.reload} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

function FactCheckView({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { t } = useI18n();
  const { api, me } = useSession();
  const detail = useLoad(() => call(api.GET('/api/rumors/fact-checks/{id}', { params: { path: { id } } })), [id]);
  const [comment, setComment] = useState('');
  const action = useAction();
  if (!detail.data) return detail.error ? <ErrorBox error={detail.error} onRetry={detail.reload} /> : <Loading when />;
  const { factCheck: f, audit } = detail.data;
  const path = { params: { path: { id } } };
  const auditor = f.author.id !== me.id && !Object.values(f.duties).some((d) => d?.id === me.id);
  const duty = f.status === 'draft' ? 'verify' : f.status === 'verified' ? 'edit' : f.status === 'edited' ? 'release' : null;
  const run = (fn: () => Promise<unknown>) => action.act(async () => (await fn(), setComment(''), detail.reload(), onChanged()), t('done'));
  const body = { version: f.version, ...(comment ? { comment } : {}) };
  const step =
    duty === 'verify'
      ? () => call(api.POST('/api/rumors/fact-checks/{id}/verify', { ...path, body }))
      : duty === 'edit'
        ? () => call(api.POST('/api/rumors/fact-checks/{id}/edit', { ...path, body }))
        : () => call(api.POST('/api/rumors/fact-checks/{id}/release', { ...path, body }));
  return (
    <div class="card">
      <p>
        <VerdictBadge v={f.verdict} /> <strong>{f.claim}</strong>
      </p>
      <p style="white-space:pre-wrap">{f.explanation}</p>
      {f.source && (
        <p class="hint">
          {t('source')}: {f.source}
        </p>
      )}
      {duty && <p class="hint">{t('waitingFor', { duty: t(`duty_${duty}` as Key) })}</p>}
      {duty && auditor && me.duties.length > 0 && (
        <>
          <label for={`fc-comment-${id}`}>{t('comment')}</label>
          <input id={`fc-comment-${id}`} value={comment} maxLength={500} onInput={(e) => setComment((e.target as HTMLInputElement).value)} style="width:100%" />
          <div class="row" style="margin-top:0.5rem">
            {me.duties.includes(duty) && (
              <button type="button" class="primary" disabled={action.busy} onClick={() => run(step)}>
                {t(duty === 'edit' ? 'editStage' : duty)}
              </button>
            )}
            <button
              type="button"
              class="danger"
              disabled={action.busy || !comment.trim()}
              onClick={() => run(() => call(api.POST('/api/rumors/fact-checks/{id}/reject', { ...path, body: { comment, version: f.version } })))}
            >
              {t('reject')}
            </button>
          </div>
        </>
      )}
      <ErrorBox error={action.error} />
      <Notice text={action.done} />
      <AuditTrail entries={audit} />
    </div>
  );
}

function FactBase() {
  const { t } = useI18n();
  const { api } = useSession();
  const list = useLoad(() => call(api.GET('/api/rumors/fact-checks', { params: { query: { status: 'released', limit: 500 } } })), []);
  const [q, setQ] = useState('');
  const [tried, setTried] = useState<Schemas['RumorMatch'] | null>(null);
  const action = useAction();
  const words = q.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const shown = (list.data?.factChecks ?? []).filter((f) => words.every((w) => f.claim.toLowerCase().includes(w)));
  return (
    <section class="card" aria-labelledby="base-h">
      <h2 id="base-h">{t('factBase')}</h2>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void action.act(async () => setTried(await call(api.POST('/api/rumors/match', { body: { text: q } }))));
        }}
      >
        <label for="base-search" class="inline">
          {t('search')}
        </label>
        <input id="base-search" value={q} onInput={(e) => (setQ((e.target as HTMLInputElement).value), setTried(null))} />
        <button type="submit" disabled={!q.trim() || action.busy}>
          {t('tryMatch')}
        </button>
      </form>
      <ErrorBox error={action.error ?? list.error} />
      {tried && (
        <p class="success" role="status">
          {tried.match ? (
            <>
              <VerdictBadge v={tried.match.verdict} /> {tried.match.claim} ({tried.match.score.toFixed(2)})
            </>
          ) : (
            tried.candidates.map((c) => `${c.claim} (${c.score.toFixed(2)})`).join(' · ') || t('nothingHere')
          )}
        </p>
      )}
      <p class="hint">
        {shown.length} / {list.data?.factChecks.length ?? 0}
      </p>
      <ul>
        {shown.slice(0, 100).map((f) => (
          <li key={f.id}>
            <VerdictBadge v={f.verdict} /> {f.claim}
          </li>
        ))}
      </ul>
    </section>
  );
}
