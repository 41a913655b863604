// The fake scroll pages' own script: render the posts of the JSON the page embeds, make the page's
// first API call on load (when nothing is embedded) and the next one each time the user reaches the
// bottom, and render what each answer holds, the way the real sites draw it. PAGE comes from feeds.py.

const main = document.querySelector('[data-fixture="feed"]');
const more = document.querySelector('[data-fixture="more"]');
const rendered = new Set();
const platform = PAGE.layout.slice(0, 2); // ig, tt, yt

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** Visit objects under root; a visit that returns true keeps the walk out of that object. */
function walk(root, visit) {
  const stack = [root];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (!Array.isArray(node) && visit(node)) continue;
    for (const child of Object.values(node).reverse()) stack.push(child);
  }
}

const handleOf = (url) => {
  const m = /\/@([^/?#]+)/.exec(url || '');
  return m ? decodeURIComponent(m[1]) : '';
};
const firstBase = (node) => {
  let found = null;
  walk(node, (o) => {
    if (!found && typeof o.canonicalBaseUrl === 'string') found = o.canonicalBaseUrl;
    return false;
  });
  return found;
};

/** The posts a JSON answer holds: {id, handle, ownerHref, text, kind: "post" | "channel" | "short"}. */
function postsIn(json) {
  const out = [];
  walk(json, (o) => {
    if (platform === 'ig' && typeof o.code === 'string' && o.user?.username) {
      out.push({ id: o.code, handle: o.user.username, text: o.caption?.text ?? '', kind: 'post' });
      return true;
    }
    if (platform === 'tt' && typeof o.id === 'string' && typeof o.desc === 'string' && o.author?.uniqueId) {
      out.push({ id: o.id, handle: o.author.uniqueId, text: o.desc, kind: 'post' });
      return true;
    }
    if (platform !== 'yt') return false;
    if (o.videoRenderer) {
      const v = o.videoRenderer;
      const href = v.ownerText?.runs?.[0]?.navigationEndpoint?.browseEndpoint?.canonicalBaseUrl;
      out.push({ id: v.videoId, handle: handleOf(href), ownerHref: href, text: v.title.runs[0].text, kind: 'post' });
      return true;
    }
    if (o.lockupViewModel) {
      const l = o.lockupViewModel;
      const href = firstBase(l.metadata);
      out.push({ id: l.contentId, handle: handleOf(href), ownerHref: href, text: l.metadata.lockupMetadataViewModel.title.content, kind: 'post' });
      return true;
    }
    if (o.channelRenderer) {
      const c = o.channelRenderer;
      const href = c.navigationEndpoint.browseEndpoint.canonicalBaseUrl;
      out.push({ id: `channel:${c.channelId}`, handle: handleOf(href), ownerHref: href, text: c.title.simpleText, kind: 'channel',
        subscribers: c.videoCountText?.simpleText ?? '' });
      return true;
    }
    if (o.shortsLockupViewModel) {
      const s = o.shortsLockupViewModel;
      out.push({ id: s.onTap.innertubeCommand.reelWatchEndpoint.videoId, handle: '', text: s.overlayMetadata.primaryText.content, kind: 'short' });
      return true;
    }
    if (o.videoDetails && o.microformat) {
      const href = o.microformat.playerMicroformatRenderer.ownerProfileUrl;
      out.push({ id: o.videoDetails.videoId, handle: handleOf(href), ownerHref: `/@${handleOf(href)}`, text: o.videoDetails.title, kind: 'post' });
      return true;
    }
    return false;
  });
  return out;
}

function marked(node, post) {
  node.setAttribute('data-fixture-post', post.id);
  node.setAttribute('data-fixture-handle', post.handle);
  return node;
}

const draw = {
  'ig-grid': (p) => marked(el('div', { class: 'tile' },
    el('a', { href: `/p/${p.id}/` }, el('div', { class: 'thumb', role: 'img', 'aria-label': p.text }), el('span', { class: 'snippet' }, p.text.slice(0, 60)))), p),
  'ig-feed': (p) => marked(el('article', {},
    el('header', {}, el('a', { href: `/${p.handle}/`, class: 'avatar', 'aria-label': `${p.handle}'s profile picture` }),
      el('a', { href: `/${p.handle}/` }, p.handle), ' • Follow'),
    el('div', { class: 'media' }), el('p', {}, p.text), el('a', { href: `/p/${p.id}/` }, el('time', {}, '3 h'))), p),
  'tt-foryou': (p) => marked(el('article', { 'data-e2e': 'recommend-list-item-container' },
    el('div', { class: 'video' }),
    el('div', { class: 'info' }, el('a', { href: `/@${p.handle}` }, el('h3', { 'data-e2e': 'video-author-uniqueid' }, p.handle)),
      el('div', { 'data-e2e': 'video-desc' }, p.text))), p),
  'tt-tag': (p) => marked(el('div', { 'data-e2e': 'challenge-item' },
    el('a', { href: `/@${p.handle}/video/${p.id}` }, el('div', { class: 'cover' })),
    el('a', { href: `/@${p.handle}` }, el('p', { 'data-e2e': 'challenge-item-username' }, p.handle)),
    el('div', { 'data-e2e': 'challenge-item-desc' }, p.text)), p),
  'tt-search': (p) => marked(el('div', { 'data-e2e': 'search_top-item' },
    el('a', { href: `/@${p.handle}/video/${p.id}` }, el('div', { class: 'cover' })),
    el('div', { 'data-e2e': 'search-card-desc' }, p.text),
    el('a', { href: `/@${p.handle}` }, el('p', { 'data-e2e': 'search-card-user-unique-id' }, p.handle))), p),
  'yt-list': (p) => {
    if (p.kind === 'channel') {
      return marked(el('ytd-channel-renderer', {}, el('div', { class: 'avatar' }), el('a', { href: p.ownerHref }, p.text), ' ',
        el('span', {}, p.subscribers)), p);
    }
    if (p.kind === 'short') return marked(el('ytm-shorts-lockup-view-model', {}, el('a', { href: `/shorts/${p.id}` }, p.text)), p);
    return marked(el('ytd-video-renderer', {}, el('a', { id: 'thumbnail', href: `/watch?v=${p.id}` }, el('div', { class: 'thumb' })),
      el('div', { id: 'meta' }, el('a', { id: 'video-title', href: `/watch?v=${p.id}` }, p.text),
        el('ytd-channel-name', {}, el('a', { href: p.ownerHref }, p.handle || 'Old Channel')))), p);
  },
  'yt-grid': (p) => marked(el('ytd-rich-item-renderer', {}, el('a', { id: 'thumbnail', href: `/watch?v=${p.id}` }, el('div', { class: 'thumb' })),
    el('a', { id: 'video-title-link', href: `/watch?v=${p.id}` }, p.text),
    el('ytd-channel-name', {}, el('a', { href: p.ownerHref }, p.handle))), p),
  'yt-shorts': (p) => marked(el('ytd-reel-video-renderer', {}, el('div', { class: 'player' }),
    el('reel-channel-bar-view-model', {}, el('a', { href: p.ownerHref }, `@${p.handle}`)), el('h2', {}, p.text)), p),
};

function render(json) {
  for (const post of postsIn(json)) {
    if (rendered.has(post.id)) continue;
    rendered.add(post.id);
    const node = draw[PAGE.layout](post);
    main.append(node);
    if (PAGE.layout === 'yt-shorts') shortsSeen.observe(node);
  }
}

// The Shorts feed names the Short in view in the URL, without a navigation.
const shortsSeen = new IntersectionObserver((entries) => {
  for (const e of entries) {
    if (e.isIntersecting && e.intersectionRatio > 0.6) history.replaceState(null, '', `/shorts/${e.target.dataset.fixturePost}`);
  }
}, { threshold: [0.6] });

function call({ method, url, body, via }) {
  const headers = body && body.startsWith('{') ? { 'Content-Type': 'application/json' } : { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (via === 'fetch') return fetch(url, { method, body: body ?? undefined, headers }).then((r) => r.json());
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.onload = () => resolve(JSON.parse(xhr.responseText));
    xhr.onerror = reject;
    xhr.send(body ?? null);
  });
}

const queue = [...PAGE.calls];
let loading = false;

async function next() {
  if (loading || !queue.length) return;
  loading = true;
  render(await call(queue.shift()));
  loading = false;
  document.body.dataset.fixtureCallsLeft = String(queue.length);
  if (nearBottom()) next();
}

function nearBottom() {
  return more.getBoundingClientRect().top < innerHeight + 10;
}

const embedded = [globalThis.ytInitialData, globalThis.ytInitialPlayerResponse].filter(Boolean);
for (const json of embedded) render(json);
document.body.dataset.fixtureCallsLeft = String(queue.length);
if (!embedded.length) next(); // the first screen comes from the page's first call
addEventListener('scroll', () => { if (nearBottom()) next(); }, { passive: true });
