/**
 * The resident simulator: a phone-sized chat with the real bot. What you do is sent to
 * `/simulator/api/send`, which signs it as WeChat would and posts it to `/wechat`; the bot's
 * passive reply comes back at once, and what it sends later through the WeChat API (status
 * changes, notices, late replies) is polled from `/simulator/api/messages`.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { initialLang, type Lang } from '../i18n';
import { LanguageSelect } from '../language-select';
import '../styles.css';
import './simulator.css';

const WORDS = {
  'zh-CN': {
    title: '邻里 · 居民模拟器',
    intro: '这里模拟一位微信居民与邻里公众号对话。先点“关注”，再按菜单或输入文字。',
    resident: '居民 openid',
    newResident: '换一位新居民',
    message: '输入消息',
    send: '发送',
    subscribe: '关注',
    scene: '扫码关注的海报（可选，例如 b:demo:1）',
    unsubscribe: '取消关注',
    menu: '菜单',
    later: '（稍后通过接口回复）',
    none: '（无回复）',
    noLog: '无法读取稍后发送的消息（未使用模拟微信接口）。',
    you: '我',
    bot: '邻里',
    pushed: '推送',
    // The CLICK keys of flows/menu.ts (scripts/menu.json), in the bot's menu order.
    keys: {
      HEALTH_REPORT: '健康上报',
      SUPPLIES: '物资求助',
      VOLUNTEER: '志愿者报名',
      RUMOR_CHECK: '谣言查询',
      MY_ACCOUNT: '我的账户',
      RETURNEE: '返回登记',
      BOOKING: '预约领取',
    },
    language: 'Language',
  },
  en: {
    title: 'Linli · resident simulator',
    intro: 'Play a WeChat resident talking to the Linli account. Press “Follow” first, then use the menu or type.',
    resident: 'Resident openid',
    newResident: 'New resident',
    message: 'Message',
    send: 'Send',
    subscribe: 'Follow',
    scene: 'Poster scanned to follow (optional, e.g. b:demo:1)',
    unsubscribe: 'Unfollow',
    menu: 'Menu',
    later: '(answered later through the API)',
    none: '(no reply)',
    noLog: 'Messages sent later cannot be read (the mock WeChat API is not in use).',
    you: 'Me',
    bot: 'Linli',
    pushed: 'pushed',
    keys: {
      HEALTH_REPORT: 'Health report',
      SUPPLIES: 'Supplies',
      VOLUNTEER: 'Volunteer',
      RUMOR_CHECK: 'Rumour check',
      MY_ACCOUNT: 'My account',
      RETURNEE: 'I’m back',
      BOOKING: 'Book supplies',
    },
    language: '语言',
  },
} as const;

type Action = { type: 'text'; content: string } | { type: 'subscribe'; sceneKey?: string } | { type: 'unsubscribe' } | { type: 'click'; key: string };
interface Line {
  id: string;
  from: 'me' | 'bot' | 'pushed' | 'error';
  text: string;
}

const newOpenid = () => `sim-${Math.random().toString(36).slice(2, 10)}`;
function initialOpenid(): string {
  const fromUrl = new URLSearchParams(window.location.search).get('openid');
  if (fromUrl) return fromUrl;
  const saved = localStorage.getItem('linli.sim.openid');
  if (saved) return saved;
  const id = newOpenid();
  localStorage.setItem('linli.sim.openid', id);
  return id;
}

function Simulator() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const w = WORDS[lang] ?? WORDS['zh-CN'];
  const [openid, setOpenid] = useState(initialOpenid);
  const [lines, setLines] = useState<Line[]>([]);
  const [text, setText] = useState('');
  const [scene, setScene] = useState(new URLSearchParams(window.location.search).get('scene') ?? '');
  const [busy, setBusy] = useState(false);
  const [noLog, setNoLog] = useState(false);
  const after = useRef(0);
  const list = useRef<HTMLOListElement>(null);
  const add = (l: Omit<Line, 'id'>) => setLines((ls) => [...ls, { ...l, id: `${Date.now()}-${Math.random()}` }]);

  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem('linli.lang', lang);
  }, [lang]);
  useEffect(() => list.current?.lastElementChild?.scrollIntoView({ block: 'end' }), [lines.length]);

  // Start reading the log from now: a fresh page shows only what follows.
  useEffect(() => {
    let stop = false;
    after.current = -1;
    const poll = async () => {
      try {
        const res = await fetch(`/simulator/api/messages?openid=${encodeURIComponent(openid)}&after=${Math.max(0, after.current)}`);
        const body = (await res.json()) as { messages: { seq: number; text: string }[]; available: boolean };
        setNoLog(!body.available);
        const fresh = after.current < 0 ? [] : body.messages;
        const last = body.messages.at(-1)?.seq;
        if (last !== undefined) after.current = Math.max(after.current, last);
        else if (after.current < 0) after.current = 0;
        for (const m of fresh) add({ from: 'pushed', text: m.text });
      } catch {
        // The next poll tries again; the send path reports errors.
      }
      if (!stop) timer = setTimeout(poll, 1500);
    };
    let timer = setTimeout(poll, 0);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [openid]);

  const send = async (action: Action, shown: string) => {
    setBusy(true);
    add({ from: 'me', text: shown });
    try {
      const res = await fetch('/simulator/api/send', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ openid, action }),
      });
      const body = (await res.json().catch(() => ({}))) as { kind?: string; text?: string | null; message?: string };
      if (!res.ok) add({ from: 'error', text: body.message ?? `HTTP ${res.status}` });
      else if (body.kind === 'reply') add({ from: 'bot', text: body.text ?? '' });
      else add({ from: 'bot', text: body.kind === 'late' ? w.later : w.none });
    } catch (err) {
      add({ from: 'error', text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="phone" aria-labelledby="sim-h">
      <header class="phone-head">
        <h1 id="sim-h">{w.title}</h1>
        <LanguageSelect label={w.language} lang={lang} onChange={setLang} />
      </header>
      <p class="hint">{w.intro}</p>
      <div class="row">
        <label class="inline" for="openid">
          {w.resident}
        </label>
        <input id="openid" value={openid} readOnly size={18} />
        <button
          type="button"
          onClick={() => {
            const id = newOpenid();
            localStorage.setItem('linli.sim.openid', id);
            setLines([]);
            setOpenid(id);
          }}
        >
          {w.newResident}
        </button>
      </div>
      <label for="scene">{w.scene}</label>
      <input id="scene" value={scene} onInput={(e) => setScene((e.target as HTMLInputElement).value)} autoComplete="off" />
      <div class="row" style="margin:0.5rem 0">
        <button
          type="button"
          onClick={() =>
            send(
              scene.trim() ? { type: 'subscribe', sceneKey: scene.trim() } : { type: 'subscribe' },
              `[${w.subscribe}${scene.trim() ? ` ${scene.trim()}` : ''}]`,
            )
          }
          disabled={busy}
        >
          {w.subscribe}
        </button>
        <button type="button" onClick={() => send({ type: 'unsubscribe' }, `[${w.unsubscribe}]`)} disabled={busy}>
          {w.unsubscribe}
        </button>
      </div>
      {noLog && <p class="hint">{w.noLog}</p>}
      <ol class="chat" ref={list} aria-live="polite" aria-label={w.title} data-testid="chat">
        {lines.map((l) => (
          <li key={l.id} class={`bubble ${l.from}`} data-from={l.from}>
            <span class="sr-only">{l.from === 'me' ? w.you : l.from === 'pushed' ? `${w.bot} (${w.pushed})` : w.bot}: </span>
            {l.text}
          </li>
        ))}
      </ol>
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          const c = text.trim();
          if (!c) return;
          setText('');
          void send({ type: 'text', content: c }, c);
        }}
      >
        <label class="sr-only" for="message">
          {w.message}
        </label>
        <input id="message" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} autoComplete="off" placeholder={w.message} />
        <button class="primary" type="submit" disabled={busy || !text.trim()}>
          {w.send}
        </button>
      </form>
      <nav class="menu" aria-label={w.menu}>
        {(Object.entries(w.keys) as [string, string][]).map(([key, label]) => (
          <button type="button" key={key} onClick={() => send({ type: 'click', key }, `[${label}]`)} disabled={busy}>
            {label}
          </button>
        ))}
      </nav>
    </main>
  );
}

render(<Simulator />, document.getElementById('app')!);
