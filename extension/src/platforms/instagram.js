// Instagram: profile from data.user (web_profile_info, the profile GraphQL query, or the page's
// data-sjs blobs), posts from xdt_api__v1__feed__user_timeline_graphql_connection or
// edge_owner_to_timeline_media or v1 media items, comments from the xdt comments connections,
// v1 comment lists and preview comments; og:description and the header DOM as fallbacks.

import { exactCount, parseCount } from './counts.js';
import {
  Capture,
  decoded,
  dig,
  findObjects,
  first,
  onHost,
  jsonDocuments,
  remember,
  sameHandle,
  walk,
} from './snapshot.js';

const HOSTS = new Set(['instagram.com', 'www.instagram.com', 'm.instagram.com']);
const HANDLE = /^[A-Za-z0-9._]{1,30}$/;
const POST_KINDS = new Set(['p', 'reel', 'tv']);
// First path segments that are Instagram's own pages, never a creator.
const RESERVED = new Set([
  'explore',
  'accounts',
  'direct',
  'stories',
  'about',
  'legal',
  'developer',
  'web',
  'api',
  'graphql',
  'challenge',
  'emails',
  'session',
  'oauth',
  'privacy',
  'terms',
  'press',
  'directory',
  'topics',
  'ar',
  'reels',
]);

/**
 * The page a URL shows: a creator's profile or post, or a scroll page (`term` is the hashtag or
 * search text): `/explore/tags/<tag>/` hashtag, `/explore/` explore, `/explore/search/keyword/?q=`
 * search, `/` the home feed, `/reels/` (and `/reels/<code>/` as the reel feed moves on) reels.
 * @returns {{kind: string|null, handle: string|null, postId: string|null, term?: string|null}}
 */
export function matchUrl(url) {
  const none = { kind: null, handle: null, postId: null };
  const page = onHost(url, HOSTS);
  if (!page) return none;
  const { parts } = page;
  const feed = feedPage(page);
  if (feed) return feed;
  if (parts.length >= 2 && POST_KINDS.has(parts[0])) return { kind: 'post', handle: null, postId: parts[1] };
  if (parts.length >= 3 && POST_KINDS.has(parts[1]) && HANDLE.test(parts[0])) {
    return { kind: 'post', handle: parts[0], postId: parts[2] };
  }
  if (
    parts.length >= 1 &&
    HANDLE.test(parts[0]) &&
    !RESERVED.has(parts[0].toLowerCase()) &&
    !POST_KINDS.has(parts[0])
  ) {
    return { kind: 'profile', handle: parts[0], postId: null };
  }
  return none;
}

function feedPage({ url, parts }) {
  const at = (kind, term = null, postId = null) => ({ kind, handle: null, postId, term });
  if (parts.length === 0) return at('feed');
  if (parts[0] === 'reels' && parts.length <= 2) return at('reels', null, parts[1] ?? null);
  if (parts[0] !== 'explore') return null;
  if (parts.length === 1) return at('explore');
  if (parts[1] === 'tags' && parts[2]) return at('hashtag', decoded(parts[2]));
  if (parts[1] === 'search') {
    const q = url.searchParams.get('q')?.trim();
    return q ? at('search', q) : null;
  }
  return null;
}

const isUser = (o) =>
  typeof o.username === 'string' &&
  (o.follower_count !== undefined ||
    o.edge_followed_by !== undefined ||
    o.biography !== undefined ||
    o.media_count !== undefined ||
    o.full_name !== undefined);

// A full profile (not a commenter's or a caption's partial user): only these may name the creator.
const isProfile = (o) =>
  typeof o.username === 'string' &&
  (o.follower_count !== undefined || o.edge_followed_by !== undefined || o.biography !== undefined);

const isMedia = (o) =>
  typeof first(o.code, o.shortcode) === 'string' &&
  (o.taken_at !== undefined ||
    o.taken_at_timestamp !== undefined ||
    o.like_count !== undefined ||
    o.edge_liked_by !== undefined ||
    o.caption !== undefined ||
    o.edge_media_to_caption !== undefined);

const ownerOf = (media) => first(media?.user?.username, media?.owner?.username);

