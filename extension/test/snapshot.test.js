import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { adapterFor } from '../src/platforms/index.js';
import {
  Capture,
  LIMITS,
  clip,
  englishDate,
  findKey,
  jsonDocuments,
  relativeTime,
  sameHandle,
  toIso,
  walk,
} from '../src/platforms/snapshot.js';
import { FIXTURES, loadPage, readFixture } from './fixtures/load.js';

const NOW = '2024-06-05T12:00:00.000Z';
const page = { url: 'https://www.instagram.com/maren.bakes/', locale: 'en', capturedAt: NOW };

test('bounds: the 50 most recent posts, 500 comments, captions and comments cut, blanks dropped', () => {
  const cap = new Capture('instagram', page);
  cap.offer('handle', 'maren.bakes', 'embedded');
  cap.offer('followers', 23418, 'embedded');
  for (let i = 0; i < 60; i++) {
    cap.addPost({ id: `p${i}`, caption: 'x'.repeat(6000), posted_at: 1717000000 + i * 3600 }, 'api');
  }
  for (let i = 0; i < 520; i++) cap.addComment({ id: `c${i}`, text: 'y'.repeat(3000), author: `a${i}` }, 'api');
  cap.addComment({ id: 'blank', text: ' \n\t ', author: 'b' }, 'api');
  cap.addComment({ id: 'none', author: 'b' }, 'api');
  const s = cap.finish();
  assert.equal(s.posts.length, LIMITS.posts);
  assert.equal(s.posts[0].id, 'p59'); // newest first
  assert.equal(s.posts[49].id, 'p10');
  assert.ok(s.posts.every((p) => p.caption.length === 5000 && p.caption_visible_chars === 125));
  assert.equal(s.comments.length, LIMITS.comments);
  assert.ok(s.comments.every((c) => c.text.length === 2200));
  assert.deepEqual(s.capture.notes, [
    'kept the 50 most recent of 60 posts',
    'dropped 2 empty comments',
    'kept 500 of 520 comments',
  ]);
});

test('counts are integers or null, never negative, never text', () => {
  const cap = new Capture('tiktok', page);
  cap.offer('handle', '@plantdadleo', 'api');
  cap.offer('followers', -5, 'api');
  cap.offer('following', '318', 'api');
  cap.offer('posts_count', 12.4, 'api');
  cap.addPost({ id: 1, caption: 'c', likes: '12.3K', comments_count: -1, views: 99.6 }, 'api');
  const s = cap.finish();
  assert.equal(s.handle, 'plantdadleo');
  assert.equal(s.followers, null);
  assert.equal(s.following, 318);
  assert.equal(s.posts_count, 12);
  assert.deepEqual(
    [s.posts[0].id, s.posts[0].likes, s.posts[0].comments_count, s.posts[0].views],
    ['1', null, null, 100],
  );
  assert.equal(s.capture.degraded, true); // followers unknown
});

test('the first source wins a field; a later copy of a post fills only what is missing', () => {
  const cap = new Capture('instagram', page);
  cap.offer('followers', 100, 'api');
  cap.offer('followers', 200, 'embedded');
  cap.offer('bio', '', 'embedded'); // known to be empty: not missing
  cap.addPost({ id: 'a', caption: '', likes: 5, views: null }, 'embedded');
  cap.addPost({ id: 'a', caption: 'now with text', likes: 9, views: 70, paid_partnership: true }, 'api');
  cap.addComment({ id: '1', text: 'hi', author: 'x' }, 'api');
  cap.addComment({ id: '1', text: 'hi again', author: 'x' }, 'embedded');
  cap.addComment({ post_id: 'a', text: 'same', author: 'y' }, 'dom');
  cap.addComment({ post_id: 'a', text: 'same', author: 'y' }, 'dom');
  const s = cap.finish();
  assert.equal(s.followers, 100);
  assert.equal(s.capture.sources.followers, 'api');
  assert.deepEqual(s.posts, [
    {
      id: 'a',
      url: null,
      caption: 'now with text',
      likes: 5,
      comments_count: null,
      views: 70,
      posted_at: null,
      paid_partnership: true,
      caption_visible_chars: 13,
      sponsors: [],
      tagged: [],
    },
  ]);
  assert.deepEqual(
    s.comments.map((c) => c.text),
    ['hi', 'same'],
  );
  assert.ok(!s.capture.missing.includes('bio'));
  assert.deepEqual(s.capture.missing, ['handle', 'display_name', 'following', 'posts_count']);
  assert.ok(s.capture.notes.includes('comments: 1 from api, 1 from dom'));
});

