// What every adapter shares: reading the page's JSON, walking it, and the Capture that merges
// fields, posts and comments from several sources into one bounded snapshot with its health.

import { exactCount } from './counts.js';

/** The server's bounds (server/schemas.py); past them it answers 422. */
export const LIMITS = Object.freeze({
  posts: 50,
  comments: 500,
  caption: 5000,
  comment: 2200,
  name: 300,
  category: 200,
  author: 200,
  id: 200,
  url: 2000,
  locale: 40,
  accounts: 50,
  handle: 101,
});

/** Account names (no "@"), de-duplicated and bounded: a post's sponsors or tagged accounts. */
function accounts(list) {
  if (!Array.isArray(list)) return [];
  const names = list
    .map((name) => (typeof name === 'string' ? name.trim().replace(/^@/, '') : ''))
    .filter((name) => name && name.length <= LIMITS.handle);
  return [...new Set(names)].slice(0, LIMITS.accounts);
}

/** Characters a platform shows before "more", where it is known (Instagram: about 125). */
export const CAPTION_PREVIEW = Object.freeze({ instagram: 125 });

// The fields whose absence the overlay reports ("capture health").
const TRACKED = ['handle', 'display_name', 'bio', 'followers', 'following', 'posts_count', 'posts', 'comments'];

const parsed = new Map(); // script text -> JSON, so a page read every few seconds is parsed once
const PARSED_MAX = 16;

/** Parse JSON text; undefined when it is not JSON. */
export function parseJson(text) {
  if (typeof text !== 'string' || !text.trim()) return undefined;
  if (parsed.has(text)) return parsed.get(text);
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value);
  parsed.set(text, value);
  return value;
}

/**
 * The JSON documents of a page, best first: the page's own API answers (newest first, source "api"),
 * then the JSON it embeds (source "embedded"). Parsed scripts are shared between calls: read only.
 * pageUrl is the page the user was on when the answer arrived (scripts: the current page).
 * @returns {{json: any, source: "api"|"embedded", pageUrl: string, url?: string, id?: string}[]}
 */
export function jsonDocuments(pageData) {
  const docs = [];
  const responses = Array.isArray(pageData?.responses) ? pageData.responses : [];
  for (let i = responses.length - 1; i >= 0; i--) {
    const r = responses[i];
    const ok = r && (r.status === undefined || r.status === null || (r.status >= 200 && r.status < 300));
    if (ok && r.json && typeof r.json === 'object') {
      const pageUrl = typeof r.pageUrl === 'string' && r.pageUrl ? r.pageUrl : pageData.url;
      docs.push({ json: r.json, source: 'api', url: String(r.url || ''), pageUrl });
    }
  }
  for (const s of Array.isArray(pageData?.scripts) ? pageData.scripts : []) {
    const json = parseJson(s?.text);
    if (json && typeof json === 'object') docs.push({ json, source: 'embedded', id: s.id, pageUrl: pageData.url });
  }
  return docs;
}

/**
 * Visit every object and array under root in document order (iterative: page JSON is deep).
 * @param {any} root
 * @param {(node: object) => void} visit
 */
export function walk(root, visit, limit = 2_000_000) {
  if (!root || typeof root !== 'object') return;
  const stack = [root];
  let seen = 0;
  while (stack.length && seen++ < limit) {
    const node = stack.pop();
    visit(node);
    const children = Array.isArray(node) ? node : Object.values(node);
    for (let i = children.length - 1; i >= 0; i--) {
      const v = children[i];
      if (v !== null && typeof v === 'object') stack.push(v);
    }
  }
}

/** Every value stored under `key` anywhere in root, in document order. */
export function findKey(root, key) {
  const out = [];
  walk(root, (node) => {
    if (!Array.isArray(node) && Object.hasOwn(node, key)) out.push(node[key]);
  });
  return out;
}

// Results per JSON document, so the same answers seen again on the next read cost nothing.
const memo = new WeakMap();

function memoized(root, key, compute) {
  if (!root || typeof root !== 'object') return compute();
  let byKey = memo.get(root);
  if (!byKey) memo.set(root, (byKey = new Map()));
  if (!byKey.has(key)) byKey.set(key, compute());
  return byKey.get(key);
}

