// The feed readers: a scroll page's data -> one glance item per post seen, with its creator, text,
// follower count (when the page gave one) and where it was seen.
import test from 'node:test';
import assert from 'node:assert/strict';

import { FeedItems, GLANCE_LIMITS, feedKey, isFeedPage, outermost, seenOn } from '../src/platforms/feed.js';
import { readFeed } from '../src/platforms/index.js';
import { matchUrl as instagramUrl } from '../src/platforms/instagram.js';
import { matchUrl as youtubeUrl } from '../src/platforms/youtube.js';
import {
  IG_HASHTAG_MORE,
  IG_HASHTAG_RECENT,
  IG_HASHTAG_TOP,
  IG_HOME,
  TT_FORYOU,
  TT_SEARCH,
  TT_TAG,
  YT_HASHTAG,
  YT_HOME,
  YT_HOME_LOCKUPS,
  YT_SEARCH,
  YT_SEARCH_CHANNEL,
  YT_SEARCH_MORE,
  YT_SEARCH_MORE_CHANNEL,
  YT_SEARCH_SHELF,
  YT_SHORTS,
} from './fixtures/generate-feeds.js';
import { loadPage, readFixture } from './fixtures/load.js';

const handles = (items) => items.map((i) => i.handle);
const sorted = (list) => [...list].sort();

// page -> [posts it shows (by handle, in any order), seen_on]
const PAGES = [
  [
    'instagram/page-hashtag.json',
    [...IG_HASHTAG_TOP, ...IG_HASHTAG_RECENT, ...IG_HASHTAG_MORE],
    { kind: 'hashtag', term: 'sourdough' },
  ],
  ['instagram/page-feed.json', IG_HOME, { kind: 'feed' }],
  ['tiktok/page-foryou.json', TT_FORYOU, { kind: 'feed' }],
  ['tiktok/page-tag.json', TT_TAG, { kind: 'hashtag', term: 'mealprep' }],
  ['tiktok/page-search.json', TT_SEARCH, { kind: 'search', term: 'trail running' }],
  ['youtube/page-home.json', [...YT_HOME, ...YT_HOME_LOCKUPS], { kind: 'feed' }],
  ['youtube/page-hashtag.json', YT_HASHTAG, { kind: 'hashtag', term: 'mealprep' }],
  ['youtube/page-shorts.json', YT_SHORTS, { kind: 'feed' }],
];

for (const [path, posts, where] of PAGES) {
  test(`readFeed(${path}): every post seen, by its creator, with its text and where it was seen`, () => {
    const items = readFeed(loadPage(path));
    assert.deepEqual(sorted(handles(items)), sorted(posts.map(([handle]) => handle)));
    for (const item of items) {
      assert.deepEqual(item.seen_on, where);
      assert.equal(item.texts.length, 1);
      assert.ok(typeof item.post_id === 'string' && item.post_id, 'a post id');
      const post = posts.find(
        ([handle, , text]) => handle === item.handle && item.texts[0].startsWith(text.slice(0, 40)),
      );
      assert.ok(post, `${item.handle}: ${item.texts[0]}`);
      if (Number.isInteger(post[1])) assert.equal(item.followers, post[1]);
      else assert.equal('followers' in item, false, 'no follower count when the page gave none');
    }
    assert.equal(new Set(items.map((i) => i.post_id)).size, items.length, 'one item a post');
  });
}

test('Instagram hashtag: top (one-by-two clips and fill items), recent, and the next page of sections', () => {
  const items = readFeed(loadPage('instagram/page-hashtag.json'));
  const web = JSON.parse(readFixture('instagram/tags-web-info-sourdough.json'));
  const clip = web.data.top.sections[0].layout_content.one_by_two_item.clips.items[0].media;
  const fill = web.data.top.sections[0].layout_content.fill_items[1].media;
  const recent = web.data.recent.sections[0].layout_content.medias[0].media;
  for (const m of [clip, fill, recent]) {
    assert.ok(
      items.some((i) => i.post_id === m.code && i.handle === m.user.username && i.texts[0] === m.caption.text),
      m.code,
    );
  }
  assert.equal(items.filter((i) => i.handle === 'crumbandcrust').length, 3); // two on top, one on the next page
});

test("Instagram: a profile-grid copy (user with only pk) and a carousel's children are not posts seen", () => {
  const media = JSON.parse(readFixture('instagram/feed-timeline-xdt.json')).data.xdt_api__v1__feed__timeline__connection
    .edges[0].node.media;
  const carousel = { ...media, code: 'C8carousel1', carousel_media: [{ ...media, code: 'C8child0001' }] };
  const gridCopy = { ...media, code: 'C8gridcopy1', user: { pk: media.user.pk, id: media.user.id } };
  delete gridCopy.owner.username;
  const url = 'https://www.instagram.com/';
  const items = readFeed({
    url,
    responses: [{ url: `${url}graphql/query`, status: 200, pageUrl: url, json: { items: [carousel, gridCopy] } }],
  });
  assert.deepEqual(
    items.map((i) => i.post_id),
    ['C8carousel1'],
  );
});

test('TikTok search: video results are items, user cards are not', () => {
  const items = readFeed(loadPage('tiktok/page-search.json'));
  assert.equal(items.length, TT_SEARCH.length);
  assert.ok(items.every((i) => /^\d{19}$/.test(i.post_id)));
});