test('degraded: no handle, no followers, or not one caption', () => {
  const base = () => {
    const cap = new Capture('youtube', page);
    cap.offer('handle', 'tinyvanmeals', 'embedded');
    cap.offer('followers', 58200, 'embedded');
    return cap;
  };
  const whole = base();
  whole.addPost({ id: 'v', caption: 'a title' }, 'embedded');
  assert.equal(whole.finish().capture.degraded, false);
  const captionless = base();
  captionless.addPost({ id: 'v', caption: '   ' }, 'dom');
  const s = captionless.finish();
  assert.equal(s.capture.degraded, true);
  assert.ok(s.capture.missing.includes('captions'));
  assert.equal(base().finish().capture.degraded, true); // no posts
});

test("by_creator: the author is the profile's handle, whatever the case or '@'", () => {
  const cap = new Capture('youtube', page);
  cap.offer('handle', 'TinyVanMeals', 'embedded');
  cap.addComment({ id: '1', author: '@tinyvanmeals', text: 'thanks!' }, 'api');
  cap.addComment({ id: '2', author: 'tinyvanmeals_fan', text: 'hi' }, 'api');
  cap.addComment({ id: '3', author: 'someone', text: 'marked by the platform', by_creator: true }, 'api');
  const s = cap.finish();
  assert.deepEqual(
    s.comments.map((c) => [c.author, c.by_creator]),
    [
      ['tinyvanmeals', true],
      ['tinyvanmeals_fan', false],
      ['someone', true],
    ],
  );
});

test("strings are cut to the server's bounds in code points, emoji kept whole", () => {
  assert.equal(clip('🍞'.repeat(10), 4), '🍞🍞🍞🍞');
  assert.equal(clip('e\u0301', 5), '\u00e9'); // NFC, as the server normalises
  const cap = new Capture('instagram', { ...page, locale: 'x'.repeat(60) });
  cap.offer('display_name', 'n'.repeat(400), 'api');
  cap.addPost({ id: 'i'.repeat(300), caption: '🍞'.repeat(5100) }, 'api');
  const s = cap.finish();
  assert.equal(s.display_name.length, LIMITS.name);
  assert.equal(s.locale.length, LIMITS.locale);
  assert.equal(s.posts[0].id.length, LIMITS.id);
  assert.equal(Array.from(s.posts[0].caption).length, 5000);
});

test('captured_at comes from the page data, or now', () => {
  assert.equal(new Capture('tiktok', page).finish().captured_at, NOW);
  const before = Date.now();
  const at = Date.parse(new Capture('tiktok', {}).finish().captured_at);
  assert.ok(at >= before && at <= Date.now());
});

const TIMES = [
  [1717236000, '2024-06-01T10:00:00.000Z'],
  ['1717236000', '2024-06-01T10:00:00.000Z'],
  [1717236000123, '2024-06-01T10:00:00.123Z'],
  ['2024-05-22T07:00:12-07:00', '2024-05-22T14:00:12.000Z'],
  ['2024-05-22', '2024-05-22T00:00:00.000Z'],
  ['May 22, 2024', null], // not ISO: would depend on the machine's time zone
  [0, null],
  ['', null],
  [null, null],
  [true, null],
  ['soon', null],
];
for (const [value, expected] of TIMES) {
  test(`toIso(${JSON.stringify(value)}) = ${expected}`, () => assert.equal(toIso(value), expected));
}

const DATES = [
  ['May 22, 2024', '2024-05-22T00:00:00.000Z'],
  ['Premiered Sep 3, 2023', '2023-09-03T00:00:00.000Z'],
  ['Streamed live on 3 Sept 2023', '2023-09-03T00:00:00.000Z'],
  ['22.05.2024', null],
  ['Foo 22, 2024', null],
];
for (const [text, expected] of DATES) {
  test(`englishDate(${text}) = ${expected}`, () => assert.equal(englishDate(text), expected));
}

