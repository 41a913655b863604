// TikTok: profile from __UNIVERSAL_DATA_FOR_REHYDRATION__ (webapp.user-detail.userInfo.{user, stats}),
// the older SIGI_STATE (UserModule, ItemModule) and /api/user/detail/; videos from /api/post/item_list/
// and the embedded items; comments from /api/comment/list/; ld+json, meta and data-e2e as fallbacks.

import { exactCount, parseCount } from './counts.js';
import { Capture, decoded, dig, findObjects, first, onHost, jsonDocuments, sameHandle } from './snapshot.js';

const HOSTS = new Set(['tiktok.com', 'www.tiktok.com', 'm.tiktok.com']);
const HANDLE = /^@([A-Za-z0-9._]{1,30})$/;

/**
 * The page a URL shows: a creator's profile or video, or a scroll page (`term` is the tag, search
 * text or sound): `/` and `/foryou` For You, `/search?q=` (and its tabs) search, `/tag/<name>`
 * tag, `/music/<title>-<id>` music.
 * @returns {{kind: string|null, handle: string|null, postId: string|null, term?: string|null}}
 */
export function matchUrl(url) {
  const none = { kind: null, handle: null, postId: null };
  const page = onHost(url, HOSTS);
  if (!page) return none;
  const { parts } = page;
  const feed = feedPage(page);
  if (feed) return feed;
  let head;
  try {
    head = decodeURIComponent(parts[0] || '');
  } catch {
    return none;
  }
  const handle = HANDLE.exec(head)?.[1];
  if (!handle) return none;
  if (parts.length >= 3 && (parts[1] === 'video' || parts[1] === 'photo') && /^\d+$/.test(parts[2])) {
    return { kind: 'video', handle, postId: parts[2] };
  }
  return { kind: 'profile', handle, postId: null };
}

function feedPage({ url, parts }) {
  const at = (kind, term = null) => ({ kind, handle: null, postId: null, term });
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'foryou')) return at('foryou');
  if (parts[0] === 'search') {
    const q = url.searchParams.get('q')?.trim();
    return q ? at('search', q) : null;
  }
  if (parts[0] === 'tag' && parts[1]) return at('tag', decoded(parts[1]));
  if (parts[0] === 'music' && parts[1]) {
    // "/music/original-sound-Casey-7301234567890123456": the title, without its id
    return at('music', decoded(parts[1]).replace(/-\d+$/, '').replace(/-/g, ' ').trim() || null);
  }
  return null;
}

const userHandle = (u) => first(u?.uniqueId, u?.unique_id);

// A user with its stats side by side: userInfo of webapp.user-detail and /api/user/detail/.
const isUserInfo = (o) => o.user && typeof userHandle(o.user) === 'string' && (o.stats || o.statsV2);

const isItem = (o) =>
  typeof first(o.id, o.aweme_id) === 'string' && typeof o.desc === 'string' && o.createTime !== undefined;

const isPerson = (o) => o['@type'] === 'Person';

const isComment = (o) => typeof o.cid === 'string' && typeof o.text === 'string';

const authorOf = (item) => (typeof item.author === 'string' ? item.author : userHandle(item.author));

function statOf(item, key) {
  return first(exactCount(item.stats?.[key]), exactCount(item.statsV2?.[key]));
}

function postOf(item, handle) {
  const id = String(first(item.id, item.aweme_id));
  const owner = authorOf(item) || handle;
  const kind = item.imagePost ? 'photo' : 'video';
  return {
    id,
    url: owner ? `https://www.tiktok.com/@${owner}/${kind}/${id}` : null,
    caption: item.desc,
    likes: statOf(item, 'diggCount'),
    comments_count: statOf(item, 'commentCount'),
    views: statOf(item, 'playCount'),
    posted_at: item.createTime,
    // the platform's own labels; a caption's #ad is the server's to read
    paid_partnership:
      item.isAd === true ||
      Number(item.adLabelVersion) > 0 ||
      item.isPaidPartnership === true ||
      item.paidPartnership === true,
  };
}

