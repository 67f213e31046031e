/** Who receives a notice: the target groups with a live recipient count from the API. */
import { useEffect, useState } from 'preact/hooks';
import { call, type Schemas } from '../api/client';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { ErrorBox, useLoad } from '../ui';

export type Targets = Schemas['NoticeTargets'];

export function isEmptyTargets(t: Targets): boolean {
  return !t.all && !t.vulnerable && !t.volunteers && !t.communities?.length && !t.buildings?.length && !t.tags?.length;
}

export function TargetsEditor({ value, onChange }: { value: Targets; onChange: (t: Targets) => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const places = useLoad(async () => {
    const { communities } = await call(api.GET('/api/communities'));
    return Promise.all(communities.map((c) => call(api.GET('/api/communities/{code}', { params: { path: { code: c.code } } }))));
  }, []);
  const [count, setCount] = useState<{ n?: number; error?: unknown }>({});
  const key = JSON.stringify(value);
  useEffect(() => {
    if (isEmptyTargets(value)) return setCount({});
    const timer = setTimeout(() => {
      call(api.POST('/api/notices/preview-targets', { body: { targets: value } })).then(
        (r) => setCount({ n: r.count }),
        (error: unknown) => setCount({ error }),
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [key]);
  const set = (patch: Partial<Targets>) => {
    const next: Targets = { ...value, ...patch };
    for (const k of Object.keys(next) as (keyof Targets)[]) {
      const v = next[k];
      if (v === false || v === undefined || (Array.isArray(v) && v.length === 0)) delete next[k];
    }
    onChange(next);
  };
  const toggle = <X,>(list: X[] | undefined, item: X, on: boolean, same: (a: X, b: X) => boolean) =>
    on ? [...(list ?? []).filter((x) => !same(x, item)), item] : (list ?? []).filter((x) => !same(x, item));
  return (
    <fieldset class="card">
      <legend>{t('targets')}</legend>
      <label class="inline">
        <input type="checkbox" checked={!!value.all} onChange={(e) => set({ all: (e.target as HTMLInputElement).checked })} />
        {t('targetAll')}
      </label>
      <label class="inline">
        <input type="checkbox" checked={!!value.vulnerable} onChange={(e) => set({ vulnerable: (e.target as HTMLInputElement).checked })} />
        {t('targetVulnerable')}
      </label>
      <label class="inline">
        <input type="checkbox" checked={!!value.volunteers} onChange={(e) => set({ volunteers: (e.target as HTMLInputElement).checked })} />
        {t('targetVolunteers')}
      </label>
      <ErrorBox error={places.error} onRetry={places.reload} />
      {places.data?.map((c) => (
        <div key={c.code}>
          <label class="inline">
            <input
              type="checkbox"
              checked={value.communities?.includes(c.code) ?? false}
              onChange={(e) => set({ communities: toggle(value.communities, c.code, (e.target as HTMLInputElement).checked, (a, b) => a === b) })}
            />
            {t('targetCommunities')}: {c.name}
          </label>
          <fieldset class="row" style="border:0;padding:0;margin:0">
            <legend class="sr-only">{`${t('targetBuildings')} · ${c.name}`}</legend>
            {c.buildings.map((b) => {
              const item = { community: c.code, building: b.code };
              return (
                <label class="inline" key={b.code}>
                  <input
                    type="checkbox"
                    checked={value.buildings?.some((x) => x.community === c.code && x.building === b.code) ?? false}
                    onChange={(e) =>
                      set({
                        buildings: toggle(
                          value.buildings,
                          item,
                          (e.target as HTMLInputElement).checked,
                          (x, y) => x.community === y.community && x.building === y.building,
                        ),
                      })
                    }
                  />
                  {b.name}
                </label>
              );
            })}
          </fieldset>
        </div>
      ))}
      <label for="target-tags">{t('targetTags')}</label>
      <input
        id="target-tags"
        value={(value.tags ?? []).join(', ')}
        onChange={(e) =>
          set({
            tags: (e.target as HTMLInputElement).value
              .split(/[,，、\s]+/)
              .map((s) => s.trim())
              .filter(Boolean),
          })
        }
      />
      <p class="hint" aria-live="polite" data-testid="recipient-count">
        {isEmptyTargets(value) ? t('recipientsNone') : count.n !== undefined ? t('recipients', { count: count.n }) : ''}
      </p>
      <ErrorBox error={count.error} />
    </fieldset>
  );
}