const RELATIVE = [
  ['10 days ago', '2024-05-26T12:00:00.000Z'],
  ['1 day ago', '2024-06-04T12:00:00.000Z'],
  ['2 weeks ago', '2024-05-22T12:00:00.000Z'],
  ['Streamed 3 hours ago', '2024-06-05T09:00:00.000Z'],
  ['5 minutes ago', '2024-06-05T11:55:00.000Z'],
  ['1 month ago (edited)', '2024-05-06T01:30:00.000Z'],
  ['vor 4 Jahren (bearbeitet)', '2020-06-05T12:00:00.000Z'],
  ['vor 2 Wochen', '2024-05-22T12:00:00.000Z'],
  ['hace 3 días', '2024-06-02T12:00:00.000Z'],
  ['há 2 semanas', '2024-05-22T12:00:00.000Z'],
  ['il y a 1 an', '2023-06-06T06:00:00.000Z'], // a year is 365.25 days; 2024 had a 29 February
  ['2 年前', '2022-06-06T00:00:00.000Z'],
  ['3日前', '2024-06-02T12:00:00.000Z'],
  ['1.5M views', null],
  ['12 Abonnenten', null],
  ['yesterday', null],
  [undefined, null],
];
for (const [text, expected] of RELATIVE) {
  test(`relativeTime(${text}) = ${expected}`, () => assert.equal(relativeTime(text, NOW), expected));
}

test('walk visits objects in document order and survives deep nesting', () => {
  const seen = [];
  walk({ a: { id: 1 }, b: [{ id: 2 }, { id: 3, c: { id: 4 } }] }, (o) => o.id && seen.push(o.id));
  assert.deepEqual(seen, [1, 2, 3, 4]);
  let deep = { leaf: true };
  for (let i = 0; i < 100000; i++) deep = { next: deep };
  assert.deepEqual(findKey(deep, 'leaf'), [true]);
});

test('JSON documents: API answers newest first, then scripts; failed answers and non-JSON skipped', () => {
  const docs = jsonDocuments({
    url: 'https://www.tiktok.com/@a',
    scripts: [{ id: 'x', text: '{"n": 1}' }, { text: 'not json' }, { text: '' }],
    responses: [
      { url: 'u1', status: 200, json: { n: 2 } },
      { url: 'u2', status: 404, json: { n: 3 } },
      { url: 'u3', status: 200, json: { n: 4 }, pageUrl: 'https://www.tiktok.com/@a/video/1' },
      null,
    ],
  });
  assert.deepEqual(
    docs.map((d) => [d.json.n, d.source, d.pageUrl]),
    [
      [4, 'api', 'https://www.tiktok.com/@a/video/1'],
      [2, 'api', 'https://www.tiktok.com/@a'],
      [1, 'embedded', 'https://www.tiktok.com/@a'],
    ],
  );
});

test('sameHandle', () => {
  assert.ok(sameHandle('@Maren.Bakes', 'maren.bakes'));
  assert.ok(!sameHandle('', ''));
  assert.ok(!sameHandle(undefined, undefined));
  assert.ok(!sameHandle('maren', 'maren.bakes'));
});

test('reading the same page again gives the same snapshot (parsing and scans are remembered)', () => {
  for (const platform of ['instagram', 'tiktok', 'youtube']) {
    for (const file of readdirSync(join(FIXTURES, platform)).filter((f) => f.startsWith('page-'))) {
      const page = loadPage(`${platform}/${file}`);
      const adapter = adapterFor(page.url);
      const once = adapter.buildSnapshot(page);
      const again = adapter.buildSnapshot({ ...page, scripts: page.scripts.map((s) => ({ ...s })) });
      assert.deepEqual(again, once, `${platform}/${file}`);
    }
  }
});

test('the committed fixtures are what generate.js renders from creators.js', async () => {
  const { renderFixtures } = await import('./fixtures/generate.js');
  const rendered = renderFixtures();
  assert.ok(rendered.size > 40);
  for (const [path, text] of rendered)
    assert.equal(readFixture(path), text, `${path}: run node extension/test/fixtures/generate.js`);
});

test('sponsors and tagged accounts: bare names, de-duplicated, bounded; a later copy fills an empty list', () => {
  const cap = new Capture('instagram', page);
  cap.addPost({ id: 'a', caption: 'x', sponsors: [], tagged: ['@anna', 'anna', '', 7] }, 'embedded');
  cap.addPost({ id: 'a', sponsors: ['@fastfeet'], tagged: ['other'] }, 'api');
  cap.addPost({ id: 'b', caption: 'y', tagged: Array.from({ length: 80 }, (_, i) => `t${i}`) }, 'api');
  const [a, b] = cap.finish().posts;
  assert.deepEqual(a.sponsors, ['fastfeet']);
  assert.deepEqual(a.tagged, ['anna']);
  assert.equal(b.tagged.length, 50);
});
