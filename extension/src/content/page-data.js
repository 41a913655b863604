// Reads a live document into the plain page data the platform adapters take
// (platforms/README.md): the JSON scripts worth keeping, meta tags, and a few DOM facts found by
// structure and stable attributes (data-e2e, roles, hrefs, YouTube's element names), never by
// hashed class names. It only reads: no network, no page globals, nothing written to the page.

/** TikTok data-e2e names whose text the adapters read. */
export const E2E_NAMES = Object.freeze([
  'followers-count',
  'following-count',
  'likes-count',
  'user-title',
  'user-subtitle',
  'user-bio',
  'user-link',
]);

// Instagram embeds dozens of data-sjs blobs; only these name a profile, a post or comments.
const SJS_MARKERS = [
  'xdt_api__v1__',
  'follower_count',
  'edge_followed_by',
  'edge_owner_to_timeline_media',
  'shortcode_web_info',
];
const KEPT_IDS = new Set(['__UNIVERSAL_DATA_FOR_REHYDRATION__', 'SIGI_STATE']);
const ASSIGNED = ['ytInitialData', 'ytInitialPlayerResponse'];
const MAX_SCRIPT_CHARS = 8 * 1024 * 1024; // past this a script is not a profile, and copying it costs
const MAX_TILES = 60;
const MAX_COMMENTS = 500;
const SKIP_TEXT = new Set(['STYLE', 'SCRIPT', 'NOSCRIPT', 'TEMPLATE', 'svg', 'SVG']);

/**
 * The JSON text assigned to a name in an inline script: `var ytInitialData = {...};` or
 * `window["ytInitialData"] = {...};`. Scans braces with strings in mind; never evaluates.
 * @param {string} text a script's text
 * @param {string} name
 * @returns {string|null}
 */
export function assignedJson(text, name) {
  if (typeof text !== 'string') return null;
  const re = new RegExp(
    `(?:^|[\\s;,({])(?:var\\s+|let\\s+|const\\s+|window\\.|window\\[["'])${name}(?:["']\\])?\\s*=\\s*`,
    'g',
  );
  const m = re.exec(text);
  if (!m) return null;
  let i = m.index + m[0].length;
  if (text[i] === "'") return quotedJson(text, i); // m.youtube.com: '\x7b\x22...'
  if (text[i] !== '{') return null;
  const start = i;
  let depth = 0;
  let inString = false;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return null;
}

const ESCAPES = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', 0: '\0' };

/** A single-quoted JS string literal starting at `start`, unescaped: the JSON it carries. */
function quotedJson(text, start) {
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") return out.trimStart().startsWith('{') ? out : null;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = text[++i];
    if (next === 'x' || next === 'u') {
      const width = next === 'x' ? 2 : 4;
      const hex = text.slice(i + 1, i + 1 + width);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) return null;
      out += String.fromCharCode(parseInt(hex, 16));
      i += width;
    } else {
      out += ESCAPES[next] ?? next;
    }
  }
  return null;
}

/** Visible text of an element: descendants' text without <style>/<script>/<svg>, whitespace collapsed. */
export function textOf(el) {
  if (!el) return null;
  let out = '';
  const stack = [el];
  while (stack.length) {
    const node = stack.pop();
    if (node.nodeType === 3) out += node.nodeValue;
    else if (node.nodeType === 1 && !SKIP_TEXT.has(node.nodeName)) {
      for (let c = node.lastChild; c; c = c.previousSibling) stack.push(c);
    }
  }
  return out.replace(/\s+/g, ' ').trim();
}

// What each inline script gave, once the document is parsed: pages never rewrite one in place (they
// add new ones), and the page is read every few seconds, so a 1 MB ytInitialData is scanned once.
const kept = new WeakMap();

function keptFrom(el) {
  const text = el.textContent || '';
  if (!text || text.length > MAX_SCRIPT_CHARS) return [];
  const id = el.id || undefined;
  const type = (el.getAttribute('type') || '').toLowerCase() || undefined;
  if ((id && KEPT_IDS.has(id)) || type === 'application/ld+json') return [{ id, type, text }];
  if (type === 'application/json' && el.hasAttribute('data-sjs')) {
    return SJS_MARKERS.some((m) => text.includes(m)) ? [{ type, text }] : [];
  }
  if (type && !type.includes('javascript')) return [];
  const out = [];
  for (const name of ASSIGNED) {
    const json = text.includes(name) ? assignedJson(text, name) : null;
    if (json) out.push({ id: name, type: 'application/json', text: json });
  }
  return out;
}

/** The JSON scripts the adapters read, as {id?, type?, text}. */
export function readScripts(doc) {
  const scripts = [];
  const parsing = doc.readyState === 'loading'; // a script still being parsed may be cut short
  for (const el of doc.querySelectorAll('script:not([src])')) {
    let found = kept.get(el);
    if (!found) {
      found = keptFrom(el);
      if (!parsing) kept.set(el, found);
    }
    for (const s of found) scripts.push({ ...s });
  }
  return scripts;
}

