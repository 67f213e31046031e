/** Small shared pieces: loading with errors shown, messages, badges, dates. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api/client';
import { useI18n, type T } from './i18n';

/** A readable sentence for any failure: the API's own message, or what went wrong on the way. */
export function errorText(err: unknown, t: T): string {
  if (err instanceof ApiError) {
    if (err.code === 'network') return t('networkError');
    if (err.code === 'http') return `${t('httpError', { status: err.status })} ${err.message}`.trim();
    const field = typeof err.details?.field === 'string' ? ` (${err.details.field})` : '';
    return `${err.message}${field} [${err.code}]`;
  }
  return err instanceof Error ? err.message : String(err);
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <div class="error" role="alert">
      {errorText(error, t)}{' '}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('retry')}
        </button>
      )}
    </div>
  );
}

export function Notice({ text }: { text: string | null }) {
  return text ? (
    <div class="success" role="status">
      {text}
    </div>
  ) : null;
}

export interface Loaded<D> {
  data: D | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Load with `fn` now and whenever `deps` change; `every` ms refreshes in the background (errors kept on screen). */
export function useLoad<D>(fn: () => Promise<D>, deps: unknown[], every?: number): Loaded<D> {
  const [state, setState] = useState<{ data?: D; error?: unknown; loading: boolean }>({ loading: true });
  const run = useRef(0);
  const reload = useCallback(() => {
    const mine = ++run.current;
    setState((s) => ({ ...s, loading: true }));
    fn().then(
      (data) => mine === run.current && setState({ data, loading: false }),
      (error: unknown) => mine === run.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, deps);
  useEffect(() => {
    reload();
    if (!every) return;
    const timer = setInterval(reload, every);
    return () => clearInterval(timer);
  }, [reload, every]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Run a staff action: busy while it runs, its error shown, `after` on success. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const act = async (fn: () => Promise<unknown>, message?: string) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await fn();
      if (message) setDone(message);
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, act, clear: () => (setError(null), setDone(null)) };
}

export function Loading({ when }: { when: boolean }) {
  const { t } = useI18n();
  return when ? (
    <p class="hint" aria-live="polite">
      {t('loading')}
    </p>
  ) : null;
}

export function Badge({ kind, children }: { kind?: string; children: ComponentChildren }) {
  return <span class={`badge ${kind ?? ''}`}>{children}</span>;
}

export function formatTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { dateStyle: 'medium', timeStyle: 'short' });
}

/** `2026-11-28T09:00` in the browser's zone → ISO with offset, as the API wants. */
export function localInputToIso(value: string): string {
  const d = new Date(value);
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${value.length === 16 ? `${value}:00` : value}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}

/** An ISO time → the value of a `datetime-local` input in the browser's zone. */
export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function waitedFor(iso: string, t: T, now = Date.now()): string {
  const h = Math.max(0, (now - new Date(iso).getTime()) / 3_600_000);
  return h < 48 ? t('hours', { n: Math.floor(h) }) : t('days', { n: Math.floor(h / 24) });
}

/** A table's header row: one column header per entry. */
export function HeadRow({ cols }: { cols: ComponentChildren[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c, i) => (
          <th scope="col" key={i}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
