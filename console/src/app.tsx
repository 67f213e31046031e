/** The console's frame: sign-in, the navigation the role allows, the page of the address's hash. */
import type { FunctionComponent } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiClient, call, fetchRoleTable, type Actor, type RoleTable } from './api/client';
import { I18n, initialLang, translator, useI18n, type Key, type Lang } from './i18n';
import { SessionContext, TOKEN_KEY, type Session } from './session';
import { LanguageSelect } from './language-select';
import { ErrorBox, Loading } from './ui';
import { NoticesPage } from './pages/notices';
import { SuppliesPage } from './pages/supplies';
import { VolunteersPage } from './pages/volunteers';
import { SituationPage } from './pages/situation';
import { RumorsPage } from './pages/rumors';
import { GatesPage } from './pages/gates';
import { EXPORT_KINDS, ExportsPage } from './pages/exports';

interface PageDef {
  id: string;
  nav: Key;
  /** The operations the page works with: shown when the role may call any of them. */
  needs: string[];
  component: FunctionComponent;
}

export const PAGES: PageDef[] = [
  { id: 'situation', nav: 'navSituation', needs: ['GET /api/situation'], component: SituationPage },
  { id: 'notices', nav: 'navNotices', needs: ['GET /api/notices'], component: NoticesPage },
  { id: 'supplies', nav: 'navSupplies', needs: ['GET /api/supply-requests'], component: SuppliesPage },
  { id: 'volunteers', nav: 'navVolunteers', needs: ['GET /api/volunteers'], component: VolunteersPage },
  { id: 'rumors', nav: 'navRumors', needs: ['GET /api/rumors/claims'], component: RumorsPage },
  {
    id: 'gates',
    nav: 'navGates',
    needs: ['GET /api/gate-records/out-now', 'GET /api/gate-records', 'GET /api/returnees', 'GET /api/allocations'],
    component: GatesPage,
  },
  { id: 'exports', nav: 'navExports', needs: EXPORT_KINDS.map((k) => `GET /api/exports/${k}`), component: ExportsPage },
];

const hashPage = () => window.location.hash.replace(/^#\/?/, '').split('/')[0] ?? '';

function LanguageSwitch() {
  const { t, lang, setLang } = useI18n();
  return <LanguageSelect label={t('language')} lang={lang} onChange={setLang} />;
}

function SignIn({ onSignedIn, error }: { onSignedIn: (token: string) => void; error: unknown }) {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  return (
    <main class="signin card">
      <h1>{t('signInTitle')}</h1>
      <LanguageSwitch />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) onSignedIn(token.trim());
        }}
      >
        <label for="token">{t('token')}</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          style="width:100%"
          required
        />
        <p class="hint">{t('signInHint')}</p>
        <ErrorBox error={error} />
        <button class="primary" type="submit">
          {t('signIn')}
        </button>
      </form>
    </main>
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const { t } = useI18n();
  const [page, setPage] = useState(hashPage());
  useEffect(() => {
    const on = () => setPage(hashPage());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const visible = PAGES.filter((p) => p.needs.some(session.may));
  const current = visible.find((p) => p.id === page);
  useEffect(() => {
    if (!current && visible[0] && page === '') window.location.hash = `#/${visible[0].id}`;
  }, [current, page, visible]);
  const Page = current?.component;
  return (
    <div class="shell">
      <nav aria-label={t('appName')}>
        <a class="sr-only" href="#main">
          {t('skip')}
        </a>
        <div class="brand">{t('appName')}</div>
        <div class="who">{t('signedInAs', { name: session.me.name, role: t(`role_${session.me.role}` as Key) })}</div>
        {visible.map((p) => (
          <a key={p.id} href={`#/${p.id}`} aria-current={p.id === current?.id ? 'page' : undefined}>
            {t(p.nav)}
          </a>
        ))}
        <LanguageSwitch />
        <button type="button" onClick={onSignOut}>
          {t('signOut')}
        </button>
      </nav>
      <main id="main" tabIndex={-1}>
        {Page ? <Page key={current.id} /> : page && !current ? <p class="error">{t('notAllowed')}</p> : <p>{t('home', { name: session.me.name })}</p>}
      </main>
    </div>
  );
}

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang());
  const t = useMemo(() => translator(lang), [lang]);
  const setLang = (l: Lang) => {
    localStorage.setItem('linli.lang', l);
    setLangState(l);
  };
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [checking, setChecking] = useState(!!sessionStorage.getItem(TOKEN_KEY));
  const signOut = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    setSession(null);
  };
  const signIn = async (token: string) => {
    setError(null);
    setChecking(true);
    try {
      const api = apiClient(token, signOut);
      const me: Actor = await call(api.GET('/api/me'));
      const roles: RoleTable = await fetchRoleTable(token);
      sessionStorage.setItem(TOKEN_KEY, token);
      setSession({ token, me, api, roles, may: (op) => roles[op]?.includes(me.role) ?? false });
    } catch (err) {
      sessionStorage.removeItem(TOKEN_KEY);
      setError(err);
    } finally {
      setChecking(false);
    }
  };
  useEffect(() => {
    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) void signIn(saved);
  }, []);
  return (
    <I18n.Provider value={{ t, lang, setLang }}>
      {session ? (
        <SessionContext.Provider value={session}>
          <Shell session={session} onSignOut={signOut} />
        </SessionContext.Provider>
      ) : checking ? (
        <Loading when />
      ) : (
        <SignIn onSignedIn={signIn} error={error} />
      )}
    </I18n.Provider>
  );
}
