// Message types shared by every part of the extension. The service worker answers each type from
// one handler map; a content script may only send the CONTENT types, extension pages (options,
// popup) may send all of them.

export const MSG = Object.freeze({
  // content scripts (and extension pages)
  SCORE: 'score',
  GLANCE: 'glance',
  SAVE: 'save',
  LABEL: 'label',
  COMMENT_LABEL: 'comment-label',
  NICHES: 'niches',
  OPEN_OPTIONS: 'open-options',
  REPORT: 'report',
  // extension pages only
  TEST_CONNECTION: 'test-connection',
  STATUS: 'status',
  CLEAR_CACHE: 'clear-cache',
});

export const CONTENT_TYPES = Object.freeze([
  MSG.SCORE,
  MSG.GLANCE,
  MSG.SAVE,
  MSG.LABEL,
  MSG.COMMENT_LABEL,
  MSG.NICHES,
  MSG.OPEN_OPTIONS,
  MSG.REPORT,
]);
export const PAGE_ONLY_TYPES = Object.freeze([MSG.TEST_CONNECTION, MSG.STATUS, MSG.CLEAR_CACHE]);

// What a request to the server can end in, besides success. Each one has its own calm overlay state.
export const STATE = Object.freeze({
  OK: 'ok',
  NOT_CONFIGURED: 'not-configured',
  NO_PERMISSION: 'no-permission',
  OFFLINE: 'offline',
  UNAUTHORIZED: 'unauthorized',
  RATE_LIMITED: 'rate-limited',
  TIMEOUT: 'timeout',
  LOADING: 'loading',
  REJECTED: 'rejected',
  SERVER_ERROR: 'server-error',
  EXTENSION_ERROR: 'extension-error',
});

// The page hook (MAIN world, a classic script that cannot import this file) and the content
// script talk over a private MessagePort handed over once in a CONNECT event at document_start
// (content/hook-bridge.js), with these fixed fields; page-hook.js repeats the literals and a unit
// test keeps both in step. Nothing travels through window.postMessage: a window message claiming
// to come FROM_PAGE is page script posing as the hook.
export const HOOK = Object.freeze({
  FROM_PAGE: 'microscout-page-hook',
  CONNECT: 'microscout-hook-connect',
  VERSION: 1,
  RESPONSE: 'response',
  CONFIG: 'config',
  MAX_URL: 4096,
});

/** A failure answer in the one shape every handler uses. */
export function failure(state, message, extra = {}) {
  return { ok: false, state, message, ...extra };
}

/**
 * Send a message to the service worker; never throws. A worker that is gone (extension reloaded
 * or updated under an open tab) answers as an extension error instead of an exception.
 */
export async function ask(type, payload = {}) {
  try {
    const answer = await chrome.runtime.sendMessage({ type, ...payload });
    if (answer && typeof answer === 'object') return answer;
    return failure(STATE.EXTENSION_ERROR, 'The extension did not answer.');
  } catch (error) {
    return failure(
      STATE.EXTENSION_ERROR,
      `The extension could not be reached (${error?.message ?? error}). Reload the page.`,
    );
  }
}

/**
 * True when ``data`` is a well-formed message from our page hook: a plain object with the fixed
 * fields, a 2xx status, an http(s) URL the adapters want (``isWanted(url)``) and a JSON body.
 * The hook runs in the page's world, so even its port carries nothing else we trust.
 */
export function isHookResponse(data, isWanted) {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return false;
  if (data.source !== HOOK.FROM_PAGE || data.v !== HOOK.VERSION || data.kind !== HOOK.RESPONSE) return false;
  if (typeof data.url !== 'string' || data.url.length > HOOK.MAX_URL) return false;
  if (!Number.isInteger(data.status) || data.status < 200 || data.status > 299) return false;
  if (!data.body || typeof data.body !== 'object') return false;
  let url;
  try {
    url = new URL(data.url);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  return isWanted(url.href);
}