function commentOf(c) {
  return {
    id: c.cid,
    post_id: c.aweme_id ?? null,
    author: first(userHandle(c.user), typeof c.user === 'string' ? c.user : undefined),
    text: c.text,
    likes: exactCount(c.digg_count),
    replies: exactCount(c.reply_comment_total),
    posted_at: c.create_time,
  };
}

function offerUser(cap, user, stats, statsV2, source) {
  cap.offer('handle', userHandle(user), source);
  cap.offer('display_name', user.nickname || undefined, source);
  cap.offer('bio', typeof user.signature === 'string' ? user.signature : undefined, source);
  cap.offer('external_url', dig(user, 'bioLink', 'link') || undefined, source);
  cap.offer('verified', typeof user.verified === 'boolean' ? user.verified : undefined, source);
  const category = dig(user, 'commerceUserInfo', 'category');
  cap.offer('category', typeof category === 'string' && category ? category : undefined, source);
  const stat = (key) => first(exactCount(stats?.[key]), exactCount(statsV2?.[key]));
  cap.offer('followers', stat('followerCount') ?? undefined, source);
  cap.offer('following', stat('followingCount') ?? undefined, source);
  cap.offer('posts_count', stat('videoCount') ?? undefined, source);
}

/** The profile: dedicated user answers first (newest first), then SIGI_STATE, then video authors. */
function offerProfiles(cap, docs, handle) {
  for (const d of docs) {
    for (const info of findObjects(d.json, isUserInfo)) {
      if (sameHandle(userHandle(info.user), handle)) offerUser(cap, info.user, info.stats, info.statsV2, d.source);
    }
  }
  for (const d of docs) {
    // SIGI_STATE: UserModule.users[handle], UserModule.stats[handle]
    const mod = d.json.UserModule;
    if (mod && typeof mod === 'object') {
      const key = Object.keys(mod.users || {}).find((k) => sameHandle(k, handle));
      if (key) offerUser(cap, mod.users[key], mod.stats?.[key], undefined, d.source);
    }
  }
  for (const d of docs) {
    // a video page (and every item of a list) names its author inside the item
    for (const item of findObjects(d.json, isItem)) {
      if (item.author && typeof item.author === 'object' && sameHandle(userHandle(item.author), handle)) {
        offerUser(cap, item.author, item.authorStats, item.authorStatsV2, d.source);
      } else if (typeof item.author === 'string' && sameHandle(item.author, handle)) {
        // legacy SIGI_STATE ItemModule: the author by name, its stats and nickname beside it
        offerUser(
          cap,
          { uniqueId: item.author, nickname: item.nickname },
          item.authorStats,
          item.authorStatsV2,
          d.source,
        );
      }
    }
  }
  // ld+json Person: rounded counts, but counts
  for (const d of docs) {
    for (const p of findObjects(d.json, isPerson)) {
      if (!sameHandle(p.alternateName, handle)) continue;
      cap.offer('display_name', p.name || undefined, d.source);
      cap.offer('bio', typeof p.description === 'string' ? p.description : undefined, d.source);
      for (const s of Array.isArray(p.interactionStatistic) ? p.interactionStatistic : []) {
        const type = String(first(s?.interactionType?.['@type'], s?.interactionType) || '');
        if (type.endsWith('FollowAction'))
          cap.offer('followers', exactCount(s.userInteractionCount) ?? undefined, d.source);
      }
    }
  }
}

