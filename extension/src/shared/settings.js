// Settings live in chrome.storage.local under documented keys, so an admin or a test can
// provision them without the options page: `serverUrl` and `apiToken`.

export const DEFAULTS = Object.freeze({
  serverUrl: 'http://127.0.0.1:8765',
  apiToken: '',
});

// Origins the manifest grants up front, the only ones reached over plain http; any other server
// is https and an optional permission the options page requests.
export const BUILT_IN_SERVER_HOSTS = Object.freeze(['127.0.0.1', 'localhost']);

/** Read the settings with defaults filled in. */
export async function readSettings(storage = chrome.storage.local) {
  const stored = await storage.get(Object.keys(DEFAULTS));
  return { ...DEFAULTS, ...stored };
}

/**
 * Check and tidy a server URL typed by a person: https, or http on this machine only (the token
 * travels in every request, so it never crosses a network in the clear); no credentials, query or
 * fragment, no trailing slash. Returns {ok, url, originPattern} or {ok: false, error}.
 */
export function normalizeServerUrl(raw) {
  const text = String(raw ?? '').trim();
  if (!text) return { ok: false, error: 'Enter the address of your microscout server.' };
  let url;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: 'That is not a URL (example: http://127.0.0.1:8765).' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, error: 'The server address must start with http:// or https://.' };
  }
  if (url.protocol === 'http:' && !BUILT_IN_SERVER_HOSTS.includes(url.hostname)) {
    return {
      ok: false,
      error: 'A server that is not on this machine needs https:// (the token would travel in the clear).',
    };
  }
  if (url.username || url.password) return { ok: false, error: 'Put the token in the token field, not in the URL.' };
  if (url.search || url.hash) return { ok: false, error: 'The server address takes no ? or # part.' };
  const path = url.pathname.replace(/\/+$/, '');
  return { ok: true, url: `${url.origin}${path}`, originPattern: `${url.protocol}//${url.hostname}/*` };
}

/** True when the manifest already grants the server's origin. */
export function isBuiltInServer(serverUrl) {
  try {
    const url = new URL(serverUrl);
    return url.protocol === 'http:' && BUILT_IN_SERVER_HOSTS.includes(url.hostname);
  } catch {
    return false;
  }
}
