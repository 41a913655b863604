import test from 'node:test';
import assert from 'node:assert/strict';

import { buildSnapshot, matchUrl } from '../src/platforms/instagram.js';
import { MAREN } from './fixtures/creators.js';
import { loadJson, loadPage } from './fixtures/load.js';

const URLS = [
  ['https://www.instagram.com/maren.bakes/', { kind: 'profile', handle: 'maren.bakes', postId: null }],
  ['https://www.instagram.com/maren.bakes', { kind: 'profile', handle: 'maren.bakes', postId: null }],
  ['https://www.instagram.com/maren.bakes/reels/', { kind: 'profile', handle: 'maren.bakes', postId: null }],
  ['https://www.instagram.com/maren.bakes/?hl=pt-br', { kind: 'profile', handle: 'maren.bakes', postId: null }],
  ['https://instagram.com/Maren.Bakes/', { kind: 'profile', handle: 'Maren.Bakes', postId: null }],
  ['https://www.instagram.com/p/C7kQm2Lr4aB/', { kind: 'post', handle: null, postId: 'C7kQm2Lr4aB' }],
  ['https://www.instagram.com/reel/C7Y2jHsWm6d/?igsh=abc', { kind: 'post', handle: null, postId: 'C7Y2jHsWm6d' }],
  [
    'https://www.instagram.com/maren.bakes/p/C7kQm2Lr4aB/',
    { kind: 'post', handle: 'maren.bakes', postId: 'C7kQm2Lr4aB' },
  ],
  ['https://www.instagram.com/accounts/login/', { kind: null, handle: null, postId: null }],
  // scroll pages: chips, not the overlay
  [
    'https://www.instagram.com/explore/tags/sourdough/',
    { kind: 'hashtag', handle: null, postId: null, term: 'sourdough' },
  ],
  ['https://www.instagram.com/explore/tags/caf%C3%A9/', { kind: 'hashtag', handle: null, postId: null, term: 'café' }],
  ['https://www.instagram.com/explore/', { kind: 'explore', handle: null, postId: null, term: null }],
  [
    'https://www.instagram.com/explore/search/keyword/?q=vegan%20baking',
    { kind: 'search', handle: null, postId: null, term: 'vegan baking' },
  ],
  ['https://www.instagram.com/explore/search/keyword/', { kind: null, handle: null, postId: null }],
  ['https://www.instagram.com/', { kind: 'feed', handle: null, postId: null, term: null }],
  ['https://www.instagram.com/reels/', { kind: 'reels', handle: null, postId: null, term: null }],
  ['https://www.instagram.com/reels/C7Y2jHsWm6d/', { kind: 'reels', handle: null, postId: 'C7Y2jHsWm6d', term: null }],
  ['https://www.instagram.com/explore/locations/123/paris/', { kind: null, handle: null, postId: null }],
  ['https://www.instagram.com/stories/maren.bakes/123/', { kind: null, handle: null, postId: null }],
  ['https://www.tiktok.com/@maren.bakes', { kind: null, handle: null, postId: null }],
  ['not a url', { kind: null, handle: null, postId: null }],
  [undefined, { kind: null, handle: null, postId: null }],
];

for (const [url, expected] of URLS) {
  test(`matchUrl(${url})`, () => assert.deepEqual(matchUrl(url), expected));
}

