import test from 'node:test';
import assert from 'node:assert/strict';

import { buildSnapshot, matchUrl } from '../src/platforms/tiktok.js';
import { LEO } from './fixtures/creators.js';
import { loadPage, readFixture } from './fixtures/load.js';

const URLS = [
  ['https://www.tiktok.com/@plantdadleo', { kind: 'profile', handle: 'plantdadleo', postId: null }],
  ['https://www.tiktok.com/@plantdadleo?lang=en', { kind: 'profile', handle: 'plantdadleo', postId: null }],
  ['https://www.tiktok.com/@plant.dad_leo/', { kind: 'profile', handle: 'plant.dad_leo', postId: null }],
  ['https://m.tiktok.com/@plantdadleo', { kind: 'profile', handle: 'plantdadleo', postId: null }],
  [
    'https://www.tiktok.com/@plantdadleo/video/7371412345678901007',
    { kind: 'video', handle: 'plantdadleo', postId: '7371412345678901007' },
  ],
  [
    'https://www.tiktok.com/@plantdadleo/photo/7371412345678901099?is_from_webapp=1',
    { kind: 'video', handle: 'plantdadleo', postId: '7371412345678901099' },
  ],
  ['https://www.tiktok.com/%40plantdadleo', { kind: 'profile', handle: 'plantdadleo', postId: null }],
  ['https://www.tiktok.com/foryou', { kind: 'foryou', handle: null, postId: null, term: null }],
  ['https://www.tiktok.com/', { kind: 'foryou', handle: null, postId: null, term: null }],
  [
    'https://www.tiktok.com/search?q=trail%20running',
    { kind: 'search', handle: null, postId: null, term: 'trail running' },
  ],
  [
    'https://www.tiktok.com/search/video?q=mealprep&t=1717',
    { kind: 'search', handle: null, postId: null, term: 'mealprep' },
  ],
  ['https://www.tiktok.com/search?q=', { kind: null, handle: null, postId: null }],
  ['https://www.tiktok.com/tag/mealprep', { kind: 'tag', handle: null, postId: null, term: 'mealprep' }],
  [
    'https://www.tiktok.com/music/original-sound-Casey-7301234567890123456',
    { kind: 'music', handle: null, postId: null, term: 'original sound Casey' },
  ],
  ['https://www.tiktok.com/%E0%A4%A', { kind: null, handle: null, postId: null }],
  ['https://www.tiktok.com/@', { kind: null, handle: null, postId: null }],
  ['https://www.instagram.com/@plantdadleo', { kind: null, handle: null, postId: null }],
  ['', { kind: null, handle: null, postId: null }],
];

for (const [url, expected] of URLS) {
  test(`matchUrl(${url})`, () => assert.deepEqual(matchUrl(url), expected));
}

function kindsOf(comments) {
  const byKey = new Map(
    Object.values(LEO.comments)
      .flat()
      .map(([kind, author, text]) => [`${author}|${text}`, kind]),
  );
  const kinds = {};
  for (const c of comments) {
    const kind = byKey.get(`${c.author}|${c.text}`) ?? 'unknown';
    kinds[kind] = (kinds[kind] || 0) + 1;
  }
  return kinds;
}

test('profile page: __UNIVERSAL_DATA_FOR_REHYDRATION__, the video list and three comment threads', () => {
  const s = buildSnapshot(loadPage('tiktok/page-profile.json'));
  assert.equal(s.platform, 'tiktok');
  assert.equal(s.handle, 'plantdadleo');
  assert.equal(s.display_name, 'Leo Park 🌿');
  assert.equal(s.url, 'https://www.tiktok.com/@plantdadleo');
  assert.equal(s.bio, LEO.bio);
  assert.equal(s.external_url, 'linktr.ee/plantdadleo');
  assert.equal(s.category, 'Home & Garden');
  assert.equal(s.verified, false);
  assert.equal(s.followers, 41230); // exact, not the "41.2K" the page prints
  assert.equal(s.following, 318);
  assert.equal(s.posts_count, 146);
  assert.equal(s.capture.sources.followers, 'embedded');

  assert.equal(s.posts.length, 12);
  assert.deepEqual(
    s.posts.map((p) => p.id),
    LEO.items.map((i) => i[0]),
  );
  const top = s.posts[0];
  assert.equal(top.url, 'https://www.tiktok.com/@plantdadleo/video/7375012345678901001');
  assert.equal(top.likes, 5120);
  assert.equal(top.comments_count, 96);
  assert.equal(top.views, 61200);
  assert.equal(top.posted_at, '2024-06-03T08:00:00.000Z');
  assert.equal(top.caption_visible_chars, null);
  // the platform's ad label; the "#ad #sponsored" post carries no label, the server reads its caption
  assert.deepEqual(
    s.posts.filter((p) => p.paid_partnership).map((p) => p.id),
    ['7371412345678901007'],
  );
  assert.equal(s.capture.sources.posts, 'api');

  assert.equal(s.comments.length, 59);
  assert.deepEqual(kindsOf(s.comments), { genuine: 21, reply: 5, generic: 23, spam: 10 });
  const replies = s.comments.filter((c) => c.by_creator);
  assert.equal(replies.length, 5);
  assert.ok(replies.every((c) => c.author === 'plantdadleo'));
  const perPost = {};
  for (const c of s.comments) perPost[c.post_id] = (perPost[c.post_id] || 0) + 1;
  assert.deepEqual(perPost, { '7375012345678901001': 19, '7370812345678901008': 20, '7371412345678901007': 20 });
  const asked = s.comments.find((c) => c.text.startsWith('how old was yours'));
  assert.equal(asked.likes, 41);
  assert.equal(asked.replies, 1);
  assert.equal(asked.posted_at, new Date((1717401600 + 900) * 1000).toISOString());
  assert.deepEqual(s.capture.missing, []);
  assert.equal(s.capture.degraded, false);
});

