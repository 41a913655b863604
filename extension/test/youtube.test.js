import test from 'node:test';
import assert from 'node:assert/strict';

import { buildSnapshot, matchUrl } from '../src/platforms/youtube.js';
import { TVM } from './fixtures/creators.js';
import { loadPage } from './fixtures/load.js';

const NONE = { kind: null, handle: null, postId: null };
const URLS = [
  ['https://www.youtube.com/@tinyvanmeals', { kind: 'profile', handle: 'tinyvanmeals', postId: null }],
  ['https://www.youtube.com/@tinyvanmeals/videos', { kind: 'profile', handle: 'tinyvanmeals', postId: null }],
  ['https://m.youtube.com/@tinyvanmeals/shorts?app=m', { kind: 'profile', handle: 'tinyvanmeals', postId: null }],
  ['https://www.youtube.com/@%E3%81%8A%E6%96%99%E7%90%86', { kind: 'profile', handle: 'お料理', postId: null }],
  [
    'https://www.youtube.com/channel/UCq7TinyVanMeals0000x9Kz',
    { kind: 'profile', handle: null, postId: null, channelId: 'UCq7TinyVanMeals0000x9Kz' },
  ],
  ['https://www.youtube.com/c/TinyVanMeals', { kind: 'profile', handle: null, postId: null }],
  ['https://www.youtube.com/user/tinyvanmeals', { kind: 'profile', handle: null, postId: null }],
  ['https://www.youtube.com/watch?v=vT3kQm9La0B', { kind: 'video', handle: null, postId: 'vT3kQm9La0B' }],
  [
    'https://www.youtube.com/watch?v=vT3kQm9La0B&t=42s&list=PL1',
    { kind: 'video', handle: null, postId: 'vT3kQm9La0B' },
  ],
  ['https://www.youtube.com/live/Wq8pN2xYb4C', { kind: 'video', handle: null, postId: 'Wq8pN2xYb4C' }],
  ['https://www.youtube.com/watch?v=short', NONE],
  ['https://www.youtube.com/feed/subscriptions', NONE],
  // scroll pages: chips, not the overlay
  ['https://www.youtube.com/', { kind: 'home', handle: null, postId: null, term: null }],
  [
    'https://www.youtube.com/results?search_query=trail+running',
    { kind: 'search', handle: null, postId: null, term: 'trail running' },
  ],
  ['https://www.youtube.com/results?search_query=', NONE],
  ['https://www.youtube.com/hashtag/mealprep', { kind: 'hashtag', handle: null, postId: null, term: 'mealprep' }],
  ['https://www.youtube.com/shorts/Wq8pN2xYb4C', { kind: 'shorts', handle: null, postId: 'Wq8pN2xYb4C', term: null }],
  ['https://www.youtube.com/shorts', { kind: 'shorts', handle: null, postId: null, term: null }],
  ['https://www.youtube.com/shorts/nope', NONE],
  ['https://www.youtube.com/@', NONE],
  ['https://www.youtube.com/%E0%A4%A', NONE],
  ['https://music.youtube.com/@tinyvanmeals', NONE],
  ['https://www.tiktok.com/@tinyvanmeals', NONE],
];

for (const [url, expected] of URLS) {
  test(`matchUrl(${url})`, () => assert.deepEqual(matchUrl(url), expected));
}

function kindsOf(comments) {
  const byText = new Map(TVM.comments.map(([kind, author, text]) => [`${author.slice(1)}|${text}`, kind]));
  const kinds = {};
  for (const c of comments) {
    const kind = byText.get(`${c.author}|${c.text}`) ?? 'unknown';
    kinds[kind] = (kinds[kind] || 0) + 1;
  }
  return kinds;
}