/** The kind of each comment, looked up by author and text in the invented creator. */
function kindsOf(comments) {
  const byKey = new Map(
    Object.values(MAREN.comments)
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

test('profile page: embedded profile and timeline, comments fetched on four posts', () => {
  const s = buildSnapshot(loadPage('instagram/page-profile.json'));
  assert.equal(s.platform, 'instagram');
  assert.equal(s.handle, 'maren.bakes');
  assert.equal(s.display_name, 'Maren Holt');
  assert.equal(s.url, 'https://www.instagram.com/maren.bakes/');
  assert.equal(s.bio, MAREN.bio);
  assert.equal(s.external_url, 'https://marenbakes.com/starter-guide');
  assert.equal(s.category, 'Digital creator');
  assert.equal(s.verified, false);
  // exact integers from JSON, not the rounded "23K" of the meta tag
  assert.equal(s.followers, 23418);
  assert.equal(s.following, 612);
  assert.equal(s.posts_count, 287);
  assert.equal(s.captured_at, '2024-06-05T12:00:00.000Z');
  assert.equal(s.locale, 'en');

  assert.equal(s.posts.length, 12);
  assert.deepEqual(
    s.posts.map((p) => p.id),
    MAREN.media.map((m) => m[0]),
  ); // newest first
  const first = s.posts[0];
  assert.equal(first.url, 'https://www.instagram.com/p/C7kQm2Lr4aB/');
  assert.equal(first.likes, 1184);
  assert.equal(first.comments_count, 41);
  assert.equal(first.posted_at, '2024-06-01T10:00:00.000Z');
  assert.equal(first.caption_visible_chars, 125);
  const reel = s.posts.find((p) => p.id === 'C7Y2jHsWm6d');
  assert.equal(reel.views, 31877);
  assert.equal(reel.url, 'https://www.instagram.com/reel/C7Y2jHsWm6d/');
  assert.equal(s.posts.find((p) => p.id === 'C7kQm2Lr4aB').views, null);
  // the platform's label: the #ad post and the label-only post; not the gifted one nor "#sp #collab"
  assert.deepEqual(
    s.posts.filter((p) => p.paid_partnership).map((p) => p.id),
    ['C7eT3kVbR8s', 'C7VxR4tGk9f'],
  );
  // the label's brands (sponsor_tags), by username
  assert.deepEqual(
    s.posts.filter((p) => p.sponsors.length).map((p) => [p.id, p.sponsors]),
    [
      ['C7eT3kVbR8s', ['nordmill.flour']],
      ['C7VxR4tGk9f', ['crumbtools']],
    ],
  );
  const short = s.posts.find((p) => p.id === 'C7PkB1wFs5j');
  assert.equal(short.caption_visible_chars, 125);
  assert.ok(s.posts.every((p) => p.caption.length > 0));

  // 60 comments on four posts, one of them blank
  assert.equal(s.comments.length, 59);
  assert.deepEqual(kindsOf(s.comments), { genuine: 20, reply: 6, generic: 23, spam: 10 });
  assert.equal(new Set(s.comments.map((c) => c.id)).size, 59);
  const replies = s.comments.filter((c) => c.by_creator);
  assert.equal(replies.length, 6);
  assert.ok(replies.every((c) => c.author === 'maren.bakes'));
  const perPost = {};
  for (const c of s.comments) perPost[c.post_id] = (perPost[c.post_id] || 0) + 1;
  assert.deepEqual(perPost, { C7kQm2Lr4aB: 14, C7hWx9pNq2E: 15, C7eT3kVbR8s: 15, C7MfN6qHt8k: 15 });
  const question = s.comments.find((c) => c.text.startsWith('What flour do you use'));
  assert.equal(question.author, 'hanna.kneads');
  assert.equal(question.likes, 14);
  assert.equal(question.replies, 2);
  assert.match(question.posted_at, /^2024-06-01T/);

  assert.deepEqual(s.capture.missing, []);
  assert.equal(s.capture.degraded, false);
  assert.equal(s.capture.sources.followers, 'embedded');
  assert.equal(s.capture.sources.posts, 'embedded');
  assert.equal(s.capture.sources.comments, 'api');
  assert.ok(s.capture.notes.includes('dropped 1 empty comments'));
});

test("after single-page navigation the previous creator's embedded data does not leak in", () => {
  const s = buildSnapshot(loadPage('instagram/page-profile-spa.json'));
  assert.equal(s.handle, 'maren.bakes');
  assert.equal(s.followers, 23418);
  assert.equal(s.bio, MAREN.bio);
  assert.equal(s.posts.length, 12);
  assert.ok(!s.posts.some((p) => p.id === 'C0therPost1'));
  assert.equal(s.comments.length, 59);
  assert.equal(s.capture.sources.followers, 'api');
  assert.ok(s.capture.notes.includes('ignored 1 posts of other accounts'));
});

test('a collab post owned by a co-author still counts for the creator', () => {
  const page = loadPage('instagram/page-profile.json');
  const collab = {
    code: 'C7CoLLab001',
    taken_at: 1717300000,
    caption: { text: 'baking with a friend' },
    like_count: 10,
    user: { username: 'friend.bakes' },
    coauthor_producers: [{ username: 'maren.bakes' }],
  };
  const stranger = { ...collab, code: 'C7Stranger1', coauthor_producers: [] };
  page.responses.push({
    url: 'https://www.instagram.com/graphql/query',
    status: 200,
    pageUrl: page.url,
    json: {
      data: { xdt_api__v1__feed__user_timeline_graphql_connection: { edges: [{ node: collab }, { node: stranger }] } },
    },
  });
  const s = buildSnapshot(page);
  assert.equal(s.posts[0].id, 'C7CoLLab001');
  assert.ok(!s.posts.some((p) => p.id === 'C7Stranger1'));
});

test('post page: the post, its comments and its owner, but no follower count: degraded', () => {
  const s = buildSnapshot(loadPage('instagram/page-post.json'));
  assert.equal(s.handle, 'maren.bakes'); // from the post's owner: the URL names no one
  assert.equal(s.display_name, 'Maren Holt');
  assert.equal(s.followers, null);
  assert.deepEqual(
    s.posts.map((p) => p.id),
    ['C7kQm2Lr4aB'],
  );
  assert.equal(s.comments.length, 14);
  assert.ok(s.comments.every((c) => c.post_id === 'C7kQm2Lr4aB'));
  assert.equal(s.comments.filter((c) => c.by_creator).length, 2);
  assert.equal(s.capture.degraded, true);
  assert.deepEqual(s.capture.missing, ['bio', 'followers', 'following', 'posts_count']);
});

test('logged-out Portuguese page: counts from og:description, posts from the DOM', () => {
  const s = buildSnapshot(loadPage('instagram/page-profile-meta-pt.json'));
  assert.equal(s.handle, 'maren.bakes');
  assert.equal(s.display_name, 'Maren Holt');
  assert.equal(s.followers, 23400); // "23,4 mil seguidores"
  assert.equal(s.following, 612);
  assert.equal(s.posts_count, 287);
  assert.equal(s.capture.sources.followers, 'meta');
  assert.equal(s.posts.length, 12);
  assert.equal(s.capture.sources.posts, 'dom');
  assert.ok(s.posts.every((p) => p.caption.startsWith('Photo by Maren Holt')));
  assert.equal(s.capture.degraded, false);
  assert.deepEqual(s.capture.missing, ['bio', 'comments']);
});

test('the DOM header gives exact counts when nothing else does', () => {
  const s = buildSnapshot({
    url: 'https://www.instagram.com/maren.bakes/',
    locale: 'de-DE',
    dom: {
      headerStats: [
        { text: '287 Beiträge' },
        { text: '23.418 Follower', title: '23.418', href: '/maren.bakes/followers/' },
        { text: '612 gefolgt', href: '/maren.bakes/following/' },
      ],
    },
  });
  assert.equal(s.handle, 'maren.bakes'); // from the URL
  assert.equal(s.followers, 23418);
  assert.equal(s.following, 612);
  assert.equal(s.posts_count, 287);
  assert.equal(s.capture.sources.followers, 'dom');
  assert.equal(s.capture.degraded, true); // no posts at all
  assert.ok(s.capture.missing.includes('posts'));
});

test('the logged-out header lists posts, followers, following as plain text', () => {
  const s = buildSnapshot({
    url: 'https://www.instagram.com/maren.bakes/',
    locale: 'en',
    dom: { headerStats: [{ text: '287 posts' }, { text: '23.4K followers' }, { text: '612 following' }] },
  });
  assert.deepEqual([s.posts_count, s.followers, s.following], [287, 23400, 612]);
});

test('real sample: web_profile_info 2022 (megadeth, meedan/pender, MIT)', () => {
  const json = loadJson('real/instagram-web-profile-info-megadeth-2022.json');
  const url = 'https://www.instagram.com/megadeth/';
  const s = buildSnapshot({
    url,
    locale: 'en',
    scripts: [],
    responses: [
      {
        url: 'https://www.instagram.com/api/v1/users/web_profile_info/?username=megadeth',
        status: 200,
        json,
        pageUrl: url,
      },
    ],
  });
  assert.equal(s.handle, 'megadeth');
  assert.equal(s.display_name, 'Megadeth');
  assert.equal(s.followers, 2520817);
  assert.equal(s.following, 122);
  assert.equal(s.posts_count, 2328);
  assert.equal(s.verified, true);
  assert.equal(s.category, 'Musician/band');
  assert.equal(s.external_url, 'http://megadeth.lnk.to/sickdyingdead/');
  // 12 timeline posts and 12 IGTV posts, one of them in both
  assert.equal(s.posts.length, 23);
  const pinned = s.posts.find((p) => p.id === 'ChKPk6klGbO');
  assert.equal(pinned.likes, 20269);
  assert.equal(pinned.comments_count, 151);
  assert.equal(pinned.views, 66061);
  assert.equal(pinned.posted_at, new Date(1660309283 * 1000).toISOString());
  assert.ok(s.posts.every((p, i) => i === 0 || p.posted_at <= s.posts[i - 1].posted_at));
  assert.equal(s.capture.degraded, false);
});

test('real sample: v1 media info item 2022 on its post page (meedan/pender, MIT)', () => {
  const json = loadJson('real/instagram-media-info-v1-item-2022.json');
  const url = 'https://www.instagram.com/p/Chm_-tPJqpd/';
  const s = buildSnapshot({
    url,
    locale: 'en',
    responses: [
      { url: 'https://www.instagram.com/api/v1/media/2911295595251935837/info/', status: 200, json, pageUrl: url },
    ],
  });
  assert.equal(s.handle, 'retrobayarea');
  assert.equal(s.display_name, 'Retro Bay Area');
  assert.equal(s.posts.length, 1);
  assert.equal(s.posts[0].id, 'Chm_-tPJqpd');
  assert.equal(s.posts[0].likes, 113);
  assert.equal(s.posts[0].comments_count, 0);
  assert.match(s.posts[0].caption, /^Sunnyvale, mid-1950/);
  assert.equal(s.posts[0].paid_partnership, false);
  assert.equal(s.capture.degraded, true); // a post page has no follower count
});

test('nothing at all: a degraded snapshot that says what is missing, never a throw', () => {
  for (const pageData of [
    {},
    { url: 'https://www.instagram.com/x/' },
    { url: 5, scripts: 'nope', responses: [null, 3] },
  ]) {
    const s = buildSnapshot(pageData);
    assert.equal(s.capture.degraded, true);
    assert.ok(s.capture.missing.includes('followers'));
    assert.deepEqual(s.posts, []);
  }
});

test('tagged accounts come from usertags and from the older edge_media_to_tagged_user', () => {
  const tags = [
    { usertags: { in: [{ user: { username: 'bergkraft' } }, { user: { username: 'anna.runs' } }] } },
    {
      edge_media_to_tagged_user: {
        edges: [{ node: { user: { username: 'bergkraft' } } }, { node: { user: { username: 'anna.runs' } } }],
      },
    },
  ];
  for (const extra of tags) {
    const page = loadPage('instagram/page-profile.json');
    const found = [];
    const walk = (node) => {
      if (!node || typeof node !== 'object') return;
      if (node.code === 'C7kQm2Lr4aB') found.push(node);
      Object.values(node).forEach(walk);
    };
    page.responses.forEach((r) => walk(r.json));
    for (const script of page.scripts) {
      const before = found.length;
      let json;
      try {
        json = JSON.parse(script.text);
      } catch {
        continue;
      }
      walk(json);
      for (const media of found.slice(before)) Object.assign(media, extra);
      script.text = JSON.stringify(json);
    }
    assert.ok(found.length, 'the fixture carries the post');
    for (const media of found) Object.assign(media, extra);
    const s = buildSnapshot(page);
    assert.deepEqual(s.posts.find((p) => p.id === 'C7kQm2Lr4aB').tagged, ['bergkraft', 'anna.runs']);
  }
});