/**
 * Every object under root for which test(object) is true, in document order. Remembered per
 * (root, test): pass module-level test functions, and do not change what comes back.
 */
export function findObjects(root, test) {
  return memoized(root, test, () => {
    const out = [];
    walk(root, (node) => {
      if (!Array.isArray(node) && test(node)) out.push(node);
    });
    return out;
  });
}

/**
 * The values under each of `keys` anywhere in root, found in one walk: Map key -> values in
 * document order. Remembered per (root, keys array); pass a module-level array.
 */
export function valuesByKey(root, keys) {
  return memoized(root, keys, () => {
    const found = new Map(keys.map((k) => [k, []]));
    walk(root, (node) => {
      if (Array.isArray(node)) return;
      for (const k of keys) {
        const v = node[k];
        if (v !== undefined && Object.hasOwn(node, k)) found.get(k).push(v);
      }
    });
    return found;
  });
}

/** Remember any per-document result (adapters' own scans) the same way. */
export function remember(root, key, compute) {
  return memoized(root, key, compute);
}

/** Follow a path of keys and indexes; undefined when any step is missing. */
export function dig(value, ...path) {
  let v = value;
  for (const step of path) {
    if (v === null || v === undefined) return undefined;
    v = v[step];
  }
  return v;
}

/** The first argument that is not null, undefined or NaN. */
export function first(...values) {
  return values.find((v) => v !== null && v !== undefined && !Number.isNaN(v));
}

/** YouTube-style text: {simpleText}, {runs: [{text}]}, {content}, or a string. */
export function textOf(value) {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return undefined;
  if (typeof value.simpleText === 'string') return value.simpleText;
  if (typeof value.content === 'string') return value.content;
  if (Array.isArray(value.runs)) return value.runs.map((r) => r?.text ?? '').join('');
  return undefined;
}

/** A time as ISO 8601: unix seconds or milliseconds (number or digits), or a parseable date string. */
export function toIso(value) {
  if (value === null || value === undefined || value === '' || typeof value === 'boolean') return null;
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n === 'number') {
    // 0 is "unknown" on these platforms, not 1970; beyond year 9999 is garbage
    if (!Number.isFinite(n) || n <= 0 || n > 253402300799999) return null;
    return new Date(n > 1e11 ? n : n * 1000).toISOString();
  }
  // ISO dates only: Date.parse reads "May 22, 2024" in the machine's time zone
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value.trim())) return null;
  const ms = Date.parse(value.trim());
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** An English calendar date anywhere in the text ("Premiered May 22, 2024", "22 May 2024") at 00:00 UTC. */
export function englishDate(text) {
  if (typeof text !== 'string') return null;
  const mdy = /\b([A-Z][a-z]{2})[a-z]*\.? (\d{1,2}), (\d{4})\b/.exec(text);
  const dmy = /\b(\d{1,2}) ([A-Z][a-z]{2})[a-z]*\.? (\d{4})\b/.exec(text);
  const [month, day, year] = mdy ? [mdy[1], mdy[2], mdy[3]] : dmy ? [dmy[2], dmy[1], dmy[3]] : [];
  const m = MONTHS.indexOf(String(month).toLowerCase());
  if (m < 0) return null;
  return new Date(Date.UTC(Number(year), m, Number(day))).toISOString();
}

// Month names by prefix in the languages YouTube's watch pages most often show besides English.
const MONTH_WORDS = [
  ['jan', 'ene', 'gen'],
  ['feb', 'fév', 'fev'],
  ['mar', 'mär', 'maa'],
  ['apr', 'avr', 'abr'],
  ['may', 'mai', 'mag', 'mei'],
  ['jun', 'juin', 'giu'],
  ['jul', 'juil', 'lug'],
  ['aug', 'aoû', 'aou', 'ago'],
  ['sep', 'set'],
  ['oct', 'okt', 'ott', 'out'],
  ['nov'],
  ['dec', 'déc', 'dez', 'dic'],
];

function utcDate(year, month, day) {
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= 31 && y >= 2000 && y <= 2100)) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCDate() === d ? date.toISOString() : null; // no 31 April
}

