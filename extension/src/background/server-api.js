// The one place that talks to the microscout server. Every outcome becomes either
// {ok: true, status, data} or a failure with one of the STATE values, never an exception.

import { STATE, failure } from '../shared/messages.js';
import { isBuiltInServer, normalizeServerUrl } from '../shared/settings.js';

export const TIMEOUT_MS = Object.freeze({ health: 5000, score: 30000, glance: 15000, write: 10000, read: 10000 });

/**
 * Call ``path`` on the configured server. ``settings`` is {serverUrl, apiToken}; ``auth: false``
 * leaves the token out (only /healthz takes no token).
 */
export async function callServer(settings, { method = 'GET', path, body, timeoutMs = TIMEOUT_MS.read, auth = true }) {
  const server = normalizeServerUrl(settings.serverUrl);
  if (!server.ok) return failure(STATE.NOT_CONFIGURED, server.error);
  if (auth && !settings.apiToken) return failure(STATE.NOT_CONFIGURED, 'Set your API token in the microscout options.');
  if (!isBuiltInServer(server.url) && !(await hasPermission(server.originPattern))) {
    return failure(STATE.NO_PERMISSION, `Allow access to ${new URL(server.url).host} in the microscout options.`);
  }
  const headers = { Accept: 'application/json' };
  if (auth) headers.Authorization = `Bearer ${settings.apiToken}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';

  let response;
  try {
    response = await fetch(server.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
    });
  } catch (error) {
    if (error?.name === 'TimeoutError' || error?.name === 'AbortError') {
      return failure(STATE.TIMEOUT, `The server did not answer within ${Math.round(timeoutMs / 1000)} s.`);
    }
    return failure(STATE.OFFLINE, `The microscout server at ${new URL(server.url).host} cannot be reached.`);
  }
  return readAnswer(response);
}

async function readAnswer(response) {
  let data;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.ok) {
    if (data === null) return failure(STATE.SERVER_ERROR, 'The server answered with something that is not JSON.');
    return { ok: true, status: response.status, data };
  }
  const envelope = data && typeof data.error === 'object' && data.error ? data.error : {};
  const message = typeof envelope.message === 'string' ? envelope.message : `HTTP ${response.status}`;
  const extra = { status: response.status, code: envelope.code ?? null, details: envelope.details ?? null };
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  if (Number.isFinite(retryAfter)) extra.retryAfter = retryAfter;
  if (response.status === 401 || response.status === 403) {
    return failure(STATE.UNAUTHORIZED, 'The server does not accept this API token.', extra);
  }
  if (response.status === 429)
    return failure(STATE.RATE_LIMITED, 'Too many requests; microscout will retry shortly.', extra);
  if (response.status === 503) return failure(STATE.LOADING, 'The server is starting (models loading).', extra);
  if (response.status >= 500) return failure(STATE.SERVER_ERROR, 'The server had a problem with this request.', extra);
  return failure(STATE.REJECTED, message, extra);
}

async function hasPermission(originPattern) {
  try {
    return await chrome.permissions.contains({ origins: [originPattern] });
  } catch {
    return false;
  }
}

/**
 * POST /v1/glance: ``body`` is {creators: [{platform, handle, texts, followers?, seen_on?}], niches?}.
 * Answers {ok: true, status, creators} with one answer per creator in the request's order, or a
 * failure; an answer that does not line up with the request is a server error, never a guess.
 */
export async function glance(settings, body) {
  const answer = await callServer(settings, { method: 'POST', path: '/v1/glance', body, timeoutMs: TIMEOUT_MS.glance });
  if (!answer.ok) return answer;
  const creators = answer.data?.creators;
  const lined =
    Array.isArray(creators) &&
    creators.length === body.creators.length &&
    creators.every((c, i) => c && typeof c === 'object' && !Array.isArray(c) && sameCreator(c, body.creators[i]));
  if (!lined)
    return failure(STATE.SERVER_ERROR, 'The server answered the glance for other creators than it was asked about.');
  return { ok: true, status: answer.status, creators };
}

function sameCreator(answer, asked) {
  const same = (a, b) => a === undefined || String(a).toLowerCase() === String(b).toLowerCase();
  return same(answer.platform, asked.platform) && same(answer.handle, asked.handle);
}
