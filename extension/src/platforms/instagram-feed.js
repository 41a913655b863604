// Instagram scroll pages -> glance items. Every media object that names its owner is a post seen:
// the hashtag page's `/api/v1/tags/web_info/` and `/sections/` answers (`data.top` and
// `data.recent` sections: `layout_content.medias[]`, `fill_items[]` and
// `one_by_two_item.clips.items[]`, each `{media}`), explore's grid, keyword search, the home feed's
// `xdt_api__v1__feed__timeline__connection` and the reels feed's clips connection all carry the
// same media shape (`code`, `user.username`, `caption.text`).

import { exactCount } from './counts.js';
import { FeedItems, outermost } from './feed.js';
import { matchUrl } from './instagram.js';
import { dig, first, jsonDocuments } from './snapshot.js';

const ownerOf = (m) => first(m.user?.username, m.owner?.username);

// A post with its owner named (a carousel's children and the profile-grid copies name none).
const isOwnedMedia = (o) => typeof first(o.code, o.shortcode) === 'string' && typeof ownerOf(o) === 'string';

/**
 * Instagram page data -> one glance item per post seen, in page order; [] on a creator's page.
 * @param {object} pageData see README.md
 */
export function readFeed(pageData) {
  const feed = new FeedItems('instagram', matchUrl(pageData?.url));
  if (!feed.seenOn) return [];
  // embedded first (the page's first screen), then the answers in arrival order
  for (const doc of jsonDocuments(pageData).reverse()) {
    for (const m of outermost(doc.json, isOwnedMedia)) {
      const caption = first(
        typeof m.caption === 'string' ? m.caption : m.caption?.text,
        dig(m, 'edge_media_to_caption', 'edges', 0, 'node', 'text'),
      );
      const user = m.user ?? m.owner;
      feed.add({
        handle: ownerOf(m),
        text: caption,
        postId: first(m.code, m.shortcode),
        followers: first(exactCount(user?.follower_count), exactCount(user?.edge_followed_by?.count)),
      });
    }
  }
  return feed.list();
}
