// The content script's entry: bridge the page hook, then run one page view per creator page
// (profile, post, video), replacing it whenever the single-page app moves to another URL, and chips
// on scroll pages (hashtag, search, feed), kept while the feed stays the same. Each has its
// AbortSignal, which cleans up the old one.

import { MSG, ask } from '../shared/messages.js';
import { RESPONSE_PATTERNS, adapterFor, feedKey, isWantedResponse } from '../platforms/index.js';
import { readPageData } from './page-data.js';
import { ResponseLog, bridgeHook } from './hook-bridge.js';
import { runChips } from './chips.js';
import { watchNavigation } from './navigation.js';
import { runPageView } from './page-view.js';

const CREATOR_PAGES = new Set(['profile', 'post', 'video']);

/** Start on this page; ``hookPort`` is the page hook's private channel (connectHook), or null. */
export function start({ hookPort }) {
  const log = new ResponseLog();
  bridgeHook({ port: hookPort, patterns: RESPONSE_PATTERNS, isWanted: isWantedResponse, log });
  const lifetime = new AbortController();
  window.addEventListener('pagehide', (event) => {
    if (!event.persisted) lifetime.abort();
  });
  let view = null;
  let chips = null; // {key, controller}: the reel and Shorts feeds change the URL with every post

  const open = (href, readyAt) => {
    view?.abort();
    view = new AbortController();
    const signal = AbortSignal.any([view.signal, lifetime.signal]);
    const adapter = adapterFor(href);
    const where = adapter?.matchUrl(href);
    const key = feedKey(where);
    if (chips?.key !== key) {
      chips?.controller.abort();
      chips = null;
      if (key) {
        const controller = new AbortController();
        chips = { key, controller };
        try {
          runChips({ adapter, where, log, signal: AbortSignal.any([controller.signal, lifetime.signal]) });
        } catch (error) {
          console.warn('microscout: chips failed', error);
        }
      }
    }
    if (!adapter || !CREATOR_PAGES.has(where?.kind)) {
      ask(MSG.REPORT, { state: key ? 'chips' : 'idle', platform: adapter?.id });
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
