// The isolated side of the page hook: send it the adapters' URL patterns, accept only well-formed
// messages for wanted URLs, and keep the copied answers for page-data.js.

import { HOOK, isHookResponse } from '../shared/messages.js';

export const MAX_RESPONSES = 30;

/** The page's own JSON answers in arrival order ({url, status, json, pageUrl}), oldest dropped past ``max``. */
export class ResponseLog {
  constructor(max = MAX_RESPONSES) {
    this.max = max;
    this.items = [];
    this.total = 0; // answers ever added: grows even when old ones are dropped
    this.listeners = new Set();
  }

  add(item) {
    this.items.push(item);
    this.total += 1;
    if (this.items.length > this.max) this.items.splice(0, this.items.length - this.max);
    for (const listener of this.listeners) listener(item);
  }

  list() {
    return this.items.slice();
  }

  /** Call ``listener`` for each new answer until ``signal`` aborts. */
  subscribe(listener, signal) {
    this.listeners.add(listener);
    signal?.addEventListener('abort', () => this.listeners.delete(listener), { once: true });
  }
}

function samePage(pageUrl) {
  try {
    return typeof pageUrl === 'string' && new URL(pageUrl).origin === location.origin;
  } catch {
    return false;
  }
}

/** Listen for the hook's messages for the page's lifetime and send it the patterns it needs. */
export function bridgeHook({ patterns, isWanted, log }) {
  window.addEventListener('message', (event) => {
    if (event.source !== window || event.origin !== location.origin) return;
    if (!isHookResponse(event.data, isWanted)) return;
    const { url, status, body, pageUrl } = event.data;
    log.add({ url, status, json: body, pageUrl: samePage(pageUrl) ? pageUrl : location.href });
  });
  window.postMessage(
    { source: HOOK.FROM_CONTENT, v: HOOK.VERSION, kind: HOOK.CONFIG, patterns: [...patterns] },
    location.origin,
  );
}