test("video page: the creator is the video's author, with its stats", () => {
  const s = buildSnapshot(loadPage('tiktok/page-video.json'));
  assert.equal(s.handle, 'plantdadleo');
  assert.equal(s.followers, 41230);
  assert.deepEqual(
    s.posts.map((p) => p.id),
    ['7371412345678901007'],
  );
  assert.equal(s.posts[0].paid_partnership, true);
  assert.equal(s.comments.length, 20);
  assert.ok(s.comments.every((c) => c.post_id === '7371412345678901007'));
  assert.equal(s.comments.filter((c) => c.by_creator).length, 0);
  assert.equal(s.capture.degraded, false);
});

test('no JSON at all: data-e2e counts and video tiles', () => {
  const s = buildSnapshot(loadPage('tiktok/page-profile-dom.json'));
  assert.equal(s.handle, 'plantdadleo');
  assert.equal(s.display_name, 'Leo Park 🌿');
  assert.equal(s.followers, 41200); // "41.2K"
  assert.equal(s.following, 318);
  assert.equal(s.capture.sources.followers, 'dom');
  assert.equal(s.posts.length, 12);
  assert.equal(s.posts[0].views, 61200); // "61.2K"
  assert.match(s.posts[0].caption, /^POV: your monstera/);
  assert.equal(s.capture.sources.posts, 'dom');
  assert.ok(s.capture.missing.includes('posts_count'));
  assert.equal(s.capture.degraded, false);
});

test("after single-page navigation: another creator's embedded data and videos stay out", () => {
  const s = buildSnapshot(loadPage('tiktok/page-profile-spa.json'));
  assert.equal(s.handle, 'plantdadleo');
  assert.equal(s.followers, 41230);
  assert.equal(s.capture.sources.followers, 'api');
  assert.equal(s.posts.length, 12);
  assert.ok(!s.posts.some((p) => p.id === '7300000000000000001'));
  assert.ok(s.capture.notes.includes('ignored 1 videos of other accounts'));
});

test("comments on someone else's video are not this creator's", () => {
  const page = loadPage('tiktok/page-profile.json');
  const foreign = { cid: '1', aweme_id: '7300000000000000001', text: 'elsewhere', user: { unique_id: 'x' } };
  page.responses.push({
    url: 'https://www.tiktok.com/api/comment/list/?aweme_id=7300000000000000001',
    status: 200,
    pageUrl: 'https://www.tiktok.com/@othercreator/video/7300000000000000001',
    json: { comments: [foreign] },
  });
  const s = buildSnapshot(page);
  assert.equal(s.comments.length, 59);
  assert.ok(s.capture.notes.includes("ignored 1 comments on videos that are not this creator's"));
});

test('the meta description gives followers when JSON and DOM are missing', () => {
  const s = buildSnapshot({
    url: 'https://www.tiktok.com/@plantdadleo',
    locale: 'en',
    meta: { description: 'Leo Park 🌿 (@plantdadleo) on TikTok | 1.2M Likes. 41.2K Followers. houseplant care' },
  });
  assert.equal(s.followers, 41200);
  assert.equal(s.display_name, 'Leo Park 🌿');
  assert.equal(s.capture.sources.followers, 'meta');
});

test('real sample: legacy SIGI_STATE profile page 2023 (meedan/pender, MIT)', () => {
  const html = readFixture('real/tiktok-profile-page-sigi-state-2023.html');
  const sigi = /<script id="SIGI_STATE"[^>]*>([\s\S]*?)<\/script>/.exec(html)[1];
  const ld = [...html.matchAll(/<script type="application\/ld\+json"[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  const s = buildSnapshot({
    url: 'https://www.tiktok.com/@huxleythepandapuppy',
    locale: 'en',
    scripts: [
      { id: 'SIGI_STATE', type: 'application/json', text: sigi },
      ...ld.map((text) => ({ type: 'application/ld+json', text })),
    ],
  });
  assert.equal(s.handle, 'huxleythepandapuppy');
  assert.equal(s.display_name, 'Huxley the Panda Puppy🐼🐶(pandaloon');
  assert.equal(s.followers, 6200000);
  assert.equal(s.following, 563);
  assert.equal(s.posts_count, 767);
  assert.equal(s.verified, true);
  assert.equal(s.external_url, 'https://beacons.ai/huxleythepandapuppy');
  assert.match(s.bio, /^DMs on IG, CEO of Pandaloon/);
  assert.equal(s.posts.length, 18);
  const first = s.posts.find((p) => p.id === '7133763724367662378');
  assert.deepEqual([first.likes, first.comments_count, first.views], [6724, 58, 52100]);
  assert.equal(first.posted_at, new Date(1660958801 * 1000).toISOString());
  assert.equal(s.capture.sources.followers, 'embedded');
  assert.equal(s.capture.degraded, false);
});