test('TikTok legacy SIGI_STATE: ItemModule names the author as a string, authorStats beside it (real page)', () => {
  const html = readFixture('real/tiktok-profile-page-sigi-state-2023.html');
  const text = /<script id="SIGI_STATE"[^>]*>(.*?)<\/script>/s.exec(html)[1];
  const items = readFeed({
    url: 'https://www.tiktok.com/foryou',
    scripts: [{ id: 'SIGI_STATE', type: 'application/json', text }],
  });
  const state = JSON.parse(text);
  const ids = Object.keys(state.ItemModule);
  assert.equal(items.length, ids.length);
  const first = state.ItemModule[ids[0]];
  const item = items.find((i) => i.post_id === ids[0]);
  assert.equal(item.handle, first.author);
  assert.equal(item.followers, first.authorStats.followerCount);
});

test("YouTube search: results, the shelf's vertical list, channel results and the continuation", () => {
  const items = readFeed(loadPage('youtube/page-search.json'));
  const videos = [...YT_SEARCH, ...YT_SEARCH_SHELF, ...YT_SEARCH_MORE].filter(
    ([handle]) => !handle.startsWith('channel:'),
  );
  for (const [handle, videoId, title] of videos) {
    const item = items.find((i) => i.post_id === videoId);
    assert.equal(item?.handle, handle, videoId);
    assert.ok(item.texts[0].startsWith(title));
  }
  // the channel results: followers from videoCountText ("48.2K subscribers"), the handle beside it
  for (const [handle, , subscribers] of [YT_SEARCH_CHANNEL, YT_SEARCH_MORE_CHANNEL]) {
    const channel = items.find((i) => i.handle === handle && !i.post_id);
    assert.equal(channel.followers, Math.round(Number.parseFloat(subscribers) * 1000));
  }
  assert.equal(
    items.some((i) => i.post_id === 'nOhAndle004'),
    false,
    'a channel without an @handle cannot be glanced',
  );
  assert.equal(
    items.some((i) => i.post_id?.startsWith('sHortNo')),
    false,
    'shorts in search name no owner',
  );
  assert.equal(items.length, videos.length + 2);
});

test("YouTube Shorts: each Short's owner from its /player answer and the reel overlay", () => {
  const items = readFeed(loadPage('youtube/page-shorts.json'));
  assert.deepEqual(items.map((i) => [i.handle, i.post_id]).sort(), YT_SHORTS.map(([h, id]) => [h, id]).sort());
});

const CREATOR_PAGES = [
  'instagram/page-profile.json',
  'instagram/page-post.json',
  'tiktok/page-profile.json',
  'tiktok/page-video.json',
  'youtube/page-channel.json',
  'youtube/page-watch.json',
];
for (const path of CREATOR_PAGES) {
  test(`readFeed(${path}) is empty: a creator's own page gets the overlay, not chips`, () => {
    assert.deepEqual(readFeed(loadPage(path)), []);
  });
}

test('seen_on and the feed key follow the page kind', () => {
  assert.deepEqual(seenOn(instagramUrl('https://www.instagram.com/explore/tags/sourdough/')), {
    kind: 'hashtag',
    term: 'sourdough',
  });
  assert.deepEqual(seenOn(youtubeUrl('https://www.youtube.com/results?search_query=a+b')), {
    kind: 'search',
    term: 'a b',
  });
  assert.deepEqual(seenOn(youtubeUrl('https://www.youtube.com/')), { kind: 'feed' });
  assert.equal(seenOn(youtubeUrl('https://www.youtube.com/@someone')), null);
  assert.equal(isFeedPage({ kind: 'profile' }), false);
  assert.equal(seenOn({ kind: 'search', term: 'x'.repeat(500) }).term.length, GLANCE_LIMITS.term);
  // the Shorts and reels feeds change the URL with every post and stay one feed
  assert.equal(
    feedKey(youtubeUrl('https://www.youtube.com/shorts/Wq8pN2xYb4C')),
    feedKey(youtubeUrl('https://www.youtube.com/shorts/sHortTrl018')),
  );
  assert.notEqual(
    feedKey(youtubeUrl('https://www.youtube.com/hashtag/a')),
    feedKey(youtubeUrl('https://www.youtube.com/hashtag/b')),
  );
  assert.equal(feedKey({ kind: 'video' }), null);
});

test('FeedItems: bare handles, texts cut to the glance bound, bad handles dropped, copies merged', () => {
  const feed = new FeedItems('tiktok', { kind: 'foryou', term: null });
  feed.add({ handle: '@casey', text: 'x'.repeat(1000), postId: '1' });
  feed.add({ handle: 'casey', text: 'another copy', postId: '1', followers: 12 });
  feed.add({ handle: 'two words', text: 't', postId: '2' });
  feed.add({ handle: '', text: 't', postId: '3' });
  feed.add({ handle: 'a/b', text: 't', postId: '4' });
  feed.add({ handle: 'lee', text: '', followers: -5 });
  const items = feed.list();
  assert.deepEqual(
    items.map((i) => i.handle),
    ['casey', 'lee'],
  );
  assert.equal(items[0].texts[0].length, GLANCE_LIMITS.text);
  assert.equal(items[0].followers, 12);
  assert.deepEqual(items[1], { platform: 'tiktok', handle: 'lee', texts: [], seen_on: { kind: 'feed' } });
  assert.deepEqual(new FeedItems('tiktok', { kind: 'profile' }).list(), []);
});

test('outermost does not look inside what it found', () => {
  const tree = { a: [{ hit: 1, inner: { hit: 2 } }, { b: { hit: 3 } }] };
  assert.deepEqual(
    outermost(tree, (o) => 'hit' in o).map((o) => o.hit),
    [1, 3],
  );
});

test('the committed feed fixtures are what generate-feeds.js renders', async () => {
  const { renderFeedFixtures } = await import('./fixtures/generate-feeds.js');
  for (const [path, text] of renderFeedFixtures()) {
    assert.equal(readFixture(path), text, `${path}: run node extension/test/fixtures/generate-feeds.js`);
  }
});
