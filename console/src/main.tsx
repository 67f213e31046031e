import { Component, render, type ComponentChildren } from 'preact';
import { App } from './app';
import { initialLang, translator } from './i18n';
import './styles.css';

/**
 * A render exception would otherwise leave a blank page: say what broke and offer a reload (the
 * session token is kept, so the reload lands back on the same page signed in).
 */
class ErrorBoundary extends Component<{ children: ComponentChildren }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static override getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
  override componentDidCatch(error: unknown) {
    console.error(error);
  }
  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    // Outside the app's language context: the saved choice, as the app would start.
    const t = translator(initialLang());
    return (
      <main class="crash" aria-labelledby="crash-h">
        <h1 id="crash-h">{t('crashTitle')}</h1>
        <div role="alert">
          <p>{t('crashHint')}</p>
          <pre class="crash-detail">{error.message}</pre>
        </div>
        <button type="button" class="primary" onClick={() => window.location.reload()}>
          {t('reload')}
        </button>
      </main>
    );
  }
}

render(
  <ErrorBoundary>
    <App />
  </ErrorBoundary>,
  document.getElementById('app')!,
);
