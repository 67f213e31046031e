/**
 * Volunteers: sign-ups to approve or reject (with a reason the resident is told), tasks to create
 * and release (the prompts go to the volunteers whose skills and area suit), and each task's
 * roster and waitlist.
 */
import { useState } from 'preact/hooks';
import { call, type Schemas } from '../api/client';
import { AVAILABILITY, SKILLS, type Availability, type Skill } from '../../../flows/volunteers/skills';
import { listJoin, useI18n, type Key, type T } from '../i18n';
import { useSession } from '../session';
import { Badge, ErrorBox, Loading, Notice, formatTime, localInputToIso, useAction, useLoad, HeadRow } from '../ui';

// The flows' own lists (pure, shared with the bot): each code must have words, or this does not compile.
const skillLabel = (t: T, s: string) => ((SKILLS as readonly string[]).includes(s) ? t(`skill_${s as Skill}`) : s);
const availabilityLabel = (t: T, a: string) => ((AVAILABILITY as readonly string[]).includes(a) ? t(`avail_${a as Availability}`) : a);

export function VolunteersPage() {
  const { t } = useI18n();
  return (
    <section aria-labelledby="vol-h">
      <h1 id="vol-h">{t('volunteersTitle')}</h1>
      <SignUps />
      <Tasks />
    </section>
  );
}