function postOf(m) {
  const code = first(m.code, m.shortcode);
  const reel = m.product_type === 'clips';
  const caption = first(
    typeof m.caption === 'string' ? m.caption : m.caption?.text,
    dig(m, 'edge_media_to_caption', 'edges', 0, 'node', 'text'),
  );
  const hidden = m.like_and_view_counts_disabled === true;
  const sponsors = first(m.sponsor_tags, dig(m, 'edge_media_to_sponsor_user', 'edges'));
  const tags = first(dig(m, 'usertags', 'in'), dig(m, 'edge_media_to_tagged_user', 'edges'));
  return {
    id: code,
    url: `https://www.instagram.com/${reel ? 'reel' : 'p'}/${code}/`,
    caption: caption ?? '',
    likes: hidden
      ? null
      : first(
          exactCount(m.like_count),
          exactCount(m.edge_liked_by?.count),
          exactCount(m.edge_media_preview_like?.count),
        ),
    comments_count: first(
      exactCount(m.comment_count),
      exactCount(m.edge_media_to_comment?.count),
      exactCount(m.edge_media_preview_comment?.count),
    ),
    views: hidden
      ? null
      : first(
          exactCount(m.play_count),
          exactCount(m.ig_play_count),
          exactCount(m.view_count),
          exactCount(m.video_play_count),
          exactCount(m.video_view_count),
        ),
    posted_at: first(m.taken_at, m.taken_at_timestamp),
    paid_partnership: m.is_paid_partnership === true || (Array.isArray(sponsors) && sponsors.length > 0),
    // the brands of the paid-partnership label, and the accounts tagged in the photo
    sponsors: usernames(sponsors, (s) => first(s?.sponsor?.username, s?.node?.sponsor?.username, s?.username)),
    tagged: usernames(tags, (t) => first(t?.user?.username, t?.node?.user?.username)),
  };
}

function usernames(list, pick) {
  return Array.isArray(list) ? list.map(pick).filter((name) => typeof name === 'string' && name) : [];
}

// Numeric ids above 2^53 were already rounded by JSON.parse; prefer the string forms.
function idOf(c) {
  for (const v of [c.pk, c.id, c.strong_id__]) {
    if (typeof v === 'string' && v) return v;
  }
  return typeof c.pk === 'number' ? String(c.pk) : typeof c.id === 'number' ? String(c.id) : null;
}

function commentOf(c, postId) {
  return {
    id: idOf(c),
    post_id: postId,
    author: first(c.user?.username, c.owner?.username),
    text: c.text,
    likes: first(exactCount(c.comment_like_count), exactCount(c.edge_liked_by?.count)),
    replies: first(exactCount(c.child_comment_count), exactCount(c.edge_threaded_comments?.count)),
    posted_at: c.created_at,
  };
}

/** Every comment in a JSON document, with the post it belongs to where the document says so. */
function commentsIn(json, urlPostId) {
  return remember(json, `instagram-comments:${urlPostId}`, () => scanComments(json, urlPostId));
}

