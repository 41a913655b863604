// The posts a scroll page shows, found by structure and stable attributes (element names, data-e2e,
// hrefs), never hashed class names: each card (one post, or one channel result), the post ids it
// links to, and the author link a chip goes after. Reads only.

// The outermost element of one post on each platform. Grid tiles on Instagram are the post links
// themselves; a match inside another match belongs to that one.
const CARDS = {
  instagram: ['article', 'a[href*="/p/"]', 'a[href*="/reel/"]'],
  tiktok: [
    '[data-e2e="recommend-list-item-container"]',
    '[data-e2e="search_top-item"]',
    '[data-e2e="search_video-item"]',
    '[data-e2e="challenge-item"]',
    '[data-e2e="music-item"]',
    'article',
  ],
  youtube: [
    'ytd-video-renderer',
    'ytd-rich-item-renderer',
    'ytd-grid-video-renderer',
    'ytd-compact-video-renderer',
    'ytd-channel-renderer',
    'ytd-reel-video-renderer',
    'yt-lockup-view-model',
  ],
};

// Elements that name a post's author by their text, where the page has no link for it.
const AUTHOR_TEXT = '[data-e2e="video-author-uniqueid"], [data-e2e="search-card-user-unique-id"]';

export const CARD_SELECTORS = Object.freeze(
  Object.fromEntries(Object.entries(CARDS).map(([k, v]) => [k, v.join(', ')])),
);

/** Every post card under ``root`` for ``platform``, outermost only, in document order. */
export function findCards(platform, root = document) {
  const selector = CARD_SELECTORS[platform];
  if (!selector) return [];
  return [...root.querySelectorAll(selector)].filter((el) => !el.parentElement?.closest(selector));
}

/**
 * What a card says about its post: ``{postIds, authors: [{element, handle}], postLink}``. Links are
 * read with the adapter's own matchUrl; an author's handle is null when its link names none
 * (YouTube's /channel/UC...).
 */
export function readCard(card, adapter) {
  const postIds = [];
  const authors = [];
  let postLink = null;
  const links = card.matches('a[href]')
    ? [card, ...card.querySelectorAll('a[href]')]
    : [...card.querySelectorAll('a[href]')];
  for (const link of links) {
    const where = adapter.matchUrl(link.href);
    if (where.postId) {
      if (!postIds.includes(where.postId)) postIds.push(where.postId);
      postLink ??= link;
    }
    if (where.handle && where.kind !== 'profile' && where.postId) {
      // TikTok's /@handle/video/<id>: the post and its author in one link
      authors.push({ element: null, handle: where.handle });
    }
    if (where.kind === 'profile' && hasText(link)) authors.push({ element: link, handle: where.handle });
  }
  for (const element of card.querySelectorAll(AUTHOR_TEXT)) {
    const handle = element.textContent.trim().replace(/^@/, '');
    if (handle) authors.push({ element, handle });
  }
  return { postIds, authors, postLink };
}

/** A link with words in it (a name), not one that only wraps an avatar. */
function hasText(link) {
  return link.textContent.trim() !== '';
}