function SignUps() {
  const { t, lang } = useI18n();
  const { api } = useSession();
  const list = useLoad(() => call(api.GET('/api/volunteers', { params: { query: { status: 'pending', limit: 100 } } })), [], 20_000);
  const action = useAction();
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const run = (fn: () => Promise<unknown>) => action.act(async () => (await fn(), list.reload()), t('done'));
  return (
    <section class="card" aria-labelledby="signups-h">
      <h2 id="signups-h">{t('signUps')}</h2>
      <ErrorBox error={list.error} onRetry={list.reload} />
      <Loading when={list.loading && !list.data} />
      {list.data?.volunteers.length === 0 && <p class="hint">{t('nothingHere')}</p>}
      {!!list.data?.volunteers.length && (
        <div class="table-wrap">
          <table>
            <HeadRow cols={[t('name'), t('mobile'), t('skills'), t('availability'), t('area'), t('appliedAt'), <span class="sr-only">{t('approve')}</span>]} />
            <tbody>
              {list.data.volunteers.map((v) => (
                <tr key={v.id}>
                  <td>{v.name}</td>
                  <td>{v.mobile}</td>
                  <td>
                    {listJoin(
                      lang,
                      v.skills.map((x) => skillLabel(t, x)),
                    ) || '—'}
                  </td>
                  <td>
                    {listJoin(
                      lang,
                      v.availability.map((x) => availabilityLabel(t, x)),
                    )}
                  </td>
                  <td>
                    {v.community}
                    {v.building ? ` / ${v.building}` : ''}
                  </td>
                  <td>{formatTime(v.appliedAt, lang)}</td>
                  <td>
                    <div class="row">
                      <button
                        type="button"
                        class="primary"
                        disabled={action.busy}
                        onClick={() => run(() => call(api.POST('/api/volunteers/{id}/approve', { params: { path: { id: v.id } }, body: {} })))}
                      >
                        {t('approve')}
                      </button>
                      <label class="sr-only" for={`reason-${v.id}`}>
                        {t('reasonRequired')}
                      </label>
                      <input
                        id={`reason-${v.id}`}
                        placeholder={t('reasonRequired')}
                        value={reasons[v.id] ?? ''}
                        maxLength={200}
                        onInput={(e) => setReasons({ ...reasons, [v.id]: (e.target as HTMLInputElement).value })}
                      />
                      <button
                        type="button"
                        class="danger"
                        disabled={action.busy || !reasons[v.id]?.trim()}
                        onClick={() =>
                          run(() => call(api.POST('/api/volunteers/{id}/reject', { params: { path: { id: v.id } }, body: { reason: reasons[v.id]! } })))
                        }
                      >
                        {t('rejectRequest')}
                      </button>
                    </div>
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

function Tasks() {
  const { t, lang } = useI18n();
  const { api } = useSession();
  const list = useLoad(() => call(api.GET('/api/volunteer-tasks', { params: { query: { limit: 100 } } })), [], 20_000);
  const [open, setOpen] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  return (
    <section class="card" aria-labelledby="tasks-h">
      <div class="spread">
        <h2 id="tasks-h">{t('tasks')}</h2>
        <button type="button" class="primary" aria-expanded={creating} onClick={() => setCreating(!creating)}>
          {t('newTask')}
        </button>
      </div>
      {creating && (
        <TaskForm
          onCreated={(id) => {
            setCreating(false);
            setOpen(id);
            list.reload();
          }}
        />
      )}
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.data?.tasks.length === 0 && <p class="hint">{t('nothingHere')}</p>}
      <ul style="list-style:none;padding:0">
        {list.data?.tasks.map((task) => (
          <li key={task.id}>
            <button type="button" class="list-button" aria-expanded={open === task.id} onClick={() => setOpen(open === task.id ? null : task.id)}>
              <strong>
                {task.code} {task.title}
              </strong>{' '}
              <Badge>{t(`tstatus_${task.status}` as Key)}</Badge>
              <br />
              <span class="hint">
                {formatTime(task.startsAt, lang)} · {task.place} · {t('slots')} {task.slots}
              </span>
            </button>
            {open === task.id && <TaskDetail id={task.id} onChanged={list.reload} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

function TaskForm({ onCreated }: { onCreated: (id: string) => void }) {
  const { t } = useI18n();
  const { api, me } = useSession();
  const communities = useLoad(() => call(api.GET('/api/communities')), []);
  const [f, setF] = useState({
    title: '',
    place: '',
    startsAt: '',
    endsAt: '',
    slots: '5',
    skill: '',
    community: me.scope.communityCode ?? '',
    building: me.scope.buildingCode ?? '',
  });
  const action = useAction();
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const community = f.community || communities.data?.communities[0]?.code || '';
  return (
    <form
      class="card"
      onSubmit={(e) => {
        e.preventDefault();
        void action.act(async () => {
          const task = await call(
            api.POST('/api/volunteer-tasks', {
              body: {
                title: f.title,
                place: f.place,
                startsAt: localInputToIso(f.startsAt),
                endsAt: localInputToIso(f.endsAt),
                slots: Number(f.slots),
                community,
                ...(f.skill ? { skill: f.skill as (typeof SKILLS)[number] } : {}),
                ...(f.building ? { building: f.building } : {}),
              },
            }),
          );
          onCreated(task.id);
        });
      }}
    >
      <label for="task-title">{t('taskTitle')}</label>
      <input id="task-title" value={f.title} onInput={set('title')} maxLength={64} required style="width:100%" />
      <label for="task-place">{t('place')}</label>
      <input id="task-place" value={f.place} onInput={set('place')} maxLength={120} required style="width:100%" />
      <div class="row">
        <div>
          <label for="task-starts">{t('startsAt')}</label>
          <input id="task-starts" type="datetime-local" value={f.startsAt} onInput={set('startsAt')} required />
        </div>
        <div>
          <label for="task-ends">{t('endsAt')}</label>
          <input id="task-ends" type="datetime-local" value={f.endsAt} onInput={set('endsAt')} required />
        </div>
        <div>
          <label for="task-slots">{t('slots')}</label>
          <input id="task-slots" type="number" min={1} max={500} value={f.slots} onInput={set('slots')} required />
        </div>
      </div>
      <div class="row">
        <div>
          <label for="task-skill">{t('skill')}</label>
          <select id="task-skill" value={f.skill} onChange={set('skill')}>
            <option value="">{t('anySkill')}</option>
            {SKILLS.map((s) => (
              <option key={s} value={s}>
                {skillLabel(t, s)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="task-community">{t('community')}</label>
          <select id="task-community" value={community} onChange={set('community')}>
            {communities.data?.communities.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="task-building">{t('building')}</label>
          <input id="task-building" value={f.building} onInput={set('building')} placeholder={t('anyBuilding')} />
        </div>
      </div>
      <ErrorBox error={action.error ?? communities.error} />
      <button class="primary" type="submit" style="margin-top:0.6rem" disabled={action.busy}>
        {t('createTask')}
      </button>
    </form>
  );
}

function TaskDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const detail = useLoad(() => call(api.GET('/api/volunteer-tasks/{id}', { params: { path: { id } } })), [id], 10_000);
  const action = useAction();
  const [message, setMessage] = useState<string | null>(null);
  if (!detail.data) return detail.error ? <ErrorBox error={detail.error} onRetry={detail.reload} /> : <Loading when />;
  const { task, roster, waitlist } = detail.data;
  const path = { params: { path: { id } } };
  const changed = () => (detail.reload(), onChanged());
  return (
    <div class="card">
      <p>
        <strong>{t('fill', { taken: roster.length, slots: task.slots })}</strong>
        {task.skill && ` · ${t('skills')}: ${skillLabel(t, task.skill)}`}
      </p>
      <progress max={task.slots} value={roster.length} aria-label={t('fill', { taken: roster.length, slots: task.slots })} />
      <div class="row" style="margin:0.6rem 0">
        {task.status !== 'cancelled' && (
          <button
            type="button"
            class="primary"
            disabled={action.busy}
            onClick={() =>
              action.act(async () => {
                const r = await call(api.POST('/api/volunteer-tasks/{id}/release', path));
                setMessage(t('prompted', { n: r.prompted }));
                changed();
              })
            }
          >
            {t('releaseTask')}
          </button>
        )}
        {task.status !== 'cancelled' && (
          <button
            type="button"
            class="danger"
            disabled={action.busy}
            onClick={() => action.act(async () => (await call(api.POST('/api/volunteer-tasks/{id}/cancel', { ...path, body: {} })), changed()))}
          >
            {t('cancelTask')}
          </button>
        )}
      </div>
      <ErrorBox error={action.error} />
      <Notice text={message} />
      <People title={t('roster')} people={roster} />
      <People title={t('waitlist')} people={waitlist} />
    </div>
  );
}

function People({ title, people }: { title: string; people: Schemas['VolunteerTaskDetail']['roster'] }) {
  const { t } = useI18n();
  return (
    <>
      <h3>
        {title} ({people.length})
      </h3>
      {people.length === 0 ? (
        <p class="hint">{t('none')}</p>
      ) : (
        <ol>
          {people.map((p) => (
            <li key={p.volunteerId}>
              {p.name} · {p.mobile}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
