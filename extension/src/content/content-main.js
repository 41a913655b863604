// The content script's entry: bridge the page hook, then run one page view per page, replacing it
// whenever the single-page app moves to another URL (its AbortSignal cleans up the old one).

import { MSG, ask } from '../shared/messages.js';
import { RESPONSE_PATTERNS, adapterFor, isWantedResponse } from '../platforms/index.js';
import { readPageData } from './page-data.js';
import { ResponseLog, bridgeHook } from './hook-bridge.js';
import { watchNavigation } from './navigation.js';
import { runPageView } from './page-view.js';

/** Start on this page; ``hookPort`` is the page hook's private channel (connectHook), or null. */
export function start({ hookPort }) {
  const log = new ResponseLog();
  bridgeHook({ port: hookPort, patterns: RESPONSE_PATTERNS, isWanted: isWantedResponse, log });
  const lifetime = new AbortController();
  window.addEventListener('pagehide', (event) => {
    if (!event.persisted) lifetime.abort();
  });
  let view = null;

  const open = (href, readyAt) => {
    view?.abort();
    view = new AbortController();
    const signal = AbortSignal.any([view.signal, lifetime.signal]);
    const adapter = adapterFor(href);
    const where = adapter?.matchUrl(href);
    if (!adapter || !where?.kind) {
      ask(MSG.REPORT, { state: 'idle', platform: adapter?.id });
      return;
    }
    runPageView({ adapter, where, readPageData, log, signal, readyAt }).catch((error) => {
      console.warn('microscout: page view failed', error);
    });
  };

  whenReady().then((readyAt) => {
    open(location.href, readyAt);
    watchNavigation((href) => open(href, performance.now()), lifetime.signal);
  });
}

/** Resolves with the time the document was ready (DOMContentLoaded), as performance.now() time. */
function whenReady() {
  const readyTime = () => performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd || performance.now();
  if (document.readyState !== 'loading') return Promise.resolve(readyTime());
  return new Promise((resolve) => {
    document.addEventListener('DOMContentLoaded', () => resolve(performance.now()), { once: true });
  });
}
