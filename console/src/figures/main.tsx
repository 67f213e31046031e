/** The public figures page: community-level counts anyone may see, no sign-in, no personal data. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { initialLang, type Lang } from '../i18n';
import { LanguageSelect } from '../language-select';
import '../styles.css';

const W = {
  'zh-CN': {
    title: '社区公开数据',
    intro: '社区工作的公开情况：只有汇总数字，不含任何个人信息。每分钟自动更新。',
    reports: '今日健康上报',
    green: '绿码',
    yellow: '黄码',
    red: '红码',
    supplies: '物资求助',
    open: '处理中',
    delivered: '近 7 天已送达',
    volunteers: '志愿者',
    approved: '在册志愿者',
    openTasks: '招募中的任务',
    notices: '近 7 天发布的通知',
    allocations: '物资配给',
    stock: '总量',
    booked: '已预约',
    redeemed: '已领取',
    updated: '更新于',
    failed: '暂时无法获取数据，请稍后再试。',
    language: 'Language',
  },
  en: {
    title: 'Community figures',
    intro: 'How the community is being run, in totals only — no personal data. Updates every minute.',
    reports: 'Health reports today',
    green: 'green',
    yellow: 'yellow',
    red: 'red',
    supplies: 'Supply requests',
    open: 'being handled',
    delivered: 'delivered in the last 7 days',
    volunteers: 'Volunteers',
    approved: 'registered volunteers',
    openTasks: 'tasks recruiting',
    notices: 'notices released in the last 7 days',
    allocations: 'Allocations',
    stock: 'stock',
    booked: 'booked',
    redeemed: 'handed out',
    updated: 'Updated',
    failed: 'The figures cannot be loaded right now. Please try again later.',
    language: '语言',
  },
} as const;

interface Figures {
  generatedAt: string;
  communities: {
    code: string;
    name: string;
    reports: { green: number; yellow: number; red: number };
    supplies: { open: number; deliveredLast7Days: number };
    volunteers: { approved: number; openTasks: number };
    notices: { releasedLast7Days: number };
    allocations: { title: string; status: string; stock: number; booked: number; redeemed: number }[];
  }[];
}

function Page() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const w = W[lang] ?? W['zh-CN'];
  const [data, setData] = useState<Figures | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem('linli.lang', lang);
  }, [lang]);
  useEffect(() => {
    const load = () =>
      fetch('/figures/data.json')
        .then((r) => (r.ok ? (r.json() as Promise<Figures>) : Promise.reject(new Error(String(r.status)))))
        .then((d) => (setData(d), setFailed(false)))
        .catch(() => setFailed(true));
    void load();
    const timer = setInterval(load, 60_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <main style="max-width:60rem;margin:0 auto;padding:1rem">
      <div class="spread">
        <h1>{w.title}</h1>
        <LanguageSelect label={w.language} lang={lang} onChange={setLang} />
      </div>
      <p class="hint">{w.intro}</p>
      {failed && (
        <p class="error" role="alert">
          {w.failed}
        </p>
      )}
      {data?.communities.map((c) => (
        <section class="card" key={c.code} aria-labelledby={`c-${c.code}`}>
          <h2 id={`c-${c.code}`}>{c.name}</h2>
          <dl class="board">
            <div>
              <dt>{w.reports}</dt>
              <dd>
                {w.green} {c.reports.green} · {w.yellow} {c.reports.yellow} · {w.red} {c.reports.red}
              </dd>
            </div>
            <div>
              <dt>{w.supplies}</dt>
              <dd>
                {w.open} {c.supplies.open} · {w.delivered} {c.supplies.deliveredLast7Days}
              </dd>
            </div>
            <div>
              <dt>{w.volunteers}</dt>
              <dd>
                {w.approved} {c.volunteers.approved} · {w.openTasks} {c.volunteers.openTasks}
              </dd>
            </div>
            <div>
              <dt>{w.notices}</dt>
              <dd>{c.notices.releasedLast7Days}</dd>
            </div>
          </dl>
          {c.allocations.length > 0 && (
            <>
              <h3>{w.allocations}</h3>
              <table>
                <thead>
                  <tr>
                    <th scope="col" />
                    <th scope="col">{w.stock}</th>
                    <th scope="col">{w.booked}</th>
                    <th scope="col">{w.redeemed}</th>
                  </tr>
                </thead>
                <tbody>
                  {c.allocations.map((a) => (
                    <tr key={a.title}>
                      <th scope="row">{a.title}</th>
                      <td>{a.stock}</td>
                      <td>{a.booked}</td>
                      <td>{a.redeemed}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>
      ))}
      {data && (
        <p class="hint">
          {w.updated} {new Date(data.generatedAt).toLocaleString(lang)}
        </p>
      )}
    </main>
  );
}

render(<Page />, document.getElementById('app')!);
