// YouTube scroll pages -> glance items. Search results (`ytInitialData`, then `/youtubei/v1/search`
// continuations; videos also inside `shelfRenderer.content.verticalListRenderer.items[]`), home
// and hashtag grids (`ytInitialData`, then `/youtubei/v1/browse` continuations) list
// `videoRenderer`s (and `lockupViewModel`s) whose owner is
// `ownerText.runs[0].navigationEndpoint.browseEndpoint.canonicalBaseUrl` ("/@handle"); channel
// results are `channelRenderer`s. On the Shorts feed each Short's `/youtubei/v1/player` answer
// names its owner (`microformat.playerMicroformatRenderer.ownerProfileUrl`), and the reel overlay
// its channel. Items whose channel has no @handle are left out: the glance needs one.

import { parseCount } from './counts.js';
import { FeedItems } from './feed.js';
import { SUBSCRIBERS, handleFrom, matchUrl } from './youtube.js';
import { dig, first, jsonDocuments, textOf, valuesByKey, walk } from './snapshot.js';

const KEYS = [
  'videoRenderer',
  'gridVideoRenderer',
  'compactVideoRenderer',
  'reelItemRenderer',
  'lockupViewModel',
  'channelRenderer',
  'reelPlayerHeaderRenderer',
  'reelMetapanelViewModel',
  'videoDetails',
];

const joined = (...texts) => texts.filter((t) => typeof t === 'string' && t.trim()).join('\n\n');

/** The first "/@handle" link anywhere under ``node`` (a lockup's byline, a reel's channel bar). */
function linkedHandle(node) {
  let found;
  walk(node, (o) => {
    if (found === undefined && !Array.isArray(o) && typeof o.canonicalBaseUrl === 'string')
      found = handleFrom(o.canonicalBaseUrl);
  });
  return found;
}

function fromVideo(v) {
  const by = first(v.ownerText, v.longBylineText, v.shortBylineText);
  return {
    handle: handleFrom(dig(by, 'runs', 0, 'navigationEndpoint', 'browseEndpoint', 'canonicalBaseUrl')),
    postId: v.videoId,
    text: joined(
      first(textOf(v.title), textOf(v.headline)),
      first(textOf(v.descriptionSnippet), textOf(dig(v, 'detailedMetadataSnippets', 0, 'snippetText'))),
    ),
  };
}

function fromLockup(lockup) {
  const meta = dig(lockup, 'metadata', 'lockupMetadataViewModel');
  if (typeof lockup.contentId !== 'string' || !/VIDEO|SHORT/.test(String(lockup.contentType || 'VIDEO'))) return null;
  return { handle: linkedHandle(meta), postId: lockup.contentId, text: textOf(meta?.title) };
}

function fromChannel(c, locale) {
  // YouTube puts "234k subscribers" in videoCountText and the @handle in subscriberCountText here
  const counts = [textOf(c.subscriberCountText), textOf(c.videoCountText)].filter((t) => t && SUBSCRIBERS.test(t));
  return {
    handle: first(
      handleFrom(dig(c, 'navigationEndpoint', 'browseEndpoint', 'canonicalBaseUrl')),
      handleFrom(textOf(c.subscriberCountText)),
    ),
    text: joined(textOf(c.title), textOf(c.descriptionSnippet)),
    followers: parseCount(counts[0], locale),
  };
}

function fromPlayer(details, doc) {
  const micro = dig(doc, 'microformat', 'playerMicroformatRenderer');
  return {
    handle: handleFrom(micro?.ownerProfileUrl),
    postId: details.videoId,
    text: joined(details.title, details.shortDescription),
  };
}

/** The Short a reel answer is about (the reel_item_watch answer, or the Shorts page's ytInitialData). */
function reelVideoId(doc) {
  return first(
    dig(doc, 'replacementEndpoint', 'reelWatchEndpoint', 'videoId'),
    dig(doc, 'currentVideoEndpoint', 'reelWatchEndpoint', 'videoId'),
  );
}

// Older reel overlay: reelPlayerHeaderRenderer {channelNavigationEndpoint, reelTitleText}
function fromReelHeader(header, doc) {
  return {
    handle: handleFrom(dig(header, 'channelNavigationEndpoint', 'browseEndpoint', 'canonicalBaseUrl')),
    postId: reelVideoId(doc),
    text: textOf(header.reelTitleText),
  };
}

// Current reel overlay: reelMetapanelViewModel.metadataItems[] {reelChannelBarViewModel, shortsVideoTitleViewModel}
function fromMetapanel(panel, doc) {
  const items = Array.isArray(panel.metadataItems) ? panel.metadataItems : [];
  const title = items.map((i) => textOf(i?.shortsVideoTitleViewModel?.text)).find(Boolean);
  return { handle: linkedHandle(panel), postId: reelVideoId(doc), text: title };
}

/**
 * YouTube page data -> one glance item per video (or channel) seen, in page order; [] on a
 * channel or watch page.
 * @param {object} pageData see README.md
 */
export function readFeed(pageData) {
  const feed = new FeedItems('youtube', matchUrl(pageData?.url));
  if (!feed.seenOn) return [];
  const locale = pageData?.locale ?? null;
  for (const { json } of jsonDocuments(pageData).reverse()) {
    const found = valuesByKey(json, KEYS);
    const seen = [
      ...[
        ...found.get('videoRenderer'),
        ...found.get('gridVideoRenderer'),
        ...found.get('compactVideoRenderer'),
        ...found.get('reelItemRenderer'),
      ]
        .filter((v) => typeof v?.videoId === 'string')
        .map(fromVideo),
      ...found.get('lockupViewModel').map(fromLockup),
      ...found.get('channelRenderer').map((c) => fromChannel(c, locale)),
      ...found
        .get('videoDetails')
        .filter((d) => typeof d?.videoId === 'string')
        .map((d) => fromPlayer(d, json)),
      ...found.get('reelPlayerHeaderRenderer').map((h) => fromReelHeader(h, json)),
      ...found.get('reelMetapanelViewModel').map((p) => fromMetapanel(p, json)),
    ];
    for (const item of seen) if (item) feed.add(item);
  }
  return feed.list();
}
