// What the feed readers share: which page kinds are scroll pages, where a post was seen (the glance
// request's `seen_on`), the glance bounds, and the list that merges what several answers say about
// the same post. A glance item is one post on a scroll page:
//   {platform, handle, texts: [caption], followers?, post_id?, seen_on: {kind, term?}}
// (DESIGN.md, POST /v1/glance: the content script groups items by creator before asking).

import { exactCount } from './counts.js';
import { clip } from './snapshot.js';

/** The server's glance bounds; a text is cut shorter than a caption so 50 x 10 stay under 1 MiB. */
export const GLANCE_LIMITS = Object.freeze({ creators: 50, texts: 10, text: 400, handle: 100, term: 200 });

// Page kind (matchUrl) -> the glance's seen_on kind.
const SEEN_ON = Object.freeze({
  hashtag: 'hashtag',
  tag: 'hashtag',
  search: 'search',
  feed: 'feed',
  explore: 'feed',
  reels: 'feed',
  foryou: 'feed',
  music: 'feed',
  home: 'feed',
  shorts: 'feed',
});

/** True for the scroll pages chips are drawn on. */
export function isFeedPage(where) {
  return Object.hasOwn(SEEN_ON, where?.kind ?? '');
}

/** Where a page's posts are seen, for the glance: {kind, term?}; null on a creator's own page. */
export function seenOn(where) {
  if (!isFeedPage(where)) return null;
  const term = typeof where.term === 'string' ? clip(where.term.trim(), GLANCE_LIMITS.term) : '';
  return term ? { kind: SEEN_ON[where.kind], term } : { kind: SEEN_ON[where.kind] };
}

/**
 * The same scroll page as far as chips care: kind and term (the reel and Shorts feeds change the
 * URL with every post, and stay one feed).
 */
export function feedKey(where) {
  return isFeedPage(where) ? `${where.kind}:${where.term ?? ''}` : null;
}

/**
 * Every object under ``root`` for which ``test`` is true, not looking inside the ones found (a
 * carousel's children and a reshared post are part of the post that holds them).
 */
export function outermost(root, test, limit = 1_000_000) {
  const out = [];
  if (!root || typeof root !== 'object') return out;
  const stack = [root];
  let seen = 0;
  while (stack.length && seen++ < limit) {
    const node = stack.pop();
    if (!Array.isArray(node) && test(node)) {
      out.push(node);
      continue;
    }
    const children = Array.isArray(node) ? node : Object.values(node);
    for (let i = children.length - 1; i >= 0; i--) {
      const v = children[i];
      if (v !== null && typeof v === 'object') stack.push(v);
    }
  }
  return out;
}

/** Glance items of one page, one per post (or per creator when a post has no id), in page order. */
export class FeedItems {
  constructor(platform, where) {
    this.platform = platform;
    this.seenOn = seenOn(where);
    this.items = new Map();
  }

  /** Add a post; a second copy of the same post fills in what the first lacked. */
  add({ handle, text, followers, postId }) {
    const bare = typeof handle === 'string' ? handle.replace(/^@/, '').trim() : '';
    if (!this.seenOn || !bare || bare.length > GLANCE_LIMITS.handle || /[\s/?#@]/.test(bare)) return;
    const key = postId ? `post:${postId}` : `creator:${bare.toLowerCase()}`;
    const caption = typeof text === 'string' ? clip(text.trim(), GLANCE_LIMITS.text) : '';
    const count = exactCount(followers);
    const old = this.items.get(key);
    if (old) {
      if (!old.texts.length && caption) old.texts.push(caption);
      if (old.followers === undefined && count !== null) old.followers = count;
      return;
    }
    const item = { platform: this.platform, handle: bare, texts: caption ? [caption] : [] };
    if (count !== null) item.followers = count;
    if (postId) item.post_id = String(postId);
    item.seen_on = { ...this.seenOn };
    this.items.set(key, item);
  }

  list() {
    return [...this.items.values()];
  }
}
