// Test doubles for what the service worker reaches outside itself: chrome.storage areas (a Map
// behind the get/set/remove calls the worker makes) and fetch (a function that records each request
// and answers from a handler). The real ones only exist in a browser, where tests/browser uses them.

export class Area {
  constructor() {
    this.map = new Map();
  }
  async get(keys) {
    if (keys === null) return Object.fromEntries(this.map);
    const list = Array.isArray(keys) ? keys : [keys];
    return Object.fromEntries(list.filter((k) => this.map.has(k)).map((k) => [k, structuredClone(this.map.get(k))]));
  }
  async set(items) {
    for (const [k, v] of Object.entries(items)) this.map.set(k, structuredClone(v));
  }
  async remove(keys) {
    for (const k of [keys].flat()) this.map.delete(k);
  }
}

/** Install a chrome with local and session storage; returns it. */
export function installChrome(settings) {
  const chrome = { storage: { local: new Area(), session: new Area() } };
  chrome.storage.local.map = new Map(Object.entries(settings));
  globalThis.chrome = chrome;
  return chrome;
}

/**
 * Replace globalThis.fetch with ``answer(request)`` -> {status, body, headers?} (or a thrown
 * error); ``requests`` collects {url, method, headers, body (parsed JSON)}. Returns {requests, restore}.
 */
export function fakeFetch(answer) {
  const original = globalThis.fetch;
  const requests = [];
  globalThis.fetch = async (url, init = {}) => {
    const request = {
      url: String(url),
      method: init.method ?? 'GET',
      headers: init.headers ?? {},
      body: init.body === undefined ? undefined : JSON.parse(init.body),
    };
    requests.push(request);
    const { status = 200, body = null, headers = {} } = await answer(request);
    return new Response(body === null ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
    });
  };
  return {
    requests,
    restore: () => {
      globalThis.fetch = original;
    },
  };
}
