// YouTube: the channel from ytInitialData and /youtubei/v1/browse (pageHeaderViewModel rows, the
// older c4TabbedHeaderRenderer, metadata.channelMetadataRenderer); videos from the grid
// (videoRenderer, lockupViewModel, shortsLockupViewModel); on a watch page the creator is the video's
// owner; comments from /youtubei/v1/next (commentEntityPayload, older commentRenderer).

import { exactCount, parseCount } from './counts.js';
import {
  Capture,
  calendarDate,
  decoded,
  dig,
  findObjects,
  first,
  onHost,
  jsonDocuments,
  relativeTime,
  sameHandle,
  textOf,
  toIso,
  valuesByKey,
  walk,
} from './snapshot.js';

const HOSTS = new Set(['youtube.com', 'www.youtube.com', 'm.youtube.com']);
const CHANNEL_ID = /^UC[A-Za-z0-9_-]{22}$/;
const VIDEO_ID = /^[A-Za-z0-9_-]{11}$/;

/**
 * The page a URL shows: a channel or a video, or a scroll page (`term` is the search text or
 * hashtag): `/results?search_query=` search, `/` home, `/hashtag/<tag>` hashtag, `/shorts/<id>`
 * (and `/shorts`) the Shorts feed.
 * @returns {{kind: string|null, handle: string|null, postId: string|null, channelId?: string, term?: string|null}}
 */
export function matchUrl(url) {
  const none = { kind: null, handle: null, postId: null };
  const page = onHost(url, HOSTS);
  if (!page) return none;
  const { url: u, parts } = page;
  const head = decoded(parts[0] || '');
  const feed = (kind, term = null, postId = null) => ({ kind, handle: null, postId, term });
  if (parts.length === 0) return feed('home');
  if (head === 'results') {
    const q = first(u.searchParams.get('search_query'), u.searchParams.get('q'))?.trim();
    return q ? feed('search', q) : none;
  }
  if (head === 'hashtag' && parts[1]) return feed('hashtag', decoded(parts[1]));
  if (head === 'shorts') {
    if (parts.length === 1) return feed('shorts');
    return VIDEO_ID.test(parts[1]) ? feed('shorts', null, parts[1]) : none;
  }
  if (head.startsWith('@') && head.length > 1 && !/[%/]/.test(head)) {
    return { kind: 'profile', handle: head.slice(1), postId: null };
  }
  if (head === 'channel' && CHANNEL_ID.test(parts[1] || '')) {
    return { kind: 'profile', handle: null, postId: null, channelId: parts[1] };
  }
  if ((head === 'c' || head === 'user') && parts[1]) return { kind: 'profile', handle: null, postId: null };
  if (head === 'watch' && VIDEO_ID.test(u.searchParams.get('v') || '')) {
    return { kind: 'video', handle: null, postId: u.searchParams.get('v') };
  }
  if (head === 'live' && VIDEO_ID.test(parts[1] || '')) return { kind: 'video', handle: null, postId: parts[1] };
  return none;
}

// Every renderer the adapter reads, found in one walk of each document.
const KEYS = [
  'channelMetadataRenderer',
  'pageHeaderViewModel',
  'c4TabbedHeaderRenderer',
  'videoPrimaryInfoRenderer',
  'videoSecondaryInfoRenderer',
  'commentsHeaderRenderer',
  'commentsEntryPointHeaderRenderer',
  'commentEntityPayload',
  'commentRenderer',
  'commentThreadRenderer',
  'videoRenderer',
  'gridVideoRenderer',
  'reelItemRenderer',
  'lockupViewModel',
  'shortsLockupViewModel',
];
const GRID_KEYS = [
  'videoRenderer',
  'gridVideoRenderer',
  'reelItemRenderer',
  'lockupViewModel',
  'shortsLockupViewModel',
];
const hasLikeButton = (o) => Boolean(o.likeButtonViewModel);
const hasButton = (o) => Boolean(o.buttonViewModel);
const isLikeToggle = (o) => dig(o, 'toggleButtonRenderer', 'defaultIcon', 'iconType') === 'LIKE';
const all = (json, key) => valuesByKey(json, KEYS).get(key);