test('channel page: the page-header view model, channel metadata and the video grid', () => {
  const s = buildSnapshot(loadPage('youtube/page-channel.json'));
  assert.equal(s.platform, 'youtube');
  assert.equal(s.handle, 'tinyvanmeals');
  assert.equal(s.display_name, 'Tiny Van Meals');
  assert.equal(s.url, 'https://www.youtube.com/@tinyvanmeals');
  assert.equal(s.bio, TVM.bio); // the full description, not the header's one-line preview
  assert.equal(s.external_url, 'https://tinyvanmeals.com/recipes'); // out of YouTube's /redirect
  assert.equal(s.verified, false);
  assert.equal(s.followers, 58200); // "58.2K subscribers"
  assert.equal(s.posts_count, 212); // "212 videos"
  assert.equal(s.following, null);
  assert.equal(s.locale, 'en-GB');

  assert.equal(s.posts.length, 15); // 12 in the grid, 3 older ones from a continuation (lockupViewModel)
  const first = s.posts.find((p) => p.id === 'vT3kQm9La0B');
  assert.equal(first.url, 'https://www.youtube.com/watch?v=vT3kQm9La0B');
  assert.equal(first.views, 48213); // the exact "48,213 views", not "48K views"
  assert.match(
    first.caption,
    /^One-Pan Shakshuka on a Single Burner \(Sponsored by Hearthside Stoves\)\n\nThis video is sponsored/,
  );
  assert.equal(first.posted_at, '2024-05-22T12:00:00.000Z'); // "2 weeks ago" from the capture time
  assert.equal(first.likes, null);
  const lockup = s.posts.find((p) => p.id === 'jD1rW2sBa4R');
  assert.equal(lockup.caption, 'My First Week Cooking in the Van');
  assert.equal(lockup.views, 21000);
  assert.equal(lockup.posted_at, '2023-06-06T06:00:00.000Z'); // "1 year ago" = 365.25 days
  assert.equal(s.posts[s.posts.length - 1].id, 'jD1rW2sBa4R'); // oldest last
  assert.ok(s.posts.every((p) => p.paid_partnership === false)); // the grid shows no label
  assert.equal(s.capture.sources.posts, 'embedded');
  assert.ok(s.capture.notes.includes('posts: 12 from embedded, 3 from api'));
  assert.ok(s.capture.notes.some((n) => n.startsWith('posted_at of 15 videos estimated')));
  assert.deepEqual(s.capture.missing, ['following', 'comments']);
  assert.equal(s.capture.degraded, false);
});

test("watch page: the video's owner is the creator; 60 comments from /next", () => {
  const s = buildSnapshot(loadPage('youtube/page-watch.json'));
  assert.equal(s.handle, 'tinyvanmeals');
  assert.equal(s.display_name, 'Tiny Van Meals');
  assert.equal(s.followers, 58200);
  assert.equal(s.posts.length, 1); // the suggestions of other channels stay out
  const video = s.posts[0];
  assert.equal(video.id, 'vT3kQm9La0B');
  assert.equal(video.views, 48213);
  assert.equal(video.likes, 2104); // "like this video along with 2,104 other people"
  assert.equal(video.comments_count, 1284);
  assert.equal(video.paid_partnership, true); // paidContentOverlay
  assert.equal(video.posted_at, '2024-05-22T14:00:12.000Z');
  assert.match(video.caption, /\n\nThis video is sponsored by Hearthside Stoves\. Their two-ring/);

  assert.equal(s.comments.length, 59);
  assert.deepEqual(kindsOf(s.comments), { genuine: 24, reply: 9, generic: 17, spam: 9 });
  const mine = s.comments.filter((c) => c.by_creator);
  assert.equal(mine.length, 9);
  assert.ok(mine.every((c) => c.author === 'tinyvanmeals'));
  assert.ok(s.comments.every((c) => c.post_id === 'vT3kQm9La0B'));
  const top = s.comments[0];
  assert.equal(top.author, 'trailcook.ines');
  assert.equal(top.likes, 1212);
  assert.equal(top.replies, 3);
  assert.equal(top.posted_at, '2024-05-22T12:00:00.000Z');
  const quiet = s.comments.find((c) => c.text === 'Nice video 👍');
  assert.equal(quiet.likes, 0); // YouTube leaves zero blank
  assert.equal(quiet.replies, 0);
  assert.deepEqual(s.capture.missing, ['bio', 'following', 'posts_count']);
  assert.equal(s.capture.degraded, false);
});

test("German YouTube: '1.212' likes and 'vor 2 Wochen' read right", () => {
  const s = buildSnapshot(loadPage('youtube/page-watch-de.json'));
  assert.equal(s.locale, 'de-DE');
  assert.equal(s.comments.length, 59);
  assert.equal(s.comments[0].likes, 1212);
  assert.equal(s.comments[0].posted_at, '2024-05-22T12:00:00.000Z');
  assert.equal(s.posts[0].comments_count, 1284); // "1.284"
  const en = buildSnapshot(loadPage('youtube/page-watch.json'));
  assert.deepEqual(
    s.comments.map((c) => c.likes),
    en.comments.map((c) => c.likes),
  );
  assert.deepEqual(
    s.comments.map((c) => c.replies),
    en.comments.map((c) => c.replies),
  );
});

test("after single-page navigation from another channel's video: only this channel", () => {
  const s = buildSnapshot(loadPage('youtube/page-channel-spa.json'));
  assert.equal(s.handle, 'tinyvanmeals');
  assert.equal(s.followers, 58200);
  assert.equal(s.capture.sources.followers, 'api');
  assert.equal(s.posts.length, 12);
  assert.ok(!s.posts.some((p) => p.id.startsWith('zzOther')));
  assert.deepEqual(s.comments, []); // they were on the other channel's video
  assert.ok(s.capture.notes.some((n) => n.startsWith('ignored 60 comments')));
});

