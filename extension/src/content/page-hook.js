// MAIN-world page hook (a classic script: the MAIN world cannot load extension modules).
//
// It copies the JSON answers the page's own fetch/XHR calls already received and hands them to
// the isolated content script. It never makes a request of its own.
//
// The channel is a private MessagePort, never window.postMessage (which any page script can
// forge). The manifest runs this script first, then the content script, both at document_start,
// before any page script: the content script dispatches one CONNECT MessageEvent carrying a port,
// this script takes the port and cancels the event (so the content script knows it was taken) and
// stops listening. The page never sees the event, so it never holds the port. postMessage is bound
// to the port right then, so a page that later rewrites MessagePort.prototype learns nothing.
//
// Which URLs matter comes from the platform adapters' RESPONSE_PATTERNS (regular expression
// sources, case-insensitive, tested against the absolute URL), sent by the content script over the
// port in a `config` message; answers that arrive before that are held (unread, at most MAX_HELD)
// and checked once it comes. The literals below repeat HOOK in shared/messages.js (a unit test
// keeps them in step).
(() => {
  'use strict';

  const FROM_PAGE = 'microscout-page-hook';
  const VERSION = 1;
  const CONNECT = 'microscout-hook-connect';
  const MAX_HELD = 40;
  const MAX_BODY_CHARS = 8 * 1024 * 1024;
  const XSSI_PREFIXES = ['for (;;);', ")]}'"];

  const origin = location.origin;
  let post = null; // the port's postMessage, once connected
  let patterns = null;
  const held = [];

  function onConnect(event) {
    const port = event.ports?.[0];
    if (post || !port) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    window.removeEventListener(CONNECT, onConnect, true);
    post = port.postMessage.bind(port);
    port.onmessage = onConfig;
  }
  window.addEventListener(CONNECT, onConnect, true);

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
      post({
        source: FROM_PAGE,
        v: VERSION,
        kind: 'response',
        url: new URL(entry.url, origin).href,
        status: entry.status,
        pageUrl: entry.pageUrl,
        body,
      });
    } catch {
      // a body that cannot be cloned is simply not copied
    }
  }

  function offer(entry) {
    // Not connected: the content script (which runs right after us) is not there to take answers.
    if (!post || entry.status < 200 || entry.status > 299 || !entry.url) return;
    entry.pageUrl = location.href; // the page the answer belongs to, even if it is forwarded later
    if (patterns) {
      forward(entry);
      return;
    }
    held.push(entry);
    if (held.length > MAX_HELD) held.shift();
  }

  function onConfig(event) {
    const data = event.data;
    if (!data || data.v !== VERSION || data.kind !== 'config' || !Array.isArray(data.patterns)) return;
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
  }

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
            if (!post || (patterns && !matches(url))) return; // not one we copy: do not even clone it
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