/**
 * A calendar date under a video, at 00:00 UTC, in the page's language: "May 22, 2024",
 * "27.04.2021", "27/04/2021" (04/27/2021 in en-US), "2021/04/27", "2021年4月27日",
 * "27 avr. 2021", "27. Apr. 2021", "27 de abr. de 2021".
 * @param {string} text
 * @param {string|null} locale the page's language (decides 04/05/2021)
 * @returns {string|null}
 */
export function calendarDate(text, locale = null) {
  if (typeof text !== 'string') return null;
  const english = englishDate(text);
  if (english) return english;
  const ymd = /(\d{4})\s*[./\-年]\s*(\d{1,2})\s*[./\-月]\s*(\d{1,2})/.exec(text);
  if (ymd) return utcDate(ymd[1], ymd[2], ymd[3]);
  const numeric = /\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b/.exec(text);
  if (numeric) {
    const [, a, b, year] = numeric;
    const monthFirst = /^en-(US|PH)$/i.test(locale ?? '');
    if (Number(a) > 12 || (!monthFirst && Number(b) <= 12)) return utcDate(year, b, a); // day first
    return utcDate(year, a, b);
  }
  const worded = /(\d{1,2})\.?\s+(?:de\s+)?(\p{L}+)\.?,?\s+(?:de\s+)?(\d{4})/u.exec(text);
  if (worded) {
    const word = worded[2].toLowerCase();
    const month = MONTH_WORDS.findIndex((names) => names.some((n) => word.startsWith(n)));
    if (month >= 0) return utcDate(worded[3], month + 1, worded[1]);
  }
  return null;
}

const SECONDS = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800, month: 2629800, year: 31557600 };
// Unit words by prefix in the languages YouTube most often answers in; longest prefix wins.
const UNIT_WORDS = [
  ['sec', 'second'],
  ['sek', 'second'],
  ['seg', 'second'],
  ['秒', 'second'],
  ['min', 'minute'],
  ['分', 'minute'],
  ['hour', 'hour'],
  ['hr', 'hour'],
  ['stunde', 'hour'],
  ['hora', 'hour'],
  ['heure', 'hour'],
  ['時間', 'hour'],
  ['小时', 'hour'],
  ['day', 'day'],
  ['tag', 'day'],
  ['día', 'day'],
  ['dia', 'day'],
  ['jour', 'day'],
  ['日', 'day'],
  ['天', 'day'],
  ['week', 'week'],
  ['woche', 'week'],
  ['semana', 'week'],
  ['semaine', 'week'],
  ['週', 'week'],
  ['周', 'week'],
  ['month', 'month'],
  ['monat', 'month'],
  ['mes', 'month'],
  ['mês', 'month'],
  ['mois', 'month'],
  ['ヶ月', 'month'],
  ['か月', 'month'],
  ['个月', 'month'],
  ['個月', 'month'],
  ['year', 'year'],
  ['jahr', 'year'],
  ['año', 'year'],
  ['ano', 'year'],
  ['an', 'year'],
  ['年', 'year'],
];

/**
 * "10 days ago", "vor 4 Jahren (bearbeitet)", "hace 3 semanas", "2 年前" -> an approximate ISO time.
 * @param {string} text
 * @param {string|Date} now
 * @returns {string|null}
 */
export function relativeTime(text, now) {
  if (typeof text !== 'string') return null;
  const m = /(\d+)\s*([\p{L}]+)/u.exec(text.normalize('NFKC'));
  if (!m) return null;
  const word = m[2].toLowerCase();
  const hit = UNIT_WORDS.filter(([p]) => word.startsWith(p)).sort((a, b) => b[0].length - a[0].length)[0];
  if (!hit) return null;
  const base = new Date(now).getTime();
  if (Number.isNaN(base)) return null;
  return new Date(base - Number(m[1]) * SECONDS[hit[1]] * 1000).toISOString();
}

/** Unicode-normalised text cut to at most max code points (the server counts code points). */
export function clip(text, max) {
  if (typeof text !== 'string') return text;
  const s = text.normalize('NFC');
  if (s.length <= max) return s;
  const points = Array.from(s);
  return points.length <= max ? s : points.slice(0, max).join('');
}

