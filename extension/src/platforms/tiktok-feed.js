// TikTok scroll pages -> glance items. For You (`/api/recommend/item_list/`), search
// (`/api/search/general/full/` `data[].item`, `/api/search/item/full/` `item_list[]`), tag
// (`/api/challenge/item_list/`) and music (`/api/music/item_list/`) pages all list the same item:
// `{id, desc, author: {uniqueId}, authorStats: {followerCount}}`; the legacy SIGI_STATE
// `ItemModule` names the author as a string with `authorStats` beside it.

import { exactCount } from './counts.js';
import { FeedItems, outermost } from './feed.js';
import { matchUrl } from './tiktok.js';
import { first, jsonDocuments } from './snapshot.js';

const authorOf = (item) =>
  typeof item.author === 'string' ? item.author : first(item.author?.uniqueId, item.author?.unique_id);

const isItem = (o) =>
  typeof first(o.id, o.aweme_id) === 'string' && typeof o.desc === 'string' && typeof authorOf(o) === 'string';

const followersOf = (item) =>
  first(
    exactCount(item.authorStats?.followerCount),
    exactCount(item.authorStatsV2?.followerCount),
    exactCount(item.author?.followerCount),
  );

/**
 * TikTok page data -> one glance item per video seen, in page order; [] on a creator's page.
 * @param {object} pageData see README.md
 */
export function readFeed(pageData) {
  const feed = new FeedItems('tiktok', matchUrl(pageData?.url));
  if (!feed.seenOn) return [];
  for (const doc of jsonDocuments(pageData).reverse()) {
    for (const item of outermost(doc.json, isItem)) {
      feed.add({
        handle: authorOf(item),
        text: item.desc,
        postId: first(item.id, item.aweme_id),
        followers: followersOf(item),
      });
    }
  }
  return feed.list();
}