/** <meta name|property> -> content, the first of each. */
export function readMeta(doc) {
  const meta = {};
  for (const el of doc.querySelectorAll('meta[content]')) {
    const key = el.getAttribute('property') || el.getAttribute('name');
    if (key && !Object.hasOwn(meta, key)) meta[key] = el.getAttribute('content');
  }
  return meta;
}

function attr(el, name) {
  return el ? el.getAttribute(name) : null;
}

/** Instagram's profile header: <header> ul > li, and the followers / following links anywhere. */
function readHeaderStats(doc) {
  const stats = [];
  const seen = new Set();
  const add = (el) => {
    if (seen.has(el) || stats.length >= 10) return;
    seen.add(el);
    const link = el.matches('a[href]') ? el : el.querySelector('a[href]');
    const titled = el.matches('[title]') ? el : el.querySelector('[title]');
    stats.push({ text: textOf(el), title: attr(titled, 'title'), href: attr(link, 'href') });
  };
  for (const li of doc.querySelectorAll('header ul > li')) add(li);
  for (const a of doc.querySelectorAll('a[href$="/followers/"], a[href$="/following/"]')) {
    if (![...seen].some((el) => el.contains(a))) add(a);
  }
  return stats;
}

/** Links to posts: TikTok's [data-e2e="user-post-item"] tiles, and Instagram /p/ and /reel/ links. */
function readTiles(doc) {
  const tiles = [];
  const hrefs = new Set();
  const add = (link, box) => {
    const href = attr(link, 'href');
    if (!href || hrefs.has(href) || tiles.length >= MAX_TILES) return;
    hrefs.add(href);
    const img = (box || link).querySelector('img[alt]');
    const views = (box || link).querySelector('[data-e2e="video-views"]');
    tiles.push({ href, alt: attr(img, 'alt') || null, views: views ? textOf(views) : null });
  };
  for (const box of doc.querySelectorAll('[data-e2e="user-post-item"]')) {
    const link = box.querySelector('a[href*="/video/"], a[href*="/photo/"]');
    if (link) add(link, box);
  }
  for (const link of doc.querySelectorAll('a[href*="/p/"], a[href*="/reel/"]')) add(link, null);
  return tiles;
}

/** The nearest ancestor (a few levels up) that also holds `selector`: one comment's box. */
function boxWith(el, selector, levels = 6) {
  let box = el.parentElement;
  for (let i = 0; box && i < levels; i++, box = box.parentElement) {
    if (box.querySelector(selector)) return box;
  }
  return null;
}

/** Comments rendered on the page: TikTok by data-e2e, YouTube by its comment elements. */
function readComments(doc) {
  const comments = [];
  for (const el of doc.querySelectorAll('[data-e2e="comment-level-1"], [data-e2e="comment-level-2"]')) {
    if (comments.length >= MAX_COMMENTS) break;
    const box = boxWith(el, 'a[href^="/@"]');
    const handle = /^\/@([^/?#]+)/.exec(attr(box?.querySelector('a[href^="/@"]'), 'href') || '')?.[1] ?? null;
    const likes = box?.querySelector('[data-e2e="comment-like-count"]');
    comments.push({ author: handle, text: textOf(el), likes: likes ? textOf(likes) : null });
  }
  for (const el of doc.querySelectorAll('ytd-comment-view-model, ytd-comment-renderer')) {
    if (comments.length >= MAX_COMMENTS) break;
    const votes = el.querySelector('#vote-count-middle');
    comments.push({
      author: textOf(el.querySelector('#author-text')),
      text: textOf(el.querySelector('#content-text')),
      likes: votes ? textOf(votes) : null,
    });
  }
  return comments;
}

/** The DOM facts of platforms/README.md "DOM facts". */
export function readDom(doc) {
  const e2e = {};
  for (const name of E2E_NAMES) {
    const el = doc.querySelector(`[data-e2e="${name}"]`);
    if (el) e2e[name] = textOf(el);
  }
  return {
    title: doc.title || null,
    canonical: attr(doc.querySelector('link[rel="canonical"]'), 'href'),
    e2e,
    headerStats: readHeaderStats(doc),
    tiles: readTiles(doc),
    comments: readComments(doc),
  };
}

/**
 * A document and the answers the page hook copied -> page data.
 * @param {Document} doc
 * @param {{url: string, status: number, json: object, pageUrl?: string}[]} [responses]
 * @param {Date} [now]
 */
export function readPageData(doc, responses = [], now = new Date()) {
  const view = doc.defaultView;
  return {
    url: view?.location?.href ?? doc.URL,
    locale: doc.documentElement?.getAttribute('lang') || view?.navigator?.language || null,
    capturedAt: now.toISOString(),
    scripts: readScripts(doc),
    responses: Array.isArray(responses) ? responses : [],
    meta: readMeta(doc),
    dom: readDom(doc),
  };
}
