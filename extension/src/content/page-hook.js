// MAIN-world page hook (a classic script: the MAIN world cannot load extension modules).
//
// It copies the JSON answers the page's own fetch/XHR calls already received and posts them to
// the isolated content script. It never makes a request of its own. Which URLs matter comes from
// the platform adapters' RESPONSE_PATTERNS (regular expression sources, case-insensitive, tested
// against the absolute URL), sent by the content script in a `config` message;
// answers that arrive before that are held (unread, at most MAX_HELD) and checked once it comes.
// The literals below repeat HOOK in shared/messages.js (a unit test keeps them in step).
(() => {
  'use strict';

  const FROM_PAGE = 'microscout-page-hook';
  const FROM_CONTENT = 'microscout-content';
  const VERSION = 1;
  const MAX_HELD = 40;
  const MAX_BODY_CHARS = 8 * 1024 * 1024;
  const XSSI_PREFIXES = ['for (;;);', ")]}'"];
  const MARK = Symbol.for('microscout.page-hook');

  if (window[MARK]) return;
  Object.defineProperty(window, MARK, { value: true });

  const post = window.postMessage.bind(window);
  const origin = location.origin;
  let patterns = null;
  const held = [];

  function matches(url) {
    let href;
    try {
      href = new URL(url, origin).href;
    } catch {
      return false;
    }
    return patterns.some((pattern) => pattern.test(href));
  }

  function parse(text) {
    if (typeof text !== 'string' || text.length > MAX_BODY_CHARS) return null;
    let body = text.trimStart();
    for (const prefix of XSSI_PREFIXES) if (body.startsWith(prefix)) body = body.slice(prefix.length);
    try {
      const value = JSON.parse(body);
      return value && typeof value === 'object' ? value : null;
    } catch {
      return null;
    }
  }

  async function forward(entry) {
    if (!matches(entry.url)) return;
    let body;
    try {
      body = entry.json !== undefined ? entry.json : parse(await entry.text());
    } catch {
      return;
    }
    if (!body || typeof body !== 'object') return;
    try {
      post(
        {
          source: FROM_PAGE,
          v: VERSION,
          kind: 'response',
          url: new URL(entry.url, origin).href,
          status: entry.status,
          pageUrl: entry.pageUrl,
          body,
        },
        origin,
      );
    } catch {
      // a body that cannot be cloned is simply not copied
    }
  }

  function offer(entry) {
    if (entry.status < 200 || entry.status > 299 || !entry.url) return;
    entry.pageUrl = location.href; // the page the answer belongs to, even if it is forwarded later
    if (patterns) {
      forward(entry);
      return;
    }
    held.push(entry);
    if (held.length > MAX_HELD) held.shift();
  }

  window.addEventListener('message', (event) => {
    const data = event.data;
    if (event.source !== window || !data || data.source !== FROM_CONTENT || data.v !== VERSION) return;
    if (data.kind !== 'config' || !Array.isArray(data.patterns)) return;
    const compiled = [];
    for (const source of data.patterns) {
      try {
        if (typeof source === 'string') compiled.push(new RegExp(source, 'i'));
      } catch {
        // a pattern that does not compile matches nothing
      }
    }
    patterns = compiled;
    for (const entry of held.splice(0)) forward(entry);
  });

  const nativeFetch = window.fetch;
  if (typeof nativeFetch === 'function') {
    window.fetch = function fetch(...args) {
      const pending = nativeFetch.apply(this, args);
      pending.then(
        (response) => {
          try {
            const type = response.headers.get('content-type') || '';
            if (response.type === 'opaque' || /image|video|audio|font|css/.test(type)) return;
            const request = args[0];
            const url = response.url || (typeof request === 'string' ? request : (request?.url ?? String(request)));
            if (patterns && !matches(url)) return; // not one we copy: do not even clone it
            const copy = response.clone();
            offer({ url, status: response.status, text: () => copy.text() });
          } catch {
            // never disturb the page's own request
          }
        },
        () => undefined,
      );
      return pending;
    };
  }

  const urls = new WeakMap();
  const proto = XMLHttpRequest.prototype;
  const nativeOpen = proto.open;
  const nativeSend = proto.send;
  proto.open = function open(method, url, ...rest) {
    urls.set(this, String(url));
    return nativeOpen.call(this, method, url, ...rest);
  };
  proto.send = function send(...args) {
    this.addEventListener('load', onXhrLoad);
    return nativeSend.apply(this, args);
  };

  function onXhrLoad() {
    try {
      const url = this.responseURL || urls.get(this);
      if (this.responseType === 'json') {
        offer({ url, status: this.status, json: this.response });
      } else if (this.responseType === '' || this.responseType === 'text') {
        const text = this.responseText;
        offer({ url, status: this.status, text: async () => text });
      }
    } catch {
      // never disturb the page's own request
    }
  }
})();
