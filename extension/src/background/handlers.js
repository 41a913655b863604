// One handler per message type. Content scripts reach only `contentHandlers`; extension pages
// (options, popup) reach those and `pageHandlers`. A handler gets the message and the sender and
// returns the answer; it builds server requests from known fields only, so a content script can
// never make the worker call an arbitrary path.

import { MSG, STATE, failure } from '../shared/messages.js';
import { readSettings } from '../shared/settings.js';
import { COMMENT_LABELS, PLATFORMS } from '../shared/vocab.js';
import { GLANCE_LIMITS } from '../platforms/feed.js';
import {
  GLANCE,
  cacheKey,
  clearCached,
  fingerprint,
  readCached,
  readMany,
  writeCached,
  writeMany,
} from './score-cache.js';
import { TIMEOUT_MS, callServer, glance as glanceServer } from './server-api.js';

export { COMMENT_LABELS, PLATFORMS } from '../shared/vocab.js';
// The overlay's action names and the wire's labels, to the wire's label.
export const FIT_LABELS = Object.freeze({ fit: 'fit', 'not-fit': 'not_fit', not_fit: 'not_fit' });
export const SEEN_ON_KINDS = Object.freeze(['hashtag', 'search', 'feed', 'comments']);
const GLANCE_HANDLE = /^[^\s/?#@]{1,100}$/;
const TAB_PREFIX = 'tab:';

export const contentHandlers = {
  [MSG.SCORE]: score,
  [MSG.GLANCE]: glance,
  [MSG.SAVE]: save,
  [MSG.LABEL]: label,
  [MSG.COMMENT_LABEL]: commentLabel,
  [MSG.NICHES]: niches,
  [MSG.OPEN_OPTIONS]: openOptions,
  [MSG.REPORT]: report,
};

export const pageHandlers = {
  ...contentHandlers,
  [MSG.TEST_CONNECTION]: testConnection,
  [MSG.STATUS]: status,
  [MSG.CLEAR_CACHE]: clearCache,
};

const PLATFORM_ORIGINS = new Set(['https://www.instagram.com', 'https://www.tiktok.com', 'https://www.youtube.com']);

/**
 * Which handler map a sender may use: our extension pages get all of them, our content scripts on
 * the three platforms the content ones, anyone else none. ``self`` is this extension's {id, origin}.
 */
export function handlersFor(sender, self) {
  if (!sender || sender.id !== self.id) return null;
  // scheme://host of the URL: URL.origin is "null" for chrome-extension: outside Chrome
  const origin = sender.origin ?? /^[a-z][a-z0-9+.-]*:\/\/[^/?#]+/i.exec(sender.url ?? '')?.[0];
  if (origin === self.origin) return pageHandlers;
  if (sender.tab && PLATFORM_ORIGINS.has(origin)) return contentHandlers;
  return null;
}

function invalid(message) {
  return failure(STATE.REJECTED, message);
}

function checkSnapshot(snapshot) {
  if (!snapshot || typeof snapshot !== 'object' || Array.isArray(snapshot)) return 'snapshot must be an object';
  if (!PLATFORMS.includes(snapshot.platform)) return 'snapshot.platform is not one of ' + PLATFORMS.join(', ');
  if (typeof snapshot.handle !== 'string' || !snapshot.handle) return 'snapshot.handle is missing';
  return null;
}

function text(value, max) {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

async function score(message) {
  const problem = checkSnapshot(message.snapshot);
  if (problem) return invalid(problem);
  const { snapshot } = message;
  const body = Array.isArray(message.niches) ? { ...snapshot, niches: message.niches } : snapshot;
  const key = cacheKey(snapshot.platform, snapshot.handle);
  const print = await fingerprint(body);
  if (!message.fresh) {
    const hit = await readCached(key, print).catch(() => null);
    if (hit) return { ok: true, state: STATE.OK, score: hit.value, cached: true, scoredAt: hit.at };
  }
  const settings = await readSettings();
  const answer = await callServer(settings, { method: 'POST', path: '/v1/score', body, timeoutMs: TIMEOUT_MS.score });
  if (!answer.ok) return answer;
  const now = Date.now();
  await writeCached(key, print, answer.data, now).catch(() => undefined);
  return { ok: true, state: STATE.OK, score: answer.data, cached: false, scoredAt: now };
}

/**
 * One glance creator rebuilt from known fields only: {platform, handle, texts, followers?, seen_on?},
 * texts trimmed, cut and at most GLANCE_LIMITS.texts; a string says what is wrong.
 */
function glanceCreator(value, i) {
  const where = `creators[${i}]`;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return `${where} must be an object`;
  if (!PLATFORMS.includes(value.platform)) return `${where}.platform is not one of ${PLATFORMS.join(', ')}`;
  if (typeof value.handle !== 'string' || !GLANCE_HANDLE.test(value.handle))
    return `${where}.handle is not a bare handle`;
  const texts = (Array.isArray(value.texts) ? value.texts : [])
    .filter((t) => typeof t === 'string' && t.trim())
    .slice(0, GLANCE_LIMITS.texts)
    .map((t) => t.trim().slice(0, GLANCE_LIMITS.text));
  if (!texts.length) return `${where}.texts has no text`;
  const creator = { platform: value.platform, handle: value.handle, texts };
  if (Number.isSafeInteger(value.followers) && value.followers >= 0) creator.followers = value.followers;
  const seen = value.seen_on;
  if (seen && SEEN_ON_KINDS.includes(seen.kind)) {
    creator.seen_on = { kind: seen.kind };
    const term = text(seen.term, GLANCE_LIMITS.term).trim();
    if (term) creator.seen_on.term = term;
  }
  return creator;
}

/**
 * Glance at up to 50 creators seen on a scroll page. Each answer is cached per creator for what
 * was sent (texts, followers, where seen), so old chips never cost a request again; only the
 * creators not cached go to the server, in one call. The answer lists one entry per creator in
 * order; on failure the cached ones are still there (null for the rest).
 */
async function glance(message) {
  const list = Array.isArray(message.creators) ? message.creators : [];
  if (!list.length || list.length > GLANCE_LIMITS.creators)
    return invalid(`creators must list 1 to ${GLANCE_LIMITS.creators} creators`);
  const creators = list.map(glanceCreator);
  const problem = creators.find((c) => typeof c === 'string');
  if (problem) return invalid(problem);
  const keys = creators.map((c) => cacheKey(c.platform, c.handle, GLANCE));
  const prints = await Promise.all(creators.map((c) => fingerprint(c)));
  const hits = await readMany(
    keys.map((k, i) => [k, prints[i]]),
    Date.now(),
    chrome.storage.session,
    GLANCE,
  ).catch(() => creators.map(() => null));
  const answers = hits.map((hit) => hit?.value ?? null);
  const missing = creators.map((_, i) => i).filter((i) => !answers[i]);
  const cached = creators.length - missing.length;
  if (!missing.length) return { ok: true, state: STATE.OK, creators: answers, cached };
  const answer = await glanceServer(await readSettings(), { creators: missing.map((i) => creators[i]) });
  if (!answer.ok) return { ...answer, creators: answers, cached };
  missing.forEach((i, j) => {
    answers[i] = answer.creators[j];
  });
  await writeMany(
    missing.map((i, j) => [keys[i], prints[i], answer.creators[j]]),
    Date.now(),
    chrome.storage.session,
    GLANCE,
  ).catch(() => undefined);
  return { ok: true, state: STATE.OK, creators: answers, cached };
}

async function save(message) {
  const problem = checkSnapshot(message.snapshot);
  if (problem) return invalid(problem);
  const { platform, handle } = message.snapshot;
  const body = { snapshot: message.snapshot };
  if (message.score && typeof message.score === 'object') body.score = message.score;
  const niche = text(message.niche, 100);
  const status = text(message.status, 40);
  const note = text(message.note, 4000);
  if (niche) body.niche = niche;
  if (status) body.status = status;
  if (note) body.notes = note;
  const path = `/v1/watchlist/${encodeURIComponent(platform)}/${encodeURIComponent(handle)}`;
  return withState(await callServer(await readSettings(), { method: 'PUT', path, body, timeoutMs: TIMEOUT_MS.write }));
}

async function label(message) {
  const problem = checkSnapshot(message.snapshot);
  if (problem) return invalid(problem);
  const value = FIT_LABELS[message.label];
  if (!value) return invalid('label must be "fit" or "not-fit"');
  const niche = text(message.niche, 100);
  if (!niche) return invalid('Choose a niche for the label.');
  const body = { niche, label: value, snapshot: message.snapshot };
  return withState(
    await callServer(await readSettings(), {
      method: 'POST',
      path: '/v1/labels',
      body,
      timeoutMs: TIMEOUT_MS.write,
    }),
  );
}

async function commentLabel(message) {
  const value = text(message.label, 20);
  if (!COMMENT_LABELS.includes(value)) return invalid('label must be genuine, generic or spam');
  const commentText = text(message.text, 2200);
  if (!commentText.trim()) return invalid('The comment has no text.');
  const body = { text: commentText, label: value };
  const caption = text(message.post_caption, 5000);
  if (caption) body.post_caption = caption;
  return withState(
    await callServer(await readSettings(), {
      method: 'POST',
      path: '/v1/comment-labels',
      body,
      timeoutMs: TIMEOUT_MS.write,
    }),
  );
}

async function niches() {
  return withState(await callServer(await readSettings(), { path: '/v1/niches', timeoutMs: TIMEOUT_MS.read }));
}

async function openOptions() {
  try {
    await chrome.runtime.openOptionsPage();
    return { ok: true, state: STATE.OK };
  } catch (error) {
    return failure(STATE.EXTENSION_ERROR, `Could not open the options (${error?.message ?? error}).`);
  }
}

// What the overlay in a tab currently shows, for the popup's quick status.
async function report(message, sender) {
  const tabId = sender.tab?.id;
  if (!Number.isInteger(tabId)) return invalid('report comes from a tab');
  const entry = {
    state: text(message.state, 40),
    platform: PLATFORMS.includes(message.platform) ? message.platform : null,
    handle: text(message.handle, 101),
    overall: Number.isFinite(message.overall) ? message.overall : null,
    tier: text(message.tier, 20),
    confidence: text(message.confidence, 20),
    detail: text(message.detail, 300),
    at: Date.now(),
  };
  await chrome.storage.session.set({ [TAB_PREFIX + tabId]: entry });
  return { ok: true, state: STATE.OK };
}

export async function forgetTab(tabId) {
  await chrome.storage.session.remove(TAB_PREFIX + tabId);
}

async function testConnection(message) {
  const stored = await readSettings();
  const settings = {
    serverUrl: typeof message.serverUrl === 'string' ? message.serverUrl : stored.serverUrl,
    apiToken: typeof message.apiToken === 'string' ? message.apiToken : stored.apiToken,
  };
  const health = await callServer(settings, { path: '/healthz', auth: false, timeoutMs: TIMEOUT_MS.health });
  if (!health.ok) return { ...health, step: 'healthz' };
  const authed = await callServer(settings, { path: '/v1/niches', timeoutMs: TIMEOUT_MS.read });
  if (!authed.ok) return { ...authed, step: 'token', health: health.data };
  const count = Array.isArray(authed.data) ? authed.data.length : (authed.data?.niches?.length ?? null);
  return { ok: true, state: STATE.OK, health: health.data, niches: count };
}

async function status(message) {
  const settings = await readSettings();
  const tabId = Number.isInteger(message.tabId) ? message.tabId : null;
  const tab =
    tabId === null ? null : ((await chrome.storage.session.get(TAB_PREFIX + tabId))[TAB_PREFIX + tabId] ?? null);
  const health = await callServer(settings, { path: '/healthz', auth: false, timeoutMs: TIMEOUT_MS.health });
  return {
    ok: true,
    state: STATE.OK,
    serverUrl: settings.serverUrl,
    hasToken: Boolean(settings.apiToken),
    server: health.ok ? { ok: true, status: health.data.status, version: health.data.version } : health,
    tab,
  };
}

async function clearCache() {
  await clearCached();
  return { ok: true, state: STATE.OK };
}

function withState(answer) {
  return answer.ok ? { ok: true, state: STATE.OK, data: answer.data, status: answer.status } : answer;
}