function codePoints(text) {
  return Array.from(text).length;
}

function handleKey(handle) {
  return typeof handle === 'string' ? handle.replace(/^@/, '').trim().toLowerCase() : '';
}

/** True when two handles name the same account ("@Name" and "name"). */
export function sameHandle(a, b) {
  const ka = handleKey(a);
  return ka !== '' && ka === handleKey(b);
}

/**
 * Collects one creator's fields, posts and comments from several sources, first source wins per
 * field, and finishes them into a bounded snapshot with its capture health.
 */
export class Capture {
  /**
   * @param {"instagram"|"tiktok"|"youtube"} platform
   * @param {object} pageData
   */
  constructor(platform, pageData) {
    this.platform = platform;
    this.locale = typeof pageData?.locale === 'string' && pageData.locale ? pageData.locale : null;
    const at = toIso(pageData?.capturedAt);
    this.capturedAt = at ?? new Date().toISOString();
    this.fields = {};
    this.sources = {};
    this.posts = new Map();
    this.postSources = new Map();
    this.comments = new Map();
    this.commentSources = new Map();
    this.notes = [];
    this.blankComments = 0;
  }

  /** Set a field unless an earlier (better) source already gave it; null/undefined mean "unknown". */
  offer(field, value, source) {
    if (value === null || value === undefined || Number.isNaN(value)) return;
    if (Object.hasOwn(this.fields, field)) return;
    this.fields[field] = value;
    this.sources[field] = source;
  }

  get(field) {
    return this.fields[field];
  }

  /** Add a post; a second copy with the same id fills the fields the first one lacked. */
  addPost(post, source) {
    if (!post || post.id === null || post.id === undefined || post.id === '') return;
    const id = String(post.id);
    const old = this.posts.get(id);
    if (!old) {
      this.posts.set(id, { ...post, id });
      this.postSources.set(id, source);
      return;
    }
    for (const [k, v] of Object.entries(post)) {
      if (k === 'paid_partnership') old[k] = Boolean(old[k] || v);
      else if (Array.isArray(v)) {
        if (!Array.isArray(old[k]) || !old[k].length) old[k] = v;
      } else if ((old[k] === null || old[k] === undefined || old[k] === '') && v !== null && v !== undefined)
        old[k] = v;
    }
  }

  /** Add a comment, de-duplicated by id (or by post, author and text when it has none). */
  addComment(comment, source) {
    if (!comment) return;
    if (typeof comment.text !== 'string' || !comment.text.trim()) {
      this.blankComments += 1;
      return;
    }
    const key = comment.id ? `id:${comment.id}` : `t:${comment.post_id}|${comment.author}|${comment.text}`;
    if (this.comments.has(key)) return;
    this.comments.set(key, comment);
    this.commentSources.set(key, source);
  }

