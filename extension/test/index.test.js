import test from 'node:test';
import assert from 'node:assert/strict';

import { ADAPTERS, RESPONSE_PATTERNS, adapterFor, isWantedResponse } from '../src/platforms/index.js';

const PAGES = [
  ['https://www.instagram.com/explore/tags/sourdough/', 'instagram'],
  ['https://www.tiktok.com/foryou', 'tiktok'],
  ['https://www.youtube.com/results?search_query=x', 'youtube'],
  ['https://www.instagram.com/maren.bakes/', 'instagram'],
  ['https://instagram.com/p/C7kQm2Lr4aB/', 'instagram'],
  ['https://www.tiktok.com/@plantdadleo', 'tiktok'],
  ['https://m.tiktok.com/@plantdadleo/video/1', 'tiktok'],
  ['https://www.youtube.com/@tinyvanmeals', 'youtube'],
  ['https://m.youtube.com/watch?v=vT3kQm9La0B', 'youtube'],
  ['https://notinstagram.com/maren.bakes/', null],
  ['https://www.instagram.com.evil.example/maren.bakes/', null],
  ['https://example.com/', null],
  ['chrome://extensions', null],
  ['not a url', null],
  [undefined, null],
];

for (const [url, id] of PAGES) {
  test(`adapterFor(${url}) is ${id}`, () => assert.equal(adapterFor(url)?.id ?? null, id));
}

test('every adapter has the same small shape', () => {
  assert.deepEqual(
    ADAPTERS.map((a) => a.id),
    ['instagram', 'tiktok', 'youtube'],
  );
  for (const a of ADAPTERS) {
    assert.deepEqual(Object.keys(a).sort(), ['buildSnapshot', 'id', 'matchUrl']);
    assert.ok(Object.isFrozen(a));
  }
});

const RESPONSES = [
  ['https://www.instagram.com/graphql/query', true],
  ['https://www.instagram.com/graphql/query/?doc_id=123', true],
  ['https://www.instagram.com/api/graphql', true],
  ['https://www.instagram.com/api/v1/users/web_profile_info/?username=maren.bakes', true],
  ['https://i.instagram.com/api/v1/users/48213377051/info/', true],
  ['https://www.instagram.com/api/v1/feed/user/48213377051/?count=12', true],
  ['https://www.instagram.com/api/v1/media/3391717236000/info/', true],
  ['https://www.instagram.com/api/v1/media/3391717236000_48213377051/comments/?can_support_threading=true', true],
  ['https://www.instagram.com/api/v1/web/accounts/login/ajax/', false],
  ['https://www.instagram.com/ajax/bz', false],
  ['https://www.tiktok.com/api/post/item_list/?aid=1988&count=35', true],
  ['https://www.tiktok.com/api/comment/list/?aweme_id=7371412345678901007', true],
  ['https://www.tiktok.com/api/comment/list/reply/?comment_id=1', true],
  ['https://www.tiktok.com/api/user/detail/?uniqueId=plantdadleo', true],
  ['https://www.tiktok.com/api/item/detail/?itemId=1', true],
  ['https://www.instagram.com/api/v1/tags/web_info/?tag_name=sourdough', true],
  ['https://www.instagram.com/api/v1/tags/sourdough/sections/', true],
  ['https://www.instagram.com/api/v1/discover/web/explore_grid/?is_nonpersonalized_explore=false', true],
  ['https://www.instagram.com/api/v1/fbsearch/web/top_serp/?query=sourdough', true],
  ['https://www.instagram.com/api/v1/feed/timeline/', true],
  ['https://www.instagram.com/api/v1/clips/home/', true],
  ['https://www.instagram.com/api/v1/tags/logging/', false],
  ['https://www.tiktok.com/api/recommend/item_list/?aid=1988&count=6', true],
  ['https://www.tiktok.com/api/search/general/full/?keyword=trail%20running', true],
  ['https://www.tiktok.com/api/search/item/full/?keyword=x', true],
  ['https://www.tiktok.com/api/challenge/item_list/?challengeID=1', true],
  ['https://www.tiktok.com/api/music/item_list/?musicID=1', true],
  ['https://www.tiktok.com/api/search/user/full/?keyword=x', false],
  ['https://www.tiktok.com/api/recommend/embed_videos/', false],
  ['https://mcs.tiktokw.us/v1/list', false],
  ['https://www.youtube.com/youtubei/v1/browse?prettyPrint=false', true],
  ['https://www.youtube.com/youtubei/v1/next?prettyPrint=false', true],
  ['https://m.youtube.com/youtubei/v1/next', true],
  ['https://www.youtube.com/youtubei/v1/player?prettyPrint=false', true],
  ['https://www.youtube.com/youtubei/v1/search?prettyPrint=false', true],
  ['https://www.youtube.com/youtubei/v1/reel/reel_item_watch?prettyPrint=false', true],
  ['https://www.youtube.com/youtubei/v1/reel/reel_watch_sequence', false],
  ['https://www.youtube.com/youtubei/v1/log_event', false],
  ['https://www.youtube.com/youtubei/v1/nextpage', false],
  ['https://evil.example/?u=https://www.tiktok.com/api/comment/list/', false],
  ['/graphql/query', false], // the hook passes absolute URLs
  [undefined, false],
];

for (const [url, wanted] of RESPONSES) {
  test(`isWantedResponse(${url}) is ${wanted}`, () => assert.equal(isWantedResponse(url), wanted));
}

test('RESPONSE_PATTERNS are plain strings a classic script can rebuild', () => {
  assert.ok(RESPONSE_PATTERNS.every((p) => typeof p === 'string'));
  const rebuilt = JSON.parse(JSON.stringify(RESPONSE_PATTERNS)).map((p) => new RegExp(p, 'i'));
  assert.ok(rebuilt.some((re) => re.test('https://www.youtube.com/youtubei/v1/browse')));
});