function scanComments(json, urlPostId) {
  const found = [];
  walk(json, (node) => {
    if (Array.isArray(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (!value || typeof value !== 'object') continue;
      if (
        /^xdt_api__v1__media__media_id__comments/.test(key) ||
        key === 'edge_media_to_parent_comment' ||
        key === 'edge_threaded_comments'
      ) {
        for (const e of Array.isArray(value.edges) ? value.edges : []) {
          if (e?.node) found.push([e.node, urlPostId]);
        }
      }
      if ((key === 'preview_child_comments' || key === 'child_comments') && Array.isArray(value)) {
        for (const c of value) found.push([c, urlPostId]);
      }
    }
    if (isMedia(node)) {
      // comments shown under a post in a feed or on its page
      const code = first(node.code, node.shortcode);
      for (const c of [...(node.preview_comments || []), ...(node.comments || [])]) found.push([c, code]);
      for (const e of dig(node, 'edge_media_preview_comment', 'edges') || []) found.push([e?.node, code]);
    }
  });
  // v1 /media/<id>/comments/: {comments: [...]} at the top
  if (Array.isArray(json?.comments)) for (const c of json.comments) found.push([c, urlPostId]);
  return found.filter(([c]) => c && typeof c === 'object' && typeof c.text === 'string');
}

function offerUser(cap, u, source) {
  cap.offer('handle', u.username, source);
  cap.offer('display_name', u.full_name || undefined, source);
  cap.offer('bio', first(u.biography, u.biography_with_entities?.raw_text), source);
  cap.offer('external_url', first(u.external_url || undefined, dig(u, 'bio_links', 0, 'url')), source);
  cap.offer('verified', typeof u.is_verified === 'boolean' ? u.is_verified : undefined, source);
  cap.offer(
    'category',
    first(u.category_name || undefined, typeof u.category === 'string' ? u.category : undefined),
    source,
  );
  cap.offer('followers', first(exactCount(u.follower_count), exactCount(u.edge_followed_by?.count)), source);
  cap.offer('following', first(exactCount(u.following_count), exactCount(u.edge_follow?.count)), source);
  cap.offer('posts_count', first(exactCount(u.media_count), exactCount(u.edge_owner_to_timeline_media?.count)), source);
}

/** "12.3K Followers, 500 Following, 321 Posts - See Instagram photos and videos from Name (@handle)" */
function fromMeta(cap, meta, locale, handle) {
  const desc = first(meta?.['og:description'], meta?.description);
  if (typeof desc === 'string') {
    const said = /\(@([A-Za-z0-9._]{1,30})\)/.exec(desc)?.[1];
    if (!handle || !said || sameHandle(said, handle)) {
      const head = desc.split(/\s[-–—]\s/)[0];
      const parts = head.split(/,\s+|\s+[·•]\s+|،\s*/).map((p) => parseCount(p, locale));
      if (parts.length >= 3 && parts.slice(0, 3).every((n) => n !== null)) {
        cap.offer('followers', parts[0], 'meta');
        cap.offer('following', parts[1], 'meta');
        cap.offer('posts_count', parts[2], 'meta');
      }
      if (said) cap.offer('handle', said, 'meta');
    }
  }
  // a post page's og:title may read "Name on Instagram: ..." while twitter:title names the @handle
  fromTitle(cap, meta?.['og:title'], handle, 'meta');
  fromTitle(cap, meta?.['twitter:title'], handle, 'meta');
}

/** "Name (@handle) • Instagram photos and videos" */
function fromTitle(cap, title, handle, source) {
  if (typeof title !== 'string') return;
  const m = /^(.*?)\s*\(@([A-Za-z0-9._]{1,30})\)/.exec(title);
  if (!m || (handle && !sameHandle(m[2], handle))) return;
  cap.offer('handle', m[2], source);
  if (m[1].trim()) cap.offer('display_name', m[1].trim(), source);
}

function fromDom(cap, dom, locale, handle) {
  if (!dom || typeof dom !== 'object') return;
  fromTitle(cap, dom.title, handle, 'dom');
  const stats = Array.isArray(dom.headerStats) ? dom.headerStats : [];
  const countOf = (s) => first(parseCount(s?.title, locale), parseCount(s?.text, locale));
  const linked = (suffix) => stats.find((s) => typeof s?.href === 'string' && s.href.endsWith(suffix));
  cap.offer('followers', countOf(linked('/followers/')) ?? undefined, 'dom');
  cap.offer('following', countOf(linked('/following/')) ?? undefined, 'dom');
  const plain = stats.filter((s) => !s?.href);
  if (plain.length === 3 && !linked('/followers/')) {
    // logged-out header: posts, followers, following in that order, none of them links
    cap.offer('posts_count', countOf(plain[0]) ?? undefined, 'dom');
    cap.offer('followers', countOf(plain[1]) ?? undefined, 'dom');
    cap.offer('following', countOf(plain[2]) ?? undefined, 'dom');
  } else if (plain.length >= 1) {
    cap.offer('posts_count', countOf(plain[0]) ?? undefined, 'dom');
  }
}

/** Post tiles the page shows but whose JSON we did not see: id from the link, caption from the alt. */
function fromTiles(cap, dom, handle) {
  for (const tile of Array.isArray(dom?.tiles) ? dom.tiles : []) {
    let where;
    try {
      where = matchUrl(new URL(String(tile?.href || ''), 'https://www.instagram.com/').href);
    } catch {
      continue;
    }
    if (where.kind !== 'post' || cap.posts.has(where.postId)) continue;
    if (where.handle && handle && !sameHandle(where.handle, handle)) continue;
    cap.addPost(
      { id: where.postId, url: `https://www.instagram.com/p/${where.postId}/`, caption: tile.alt || '' },
      'dom',
    );
    if (tile.alt) cap.note('captions of posts seen only in the DOM are their image descriptions');
  }
}

const userKey = (u) => first(u?.pk, u?.pk_id, u?.id);

/**
 * Who owns the post a /p/ or /reel/ page shows. The first copy of it may be the profile grid's,
 * whose user has only pk/id: take the owner from a copy that names it, else the user with that
 * pk anywhere on the page; else null (the twitter:title meta tag is the next source).
 */
function postOwner(media, postId, docs) {
  const copies = media.filter((m) => first(m.code, m.shortcode) === postId);
  const named = copies.map(ownerOf).find(Boolean);
  if (named) return named;
  const keys = new Set(
    copies
      .map((m) => userKey(m.user ?? m.owner))
      .filter((k) => k !== undefined)
      .map(String),
  );
  if (!keys.size) return null;
  for (const d of docs) {
    const user = findObjects(d.json, hasUsername).find((u) => keys.has(String(userKey(u))));
    if (user) return user.username;
  }
  return null;
}

const hasUsername = (o) => typeof o.username === 'string' && userKey(o) !== undefined;

/**
 * Instagram page data -> snapshot.
 * @param {object} pageData see README.md
 */
export function buildSnapshot(pageData) {
  const where = matchUrl(pageData?.url);
  const cap = new Capture('instagram', pageData);
  const locale = cap.locale;
  const docs = jsonDocuments(pageData);

  const media = docs.flatMap((d) => findObjects(d.json, isMedia).map((m) => [m, d.source]));
  let handle = where.handle;
  if (!handle && where.postId)
    handle =
      postOwner(
        media.map(([m]) => m),
        where.postId,
        docs,
      ) ?? null;

  for (const d of docs) {
    for (const u of findObjects(d.json, isUser)) {
      if (handle ? sameHandle(u.username, handle) : isProfile(u)) {
        handle ??= u.username;
        offerUser(cap, u, d.source);
      }
    }
  }
  fromMeta(cap, pageData?.meta, locale, handle);
  fromDom(cap, pageData?.dom, locale, handle);
  cap.offer('handle', where.handle ?? undefined, 'dom'); // the URL names the creator when nothing else does
  handle ??= cap.get('handle') ?? null;
  if (handle) cap.offer('url', `https://www.instagram.com/${handle}/`, cap.sources.handle ?? 'dom');

  let others = 0;
  for (const [m, source] of media) {
    const owner = ownerOf(m);
    const coauthor = (m.coauthor_producers || []).some((u) => sameHandle(u?.username, handle));
    if (owner && handle && !sameHandle(owner, handle) && !coauthor) {
      others += 1;
      continue;
    }
    cap.addPost(postOf(m), source);
  }
  if (others) cap.note(`ignored ${others} posts of other accounts`);
  fromTiles(cap, pageData?.dom, handle);

  // comments belong to a post of this creator: one in the snapshot, or the one the URL names
  let strays = 0;
  for (const d of docs) {
    for (const [c, postId] of commentsIn(d.json, matchUrl(d.pageUrl).postId)) {
      if (postId && postId !== where.postId && !cap.posts.has(postId)) {
        strays += 1;
        continue;
      }
      cap.addComment(commentOf(c, postId ?? null), d.source);
    }
  }
  if (strays) cap.note(`ignored ${strays} comments on posts that are not this creator's`);
  return cap.finish();
}

export const instagram = Object.freeze({ id: 'instagram', matchUrl, buildSnapshot });