  note(text) {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  /** The snapshot the server's Snapshot schema accepts, with capture.{sources, missing, degraded, notes}. */
  finish() {
    const f = this.fields;
    const handle = typeof f.handle === 'string' ? f.handle.replace(/^@/, '').trim() || null : null;
    const sources = { ...this.sources };

    const preview = CAPTION_PREVIEW[this.platform];
    const allPosts = [...this.posts.values()].map((p) => this.#post(p, preview));
    const dated = allPosts.map((p, i) => [p, i]);
    dated.sort(([a, i], [b, j]) => {
      if (a.posted_at && b.posted_at) return a.posted_at < b.posted_at ? 1 : a.posted_at > b.posted_at ? -1 : i - j;
      if (a.posted_at) return -1;
      if (b.posted_at) return 1;
      return i - j;
    });
    const posts = dated.map(([p]) => p).slice(0, LIMITS.posts);
    if (allPosts.length > posts.length) this.note(`kept the ${posts.length} most recent of ${allPosts.length} posts`);
    this.#mixed(
      'posts',
      posts.map((p) => this.postSources.get(p.id)),
      sources,
    );

    if (this.blankComments) this.note(`dropped ${this.blankComments} empty comments`);
    const keys = [...this.comments.keys()];
    const allComments = keys.map((k) => this.#comment(this.comments.get(k), handle));
    const comments = allComments.slice(0, LIMITS.comments);
    if (allComments.length > comments.length) this.note(`kept ${comments.length} of ${allComments.length} comments`);
    this.#mixed(
      'comments',
      keys.slice(0, comments.length).map((k) => this.commentSources.get(k)),
      sources,
    );

    const snapshot = {
      platform: this.platform,
      handle,
      display_name: clip(str(f.display_name), LIMITS.name) ?? null,
      url: clip(str(f.url), LIMITS.url) ?? null,
      bio: clip(str(f.bio) ?? '', LIMITS.caption),
      external_url: clip(str(f.external_url), LIMITS.url) ?? null,
      verified: f.verified === true,
      category: clip(str(f.category), LIMITS.category) ?? null,
      followers: exactCount(f.followers),
      following: exactCount(f.following),
      posts_count: exactCount(f.posts_count),
      posts,
      comments,
      captured_at: this.capturedAt,
      locale: this.locale ? this.locale.slice(0, LIMITS.locale) : null,
    };

    const missing = TRACKED.filter((name) => {
      if (name === 'posts' || name === 'comments') return snapshot[name].length === 0;
      if (name === 'bio') return !Object.hasOwn(f, 'bio');
      return snapshot[name] === null;
    });
    const captions = posts.some((p) => p.caption.trim() !== '');
    if (posts.length > 0 && !captions) missing.push('captions');
    const degraded = !handle || snapshot.followers === null || !captions;
    snapshot.capture = { sources, missing, degraded, notes: [...this.notes] };
    return snapshot;
  }

  #post(p, preview) {
    const caption = clip(str(p.caption) ?? '', LIMITS.caption);
    let visible = exactCount(p.caption_visible_chars);
    if (visible === null && preview && caption) visible = Math.min(codePoints(caption), preview);
    if (visible !== null) visible = Math.min(visible, codePoints(caption));
    return {
      id: clip(p.id, LIMITS.id),
      url: clip(str(p.url), LIMITS.url) ?? null,
      caption,
      likes: exactCount(p.likes),
      comments_count: exactCount(p.comments_count),
      views: exactCount(p.views),
      posted_at: toIso(p.posted_at),
      paid_partnership: p.paid_partnership === true,
      caption_visible_chars: visible,
      sponsors: accounts(p.sponsors),
      tagged: accounts(p.tagged),
    };
  }

  #comment(c, handle) {
    const author = clip(str(c.author)?.replace(/^@/, ''), LIMITS.author) ?? null;
    const comment = {
      id: c.id === null || c.id === undefined ? null : clip(String(c.id), LIMITS.id),
      post_id: c.post_id === null || c.post_id === undefined ? null : clip(String(c.post_id), LIMITS.id),
      author,
      text: clip(c.text, LIMITS.comment),
      likes: exactCount(c.likes),
      replies: exactCount(c.replies),
      by_creator: c.by_creator === true || (handle !== null && sameHandle(author, handle)),
      posted_at: toIso(c.posted_at),
    };
    // the platform shows that the creator answered this comment, though the answer is not loaded
    if (c.creator_replied === true) comment.creator_replied = true;
    return comment;
  }

  #mixed(field, itemSources, sources) {
    if (itemSources.length === 0) return;
    const counts = {};
    for (const s of itemSources) counts[s] = (counts[s] || 0) + 1;
    const ranked = Object.entries(counts).sort((a, b) => b[1] - a[1]);
    sources[field] = ranked[0][0];
    if (ranked.length > 1) this.note(`${field}: ${ranked.map(([s, n]) => `${n} from ${s}`).join(', ')}`);
  }
}

function str(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A percent-encoded URL part decoded, or as it is when it does not decode. */
export function decoded(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * The URL and its path segments when `url` is on one of `hosts`; null for another host or a URL
 * that does not parse.
 * @returns {{url: URL, parts: string[]}|null}
 */
export function onHost(url, hosts) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  return hosts.has(u.hostname) ? { url: u, parts: u.pathname.split('/').filter(Boolean) } : null;
}