export const SUBSCRIBERS =
  /subscri|abonn|suscrip|inscrit|iscritt|подпис|підпис|登録者|订阅|訂閱|구독자|abone|pelanggan|subskryb|prenumer|tilaaj|συνδρομ|מנוי|مشترك|مشترک|सदस्य|ผู้ติดตาม|đăng ký/i;
const VIDEOS = /vid[eé]o|vídeo|видео|відео|動画|视频|影片|동영상|वीडियो|فيديو|ویدیو|วิดีโอ/i;

/** "/@kurzgesagt", "http://www.youtube.com/@kurzgesagt" or "@kurzgesagt" -> "kurzgesagt" */
export function handleFrom(text) {
  if (typeof text !== 'string') return undefined;
  const m = /(?:^|\/)@([^/?#\s]+)/.exec(text);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** A /redirect?q=<target> link as the target; other links as they are. */
function unredirect(url) {
  if (typeof url !== 'string' || !url) return undefined;
  try {
    const u = new URL(url, 'https://www.youtube.com/');
    if (u.pathname === '/redirect' && u.searchParams.get('q')) return u.searchParams.get('q');
    return u.href;
  } catch {
    return undefined;
  }
}

function hasImage(node, names) {
  let hit = false;
  walk(node, (o) => {
    if (!Array.isArray(o) && typeof o.imageName === 'string' && names.includes(o.imageName)) hit = true;
  });
  return hit;
}

const VERIFIED_BADGES = ['BADGE_STYLE_TYPE_VERIFIED', 'BADGE_STYLE_TYPE_VERIFIED_ARTIST'];
const verifiedBadge = (badges) =>
  Array.isArray(badges) && badges.some((b) => VERIFIED_BADGES.includes(b?.metadataBadgeRenderer?.style));

/** The subscriber and video counts among a header's metadata parts ("25m subscribers", "337 videos"). */
function headerCounts(texts) {
  const counted = texts.filter((t) => !t.startsWith('@') && /\d/.test(t));
  let subscribers = counted.find((t) => SUBSCRIBERS.test(t));
  let videos = counted.find((t) => t !== subscribers && VIDEOS.test(t));
  if (!subscribers && !videos && counted.length === 2) [subscribers, videos] = counted; // the usual order
  return { subscribers, videos };
}

/** What one JSON document says about the channel it shows (a browse answer is one channel). */
function channelIn(json) {
  const ch = {};
  for (const r of all(json, 'channelMetadataRenderer')) {
    ch.handle ??= handleFrom(r.vanityChannelUrl);
    ch.channelId ??= r.externalId;
    ch.title ??= r.title;
    ch.description ??= r.description;
  }
  for (const vm of all(json, 'pageHeaderViewModel')) {
    const texts = [];
    for (const row of dig(vm, 'metadata', 'contentMetadataViewModel', 'metadataRows') || []) {
      for (const part of row?.metadataParts || []) {
        const t = textOf(part?.text);
        if (typeof t === 'string') texts.push(t.trim());
      }
    }
    ch.handle ??= handleFrom(texts.find((t) => t.startsWith('@')));
    const { subscribers, videos } = headerCounts(texts);
    ch.subscribers ??= subscribers;
    ch.videos ??= videos;
    ch.title ??= textOf(dig(vm, 'title', 'dynamicTextViewModel', 'text'));
    ch.verified ??= hasImage(vm.title, ['CHECK_CIRCLE_FILLED', 'AUDIO_BADGE']);
    ch.description ??= textOf(dig(vm, 'description', 'descriptionPreviewViewModel', 'description'));
    const link = dig(vm, 'attribution', 'attributionViewModel', 'text');
    ch.externalUrl ??= first(
      unredirect(dig(link, 'commandRuns', 0, 'onTap', 'innertubeCommand', 'urlEndpoint', 'url')),
      textOf(link) ? `https://${textOf(link).replace(/^https?:\/\//, '')}` : undefined,
    );
  }
  for (const h of all(json, 'c4TabbedHeaderRenderer')) {
    ch.handle ??= first(
      handleFrom(textOf(h.channelHandleText)),
      handleFrom(dig(h, 'navigationEndpoint', 'browseEndpoint', 'canonicalBaseUrl')),
    );
    ch.channelId ??= h.channelId;
    ch.title ??= h.title;
    ch.subscribers ??= textOf(h.subscriberCountText);
    ch.videos ??= textOf(h.videosCountText);
    ch.verified ??= verifiedBadge(h.badges);
  }
  return Object.keys(ch).length ? ch : null;
}

/** The video a watch-page document is about, and its owner. */
function watchIn(json) {
  const w = {};
  const current = dig(json, 'currentVideoEndpoint', 'watchEndpoint', 'videoId');
  const details = json.videoDetails;
  w.videoId = first(current, details?.videoId);
  for (const p of all(json, 'videoPrimaryInfoRenderer')) {
    w.title ??= textOf(p.title);
    const count = dig(p, 'viewCount', 'videoViewCountRenderer');
    // after in-site navigation originalViewCount is "0" while the text says "53,118 views"
    const original = exactCount(count?.originalViewCount);
    w.views ??= original ? original : first(textOf(count?.viewCount), original ?? undefined);
    w.dateText ??= textOf(p.dateText);
    w.relativeDateText ??= textOf(p.relativeDateText);
    for (const like of findObjects(p, hasLikeButton)) {
      const button = findObjects(like, hasButton)[0]?.buttonViewModel;
      w.likes ??= first(button?.accessibilityText, button?.title);
    }
    for (const toggle of findObjects(p, isLikeToggle)) {
      // the older toggleButtonRenderer layout
      const label = toggle.toggleButtonRenderer.defaultText;
      w.likes ??= first(
        dig(label, 'accessibility', 'accessibilityData', 'label'),
        dig(toggle.toggleButtonRenderer, 'accessibilityData', 'accessibilityData', 'label'),
        textOf(label),
      );
    }
  }
  for (const s of all(json, 'videoSecondaryInfoRenderer')) {
    w.description ??= first(textOf(s.attributedDescription), textOf(s.description));
    const owner = dig(s, 'owner', 'videoOwnerRenderer');
    if (owner) {
      const nav = first(
        dig(owner, 'navigationEndpoint', 'browseEndpoint'),
        dig(owner, 'title', 'runs', 0, 'navigationEndpoint', 'browseEndpoint'),
      );
      w.owner = {
        handle: handleFrom(nav?.canonicalBaseUrl),
        channelId: nav?.browseId,
        title: textOf(owner.title),
        subscribers: textOf(owner.subscriberCountText),
        verified: verifiedBadge(owner.badges),
      };
    }
  }
  for (const h of all(json, 'commentsHeaderRenderer')) {
    w.comments ??= textOf(h.countText);
  }
  for (const h of all(json, 'commentsEntryPointHeaderRenderer')) {
    w.comments ??= textOf(h.commentCount);
  }
  if (details) {
    w.title ??= details.title;
    w.fullDescription = details.shortDescription; // the full text, not a preview
    w.exactViews = exactCount(details.viewCount);
    const micro = dig(json, 'microformat', 'playerMicroformatRenderer');
    w.date = first(micro?.publishDate, micro?.uploadDate);
    w.owner ??= { handle: handleFrom(micro?.ownerProfileUrl), channelId: details.channelId, title: details.author };
    w.paid = Boolean(json.paidContentOverlay);
  }
  return w;
}

/** A grid item (videoRenderer, gridVideoRenderer, lockupViewModel, shortsLockupViewModel, reelItemRenderer). */
function gridVideo(o, locale, now) {
  const v = first(o.videoRenderer, o.gridVideoRenderer, o.reelItemRenderer);
  if (v && typeof v.videoId === 'string') {
    const title = first(textOf(v.title), textOf(v.headline)) ?? '';
    const snippet = textOf(v.descriptionSnippet);
    const by = first(v.ownerText, v.longBylineText, v.shortBylineText);
    const nav = dig(by, 'runs', 0, 'navigationEndpoint', 'browseEndpoint');
    const published = textOf(v.publishedTimeText);
    return {
      owner: nav ? { handle: handleFrom(nav.canonicalBaseUrl), channelId: nav.browseId } : null,
      post: {
        id: v.videoId,
        url: `https://www.youtube.com/${o.reelItemRenderer ? 'shorts/' : 'watch?v='}${v.videoId}`,
        caption: snippet ? `${title}\n\n${snippet}` : title,
        views: first(parseCount(textOf(v.viewCountText), locale), parseCount(textOf(v.shortViewCountText), locale)),
        posted_at: relativeTime(published, now),
      },
      relative: Boolean(published),
    };
  }
  const lockup = o.lockupViewModel;
  if (lockup && typeof lockup.contentId === 'string' && /VIDEO|SHORT/.test(String(lockup.contentType || 'VIDEO'))) {
    const meta = dig(lockup, 'metadata', 'lockupMetadataViewModel');
    let views = null;
    let posted = null;
    for (const row of dig(meta, 'metadata', 'contentMetadataViewModel', 'metadataRows') || []) {
      for (const part of row?.metadataParts || []) {
        const t = textOf(part?.text);
        posted ??= relativeTime(t, now);
        if (!relativeTime(t, now)) views ??= parseCount(t, locale);
      }
    }
    return {
      owner: null,
      post: {
        id: lockup.contentId,
        url: `https://www.youtube.com/watch?v=${lockup.contentId}`,
        caption: textOf(meta?.title) ?? '',
        views,
        posted_at: posted,
      },
      relative: posted !== null,
    };
  }
  const short = o.shortsLockupViewModel;
  const shortId = dig(short, 'onTap', 'innertubeCommand', 'reelWatchEndpoint', 'videoId');
  if (typeof shortId === 'string') {
    return {
      owner: null,
      post: {
        id: shortId,
        url: `https://www.youtube.com/shorts/${shortId}`,
        caption: textOf(dig(short, 'overlayMetadata', 'primaryText')) ?? '',
        views: parseCount(textOf(dig(short, 'overlayMetadata', 'secondaryText')), locale),
      },
      relative: false,
    };
  }
  return null;
}

/** Comments: commentEntityPayload (current) and commentRenderer (older). */
function commentsIn(json, locale, now) {
  const out = [];
  // YouTube leaves a count blank when it is zero
  const count = (t) => (typeof t === 'string' && t.trim() === '' ? 0 : parseCount(t, locale));
  const answered = creatorAnswered(json);
  for (const p of all(json, 'commentEntityPayload')) {
    const props = p.properties || {};
    out.push({
      id: props.commentId,
      author: p.author?.displayName,
      channelId: p.author?.channelId,
      text: textOf(props.content),
      likes: count(p.toolbar?.likeCountNotliked),
      replies: count(p.toolbar?.replyCount),
      by_creator: p.author?.isCreator === true,
      published: props.publishedTime,
    });
  }
  for (const r of all(json, 'commentRenderer')) {
    out.push({
      id: r.commentId,
      author: textOf(r.authorText),
      channelId: dig(r, 'authorEndpoint', 'browseEndpoint', 'browseId'),
      text: textOf(r.contentText),
      likes: first(count(textOf(r.voteCount)), 0),
      replies: exactCount(r.replyCount) ?? 0,
      by_creator: r.authorIsChannelOwner === true,
      published: textOf(r.publishedTimeText),
    });
  }
  return out.map((c) => ({ ...c, posted_at: relativeTime(c.published, now), creator_replied: answered.has(c.id) }));
}

/**
 * Threads the creator answered, by top comment id: a collapsed thread shows the creator's avatar on
 * its "replies" button (commentRepliesRenderer.viewRepliesCreatorThumbnail) before any reply loads.
 */
function creatorAnswered(json) {
  const ids = new Set();
  for (const t of all(json, 'commentThreadRenderer')) {
    if (!dig(t, 'replies', 'commentRepliesRenderer', 'viewRepliesCreatorThumbnail')) continue;
    const id = first(
      dig(t, 'commentViewModel', 'commentViewModel', 'commentId'),
      dig(t, 'comment', 'commentRenderer', 'commentId'),
    );
    if (typeof id === 'string') ids.add(id);
  }
  return ids;
}

function matches(ch, where, handle) {
  if (!ch) return false;
  if (handle && ch.handle) return sameHandle(ch.handle, handle);
  if (where.channelId && ch.channelId) return ch.channelId === where.channelId;
  return true;
}

/** True when ``pageUrl`` shows the channel ``where`` names (false when the two name it differently). */
function sameChannelPage(pageUrl, where) {
  const at = matchUrl(pageUrl);
  if (at.kind !== 'profile') return false;
  if (at.handle && where.handle) return sameHandle(at.handle, where.handle);
  return Boolean(at.channelId && where.channelId && at.channelId === where.channelId);
}

/**
 * YouTube page data -> snapshot.
 * @param {object} pageData see README.md
 */
export function buildSnapshot(pageData) {
  const where = matchUrl(pageData?.url);
  const cap = new Capture('youtube', pageData);
  const { locale, capturedAt: now } = cap;
  const docs = jsonDocuments(pageData);
  let approximate = 0;
  let channelId = where.channelId;
  let handle = where.handle;

  if (where.kind === 'video') {
    // the creator is the video's owner; documents about another video are left from earlier pages
    const watches = docs
      .map((d) => [d, watchIn(d.json)])
      .filter(([d, w]) => (w.videoId ?? matchUrl(d.pageUrl).postId) === where.postId);
    const post = { id: where.postId, url: `https://www.youtube.com/watch?v=${where.postId}` };
    for (const [d, w] of watches) {
      if (w.owner) {
        handle ??= w.owner.handle;
        channelId ??= w.owner.channelId;
        if (matches(w.owner, where, handle)) {
          cap.offer('handle', w.owner.handle, d.source);
          cap.offer('display_name', w.owner.title, d.source);
          cap.offer('followers', parseCount(w.owner.subscribers, locale) ?? undefined, d.source);
          if (w.owner.verified !== undefined) cap.offer('verified', w.owner.verified, d.source);
        }
      }
      post.views ??= w.exactViews ?? (typeof w.views === 'number' ? w.views : parseCount(w.views, locale));
      post.likes ??= parseCount(w.likes, locale);
      post.comments_count ??= parseCount(w.comments, locale);
      post.paid_partnership ||= w.paid === true;
    }
    // the player's exact views and publishDate win; "May 22, 2024" under the title only has the day,
    // and "vor 4 Jahren" only the year
    const exact = watches.map(([, w]) => w.exactViews).find((v) => v !== null && v !== undefined);
    if (exact !== undefined) post.views = exact;
    post.posted_at = first(
      ...watches.map(([, w]) => toIso(w.date)).filter(Boolean),
      ...watches.map(([, w]) => calendarDate(w.dateText, locale) ?? relativeTime(w.dateText, now)).filter(Boolean),
      ...watches.map(([, w]) => relativeTime(w.relativeDateText, now)).filter(Boolean),
      null,
    );
    if (!watches.some(([, w]) => toIso(w.date) || calendarDate(w.dateText, locale)) && post.posted_at) {
      cap.note("the video's date was estimated from a relative time");
    }
    const titled = watches.find(([, w]) => w.title);
    if (titled) {
      // the player's full description wherever it came from, else the preview under the video
      const description = first(...watches.map(([, w]) => w.fullDescription), ...watches.map(([, w]) => w.description));
      post.caption = description ? `${titled[1].title}\n\n${description}` : titled[1].title;
      cap.addPost(post, titled[0].source);
    }
  } else if (where.kind === 'profile') {
    let strayPages = 0;
    for (const d of docs) {
      const ch = channelIn(d.json);
      if (ch && !matches(ch, where, handle)) continue; // another channel, from before a navigation
      if (!ch && (d.json.currentVideoEndpoint || d.json.videoDetails)) continue; // a watch page's suggestions
      if (!ch && !sameChannelPage(d.pageUrl, where)) {
        // "more videos" answers name no channel: their page does
        strayPages += 1;
        continue;
      }
      if (ch) {
        handle ??= ch.handle;
        channelId ??= ch.channelId;
        cap.offer('handle', ch.handle, d.source);
        cap.offer('display_name', ch.title, d.source);
        cap.offer('bio', ch.description, d.source);
        cap.offer('external_url', ch.externalUrl, d.source);
        cap.offer('verified', ch.verified, d.source);
        cap.offer('followers', parseCount(ch.subscribers, locale) ?? undefined, d.source);
        cap.offer('posts_count', parseCount(ch.videos, locale) ?? undefined, d.source);
      }
      let others = 0;
      for (const item of GRID_KEYS.flatMap((k) => all(d.json, k).map((v) => ({ [k]: v })))) {
        const got = gridVideo(item, locale, now);
        if (!got) continue;
        const o = got.owner;
        if (
          o &&
          ((o.handle && handle && !sameHandle(o.handle, handle)) ||
            (o.channelId && channelId && o.channelId !== channelId))
        ) {
          others += 1;
          continue;
        }
        if (got.relative) approximate += 1;
        cap.addPost(got.post, d.source);
      }
      if (others) cap.note(`ignored ${others} videos of other channels`);
    }
    if (strayPages) cap.note(`ignored ${strayPages} answers that arrived on another channel's page`);
  }
  if (handle) {
    cap.offer('handle', handle, 'dom'); // named by the URL
    cap.offer('url', `https://www.youtube.com/@${encodeURIComponent(cap.get('handle'))}`, cap.sources.handle);
  } else if (channelId) {
    cap.offer('url', `https://www.youtube.com/channel/${channelId}`, 'dom');
  }
  fromDomTitle(cap, pageData?.dom);

  // /next answers do not name their video: the page the user was on does; keep comments on this
  // creator's videos (in the snapshot, or the one the URL names)
  let relativeComments = 0;
  let answeredThreads = 0;
  let strays = 0;
  for (const d of docs) {
    const postId = matchUrl(d.pageUrl).postId ?? where.postId;
    const comments = commentsIn(d.json, locale, now);
    if (comments.length && postId !== where.postId && !cap.posts.has(postId)) {
      strays += comments.length;
      continue;
    }
    for (const c of comments) {
      if (c.published) relativeComments += 1;
      const byCreator = c.by_creator || Boolean(channelId && c.channelId === channelId);
      cap.addComment(
        {
          id: c.id,
          post_id: postId,
          author: c.author,
          text: c.text,
          likes: c.likes,
          replies: c.replies,
          by_creator: byCreator,
          creator_replied: c.creator_replied,
          posted_at: c.posted_at,
        },
        d.source,
      );
      if (c.creator_replied) answeredThreads += 1;
    }
  }
  if (answeredThreads)
    cap.note(`${answeredThreads} comment threads show a creator reply that was not loaded (collapsed)`);
  if (strays) cap.note(`ignored ${strays} comments on videos that are not this channel's`);
  if (cap.comments.size === 0) fromDomComments(cap, pageData?.dom, locale, where);
  if (approximate) cap.note(`posted_at of ${approximate} videos estimated from relative times ("3 days ago")`);
  if (relativeComments) cap.note(`posted_at of comments estimated from relative times`);
  return cap.finish();
}

function fromDomTitle(cap, dom) {
  if (typeof dom?.title === 'string' && !cap.get('display_name')) {
    const name = dom.title.replace(/\s+-\s+YouTube\s*$/, '').trim();
    if (name && name !== dom.title.trim()) cap.offer('display_name', name, 'dom');
  }
}

function fromDomComments(cap, dom, locale, where) {
  for (const c of Array.isArray(dom?.comments) ? dom.comments : []) {
    cap.addComment(
      { id: null, post_id: where.postId, author: c?.author, text: c?.text, likes: parseCount(c?.likes, locale) },
      'dom',
    );
  }
}

export const youtube = Object.freeze({ id: 'youtube', matchUrl, buildSnapshot });
