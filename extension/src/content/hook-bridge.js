// The isolated side of the page hook: take a private channel to it at document_start, send it the
// adapters' URL patterns over that channel, accept only well-formed answers for wanted URLs, and
// keep them for page-data.js. Window messages posing as the hook are counted, never read; capture
// health says so (noteHookHealth).

import { HOOK, isHookResponse } from '../shared/messages.js';

export const MAX_RESPONSES = 30;

/** The page's own JSON answers in arrival order ({url, status, json, pageUrl}), oldest dropped past ``max``. */
export class ResponseLog {
  constructor(max = MAX_RESPONSES) {
    this.max = max;
    this.items = [];
    this.total = 0; // answers ever added: grows even when old ones are dropped
    this.listeners = new Set();
    this.connected = false; // the hook took our port at document_start
    this.impostors = 0; // window messages that posed as the hook (ignored)
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

/**
 * Hand the page hook one end of a private channel; returns our end, or null when no hook took it.
 * Must run at document_start, before any page script: the event is dispatched synchronously, only
 * the hook (which the manifest runs just before us) listens, and it cancels the event to say it
 * took the port. A page script that listens later never sees the port.
 */
export function connectHook(target = window) {
  const channel = new MessageChannel();
  const event = new MessageEvent(HOOK.CONNECT, { cancelable: true, ports: [channel.port2] });
  if (target.dispatchEvent(event)) {
    channel.port1.close();
    return null;
  }
  return channel.port1;
}

function samePage(pageUrl, origin) {
  try {
    return typeof pageUrl === 'string' && new URL(pageUrl).origin === origin;
  } catch {
    return false;
  }
}

/**
 * Keep the hook's answers from ``port`` (connectHook's) in ``log`` for the page's lifetime, and send
 * the hook the patterns it needs. ``port`` null: no answers, and ``log.connected`` stays false.
 */
export function bridgeHook({ port, patterns, isWanted, log, target = window }) {
  target.addEventListener('message', (event) => {
    if (event.data?.source === HOOK.FROM_PAGE) log.impostors += 1; // the real hook never posts here
  });
  if (!port) return;
  log.connected = true;
  port.onmessage = (event) => {
    if (!isHookResponse(event.data, isWanted)) return;
    const { url, status, body, pageUrl } = event.data;
    const here = target.location;
    log.add({ url, status, json: body, pageUrl: samePage(pageUrl, here.origin) ? pageUrl : here.href });
  };
  port.postMessage({ v: HOOK.VERSION, kind: HOOK.CONFIG, patterns: [...patterns] });
}

/**
 * Say in ``capture`` (a snapshot's capture health, shown in the overlay) whether the hook was
 * connected, and whether page script tried to pass itself off as the hook.
 */
export function noteHookHealth(capture, log) {
  if (!capture || typeof capture !== 'object') return;
  capture.hook = log.connected ? 'connected' : 'absent';
  const notes = Array.isArray(capture.notes) ? capture.notes : (capture.notes = []);
  if (!log.connected) {
    notes.push(
      "The page hook did not connect: the page's own API answers were not read, only what it embeds and shows.",
    );
  }
  if (log.impostors) {
    capture.hook_impostors = log.impostors;
    notes.push(
      "Page script posted messages posing as microscout's page hook; they were ignored. " +
        'This page may also alter what it shows.',
    );
  }
}
