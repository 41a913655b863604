// The adapters by platform, and the one list of page API answers the MAIN-world hook keeps.

import { instagram } from './instagram.js';
import { tiktok } from './tiktok.js';
import { youtube } from './youtube.js';
import { readFeed as readInstagramFeed } from './instagram-feed.js';
import { readFeed as readTiktokFeed } from './tiktok-feed.js';
import { readFeed as readYoutubeFeed } from './youtube-feed.js';

export { parseCount, exactCount } from './counts.js';
export { GLANCE_LIMITS, feedKey, isFeedPage, seenOn } from './feed.js';

/** Every adapter: {id, matchUrl(url), buildSnapshot(pageData)}. */
export const ADAPTERS = Object.freeze([instagram, tiktok, youtube]);

/**
 * URLs of the page's own fetch/XHR answers worth copying, as regular expression sources (plain
 * strings, so a classic MAIN-world script can take them as data), matched case-insensitively
 * against the absolute request URL.
 */
export const RESPONSE_PATTERNS = Object.freeze([
  // Instagram: GraphQL (the xdt_api__v1__... answers) and the v1 REST API
  String.raw`^https://(www\.|i\.)?instagram\.com/(graphql/query|api/graphql)`,
  String.raw`^https://(www\.|i\.)?instagram\.com/api/v1/users/(web_profile_info/|\d+/info/)`,
  String.raw`^https://(www\.|i\.)?instagram\.com/api/v1/feed/user/`,
  String.raw`^https://(www\.|i\.)?instagram\.com/api/v1/media/\d+(_\d+)?/(info|comments)/`,
  // Instagram scroll pages: hashtag (first screen and more sections), explore, keyword search, feeds
  String.raw`^https://(www\.|i\.)?instagram\.com/api/v1/tags/(web_info/|[^/?#]+/sections/)`,
  String.raw`^https://(www\.|i\.)?instagram\.com/api/v1/(discover/web/explore_grid|fbsearch/web/top_serp|feed/timeline|clips/home)/`,
  // TikTok: profile, video and comments; For You, search, tag and music lists
  String.raw`^https://(www|m)\.tiktok\.com/api/(post/item_list|comment/list|user/detail|item/detail)/`,
  String.raw`^https://(www|m)\.tiktok\.com/api/(recommend/item_list|search/(general|item)/full|challenge/item_list|music/item_list)/`,
  // YouTube: channel pages and home/hashtag grids, comments, search, the player, Shorts
  String.raw`^https://(www|m)\.youtube\.com/youtubei/v1/(browse|next|search|player|reel/reel_item_watch)\b`,
]);

const RESPONSE_RES = RESPONSE_PATTERNS.map((p) => new RegExp(p, 'i'));

/** True when the hook should copy the answer to this request URL. */
export function isWantedResponse(url) {
  return typeof url === 'string' && RESPONSE_RES.some((re) => re.test(url));
}

const FEED_READERS = Object.freeze({ instagram: readInstagramFeed, tiktok: readTiktokFeed, youtube: readYoutubeFeed });

/** The glance items (platforms/feed.js) of a scroll page's data; [] on any other page. */
export function readFeed(pageData) {
  const adapter = adapterFor(pageData?.url);
  return adapter ? FEED_READERS[adapter.id](pageData) : [];
}

/** The adapter for a page URL, or null for a site we do not read. */
export function adapterFor(url) {
  let host;
  try {
    host = new URL(url).hostname;
  } catch {
    return null;
  }
  if (/(^|\.)instagram\.com$/.test(host)) return instagram;
  if (/(^|\.)tiktok\.com$/.test(host)) return tiktok;
  if (/(^|\.)youtube\.com$/.test(host)) return youtube;
  return null;
}