test('a "more videos" answer that arrived on another channel\'s page stays out', () => {
  const page = loadPage('youtube/page-channel.json');
  const own = page.responses[0];
  const before = buildSnapshot(page);
  // the same kind of ownerless continuation, fetched while the user was still on another channel
  let text = JSON.stringify(own.json);
  for (const p of before.posts) text = text.replaceAll(p.id, `${p.id.slice(1)}X`); // other videos, same shape
  const stray = { ...own, pageUrl: 'https://www.youtube.com/@othercook/videos', json: JSON.parse(text) };
  const s = buildSnapshot({ ...page, responses: [stray, own] });
  assert.deepEqual(
    s.posts.map((p) => p.id),
    before.posts.map((p) => p.id),
  );
  assert.ok(s.capture.notes.some((n) => n.startsWith("ignored 1 answers that arrived on another channel's page")));
  // the same answer on this channel's page (the other tab, /@tinyvanmeals) is this channel's
  const home = buildSnapshot({
    ...page,
    responses: [{ ...stray, pageUrl: 'https://www.youtube.com/@TinyVanMeals' }, own],
  });
  assert.ok(home.posts.length > before.posts.length);
});

test('older header (c4TabbedHeaderRenderer) and a hidden subscriber count', () => {
  const c4 = {
    header: {
      c4TabbedHeaderRenderer: {
        channelId: 'UCq7TinyVanMeals0000x9Kz',
        title: 'Tiny Van Meals',
        navigationEndpoint: { browseEndpoint: { canonicalBaseUrl: '/@tinyvanmeals' } },
        subscriberCountText: { simpleText: '1,2 Mio. Abonnenten' },
        videosCountText: { runs: [{ text: '212' }, { text: ' Videos' }] },
        badges: [{ metadataBadgeRenderer: { style: 'BADGE_STYLE_TYPE_VERIFIED' } }],
      },
    },
  };
  const s = buildSnapshot({
    url: 'https://www.youtube.com/channel/UCq7TinyVanMeals0000x9Kz',
    locale: 'de',
    scripts: [{ id: 'ytInitialData', type: 'application/json', text: JSON.stringify(c4) }],
  });
  assert.equal(s.handle, 'tinyvanmeals');
  assert.equal(s.followers, 1200000);
  assert.equal(s.posts_count, 212);
  assert.equal(s.verified, true);

  const hidden = {
    header: {
      pageHeaderRenderer: {
        content: {
          pageHeaderViewModel: {
            title: { dynamicTextViewModel: { text: { content: 'Tiny Van Meals' } } },
            metadata: {
              contentMetadataViewModel: {
                metadataRows: [
                  { metadataParts: [{ text: { content: '@tinyvanmeals' } }] },
                  { metadataParts: [{ text: { content: '212 videos' } }] },
                ],
              },
            },
          },
        },
      },
    },
  };
  const h = buildSnapshot({
    url: 'https://www.youtube.com/@tinyvanmeals',
    locale: 'en',
    scripts: [{ id: 'ytInitialData', type: 'application/json', text: JSON.stringify(hidden) }],
  });
  assert.equal(h.followers, null); // never "212 videos" read as subscribers
  assert.equal(h.posts_count, 212);
  assert.equal(h.capture.degraded, true);
});

test('Shorts tab: shortsLockupViewModel items', () => {
  const shorts = {
    contents: {
      richGridRenderer: {
        contents: [
          {
            richItemRenderer: {
              content: {
                shortsLockupViewModel: {
                  entityId: 'shorts-shelf-item-Wq8pN2xYb4C',
                  onTap: { innertubeCommand: { reelWatchEndpoint: { videoId: 'Wq8pN2xYb4C' } } },
                  overlayMetadata: {
                    primaryText: { content: 'Van pantry in 30 seconds' },
                    secondaryText: { content: '1.2M views' },
                  },
                },
              },
            },
          },
        ],
      },
    },
  };
  const s = buildSnapshot({
    url: 'https://www.youtube.com/@tinyvanmeals/shorts',
    locale: 'en',
    responses: [{ url: 'https://www.youtube.com/youtubei/v1/browse', status: 200, json: shorts }],
  });
  assert.deepEqual(
    s.posts.map((p) => [p.id, p.url, p.caption, p.views]),
    [['Wq8pN2xYb4C', 'https://www.youtube.com/shorts/Wq8pN2xYb4C', 'Van pantry in 30 seconds', 1200000]],
  );
});