/** "Name (@handle) on TikTok | 108.5M Likes. 6.2M Fans. bio": likes, then followers. */
function fromMeta(cap, meta, locale, handle) {
  const desc = first(meta?.description, meta?.['og:description']);
  if (typeof desc !== 'string') return;
  const said = /\(@([A-Za-z0-9._]{1,30})\)/.exec(desc)?.[1];
  if (said && !sameHandle(said, handle)) return;
  const tail = desc.split('|').slice(1).join('|');
  const counts = tail
    .split(/\.\s+/)
    .slice(0, 2)
    .map((p) => parseCount(p, locale));
  if (counts.length === 2 && counts[1] !== null) cap.offer('followers', counts[1], 'meta');
  const name = /^(.*?)\s*\(@/.exec(desc)?.[1];
  if (name) cap.offer('display_name', name, 'meta');
}

function fromDom(cap, dom, locale, handle) {
  const e2e = dom?.e2e && typeof dom.e2e === 'object' ? dom.e2e : {};
  const title = typeof e2e['user-title'] === 'string' ? e2e['user-title'].replace(/^@/, '') : undefined;
  if (title && handle && !sameHandle(title, handle)) return; // the DOM shows someone else
  cap.offer('handle', title || undefined, 'dom');
  cap.offer('display_name', e2e['user-subtitle'] || undefined, 'dom');
  cap.offer('bio', e2e['user-bio'] ?? undefined, 'dom');
  cap.offer('followers', parseCount(e2e['followers-count'], locale) ?? undefined, 'dom');
  cap.offer('following', parseCount(e2e['following-count'], locale) ?? undefined, 'dom');
  cap.offer('external_url', e2e['user-link'] || undefined, 'dom');
}

function fromDomItems(cap, dom, locale, where) {
  for (const tile of Array.isArray(dom?.tiles) ? dom.tiles : []) {
    let at;
    try {
      at = matchUrl(new URL(String(tile?.href || ''), 'https://www.tiktok.com/').href);
    } catch {
      continue;
    }
    if (at.kind !== 'video' || !sameHandle(at.handle, where.handle)) continue;
    const known = cap.posts.get(at.postId);
    const views = parseCount(tile.views, locale);
    if (known) {
      known.views ??= views;
      continue;
    }
    cap.addPost(
      { id: at.postId, url: `https://www.tiktok.com/@${at.handle}/video/${at.postId}`, caption: tile.alt || '', views },
      'dom',
    );
  }
  if (cap.comments.size > 0) return; // the JSON had them, with ids; the DOM would only repeat them
  for (const c of Array.isArray(dom?.comments) ? dom.comments : []) {
    cap.addComment(
      { id: null, post_id: where.postId, author: c?.author, text: c?.text, likes: parseCount(c?.likes, locale) },
      'dom',
    );
  }
}

/**
 * TikTok page data -> snapshot.
 * @param {object} pageData see README.md
 */
export function buildSnapshot(pageData) {
  const where = matchUrl(pageData?.url);
  const cap = new Capture('tiktok', pageData);
  const docs = jsonDocuments(pageData);
  const handle = where.handle;

  if (handle) {
    offerProfiles(cap, docs, handle);
    fromMeta(cap, pageData?.meta, cap.locale, handle);
    fromDom(cap, pageData?.dom, cap.locale, handle);
    cap.offer('handle', handle, 'dom'); // the URL names the creator even when nothing else does
    cap.offer('url', `https://www.tiktok.com/@${cap.get('handle')}`, cap.sources.handle);
  }

  const foreign = new Set(); // videos of other accounts, and so their comments, left from earlier pages
  for (const d of docs) {
    for (const item of findObjects(d.json, isItem)) {
      const author = authorOf(item);
      if (author && !sameHandle(author, handle)) {
        foreign.add(String(first(item.id, item.aweme_id)));
        continue;
      }
      cap.addPost(postOf(item, cap.get('handle')), d.source);
    }
  }
  // comments belong to a video of this creator: one in the snapshot, or the one the URL names
  let strays = 0;
  for (const d of docs) {
    for (const c of findObjects(d.json, isComment)) {
      const post = c.aweme_id ? String(c.aweme_id) : null;
      if (post && post !== where.postId && (foreign.has(post) || !cap.posts.has(post))) {
        strays += 1;
        continue;
      }
      cap.addComment(commentOf(c), d.source);
    }
  }
  if (foreign.size) cap.note(`ignored ${foreign.size} videos of other accounts`);
  if (strays) cap.note(`ignored ${strays} comments on videos that are not this creator's`);
  if (handle) fromDomItems(cap, pageData?.dom, cap.locale, where);
  return cap.finish();
}

export const tiktok = Object.freeze({ id: 'tiktok', matchUrl, buildSnapshot });
