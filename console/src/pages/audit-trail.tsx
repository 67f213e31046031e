/** An audit trail as people read it: who did what when, the comment, and each change as a diff. */
import type { Schemas } from '../api/client';
import { useI18n, type Key } from '../i18n';
import { formatTime } from '../ui';

type Entry = Schemas['AuditEntry'];
interface Change {
  from?: unknown;
  to?: unknown;
  lines?: string[];
}

const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

function FieldDiff({ field, change }: { field: string; change: Change }) {
  const { t } = useI18n();
  return (
    <div>
      <strong>{field}</strong>
      {change.lines ? (
        <code>
          {change.lines.map((l, i) => (
            <span key={i} class={l.startsWith('+ ') ? 'diff-add' : l.startsWith('- ') ? 'diff-del' : 'diff-keep'}>
              {l}
            </span>
          ))}
        </code>
      ) : (
        <code>
          <span class="diff-del">
            {t('from')}: {show(change.from)}
          </span>
          <span class="diff-add">
            {t('to')}: {show(change.to)}
          </span>
        </code>
      )}
    </div>
  );
}

export function AuditTrail({ entries }: { entries: Entry[] }) {
  const { t, lang } = useI18n();
  const label = (action: string) => {
    const key = `action_${action}` as Key;
    const s = t(key);
    return s === key ? action : s;
  };
  return (
    <section aria-labelledby="audit-h">
      <h3 id="audit-h">{t('auditTrail')}</h3>
      <ol class="audit" data-testid="audit-trail">
        {entries.map((e) => (
          <li key={e.id}>
            <strong>{e.actor.name}</strong> {label(e.action)} <span class="hint">· {formatTime(e.at, lang)}</span>
            {e.comment && <div>“{e.comment}”</div>}
            {e.diff &&
              Object.entries(e.diff as Record<string, Change>).map(([field, change]) => (
                <details key={field}>
                  <summary>
                    {t('diff')}: {field}
                  </summary>
                  <FieldDiff field={field} change={change} />
                </details>
              ))}
          </li>
        ))}
      </ol>
    </section>
  );
}
