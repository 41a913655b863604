// The capture gaps found on real recorded pages (issue 14, item 3), one class of page a test.
import test from 'node:test';
import assert from 'node:assert/strict';

import { isWantedResponse } from '../src/platforms/index.js';
import { buildSnapshot as instagram } from '../src/platforms/instagram.js';
import { calendarDate } from '../src/platforms/snapshot.js';
import { buildSnapshot as tiktok } from '../src/platforms/tiktok.js';
import { buildSnapshot as youtube } from '../src/platforms/youtube.js';
import { loadJson, loadPage, readFixture } from './fixtures/load.js';

test('YouTube, video reached by in-site navigation: originalViewCount "0" does not beat "53,118 views"', () => {
  const page = loadPage('youtube/page-watch-navigated.json');
  assert.equal(
    page.responses[0].json.contents.twoColumnWatchNextResults.results.results.contents[0].videoPrimaryInfoRenderer
      .viewCount.videoViewCountRenderer.originalViewCount,
    '0',
  );
  const s = youtube(page);
  assert.equal(s.handle, 'tinyvanmeals');
  assert.equal(s.posts.length, 1);
  assert.equal(s.posts[0].id, 'nAvVideo0aB');
  assert.equal(s.posts[0].views, 53118);
  assert.equal(s.posts[0].posted_at, '2024-05-02T00:00:00.000Z');
});

test('YouTube in German after navigation: "18.567.581 Aufrufe", "27.04.2021", likes in the older toggleButtonRenderer', () => {
  const s = youtube(loadPage('youtube/page-watch-navigated-de.json'));
  const video = s.posts[0];
  assert.equal(video.views, 18567581);
  assert.equal(video.posted_at, '2021-04-27T00:00:00.000Z');
  assert.equal(video.likes, 53118); // "53.118 „Mag ich“-Bewertungen"
  assert.equal(s.followers, 58200); // "58.200 Abonnenten"
  assert.equal(
    s.capture.notes.some((n) => n.includes('relative time')),
    false,
  );
});

test('YouTube in German without a calendar date: relativeDateText "vor 4 Jahren", with a note', () => {
  const page = loadPage('youtube/page-watch-navigated-de.json');
  const info =
    page.responses[0].json.contents.twoColumnWatchNextResults.results.results.contents[0].videoPrimaryInfoRenderer;
  delete info.dateText;
  const s = youtube(page);
  assert.equal(s.posts[0].posted_at, '2020-06-05T12:00:00.000Z'); // 4 x 365.25 days before the capture
  assert.ok(s.capture.notes.includes("the video's date was estimated from a relative time"));
});

const DATES = [
  ['27.04.2021', 'de-DE', '2021-04-27'],
  ['27/04/2021', 'fr-FR', '2021-04-27'],
  ['04/27/2021', 'en-US', '2021-04-27'],
  ['04/05/2021', 'en-US', '2021-04-05'],
  ['04/05/2021', 'en-GB', '2021-05-04'],
  ['2021/04/27', 'ja-JP', '2021-04-27'],
  ['2021年4月27日', 'ja', '2021-04-27'],
  ['2021. 4. 27.', 'ko', '2021-04-27'],
  ['27 avr. 2021', 'fr', '2021-04-27'],
  ['27. Apr. 2021', 'de', '2021-04-27'],
  ['27 de abr. de 2021', 'es', '2021-04-27'],
  ['Premiere am 27.04.2021', 'de', '2021-04-27'],
  ['Streamed live on May 22, 2024', 'en', '2024-05-22'],
  ['31.04.2021', 'de', null],
  ['vor 4 Jahren', 'de', null],
  ['', 'de', null],
];
for (const [text, locale, day] of DATES) {
  test(`calendarDate(${JSON.stringify(text)}, ${locale})`, () => {
    assert.equal(calendarDate(text, locale), day && `${day}T00:00:00.000Z`);
  });
}

test('YouTube: the /youtubei/v1/player answer is copied and gives exact views, publish date and the paid-promotion label', () => {
  assert.ok(isWantedResponse('https://www.youtube.com/youtubei/v1/player?prettyPrint=false'));
  const page = loadPage('youtube/page-watch-player-api.json');
  for (const responses of [page.responses, [...page.responses].reverse()]) {
    // whichever arrived last
    const video = youtube({ ...page, responses }).posts[0];
    assert.equal(video.views, 53127); // exact, not the text beside it
    assert.equal(video.posted_at, '2024-05-02T16:30:00.000Z');
    assert.equal(video.paid_partnership, true);
    assert.match(video.caption, /Thanks to Hearthside Stoves for sponsoring/);
  }
});

test('YouTube: collapsed threads the creator answered count as creator replies (creator_replied)', () => {
  const s = youtube(loadPage('youtube/page-watch-collapsed.json'));
  assert.equal(s.comments.length, 5);
  const answered = s.comments
    .filter((c) => c.creator_replied)
    .map((c) => c.author)
    .sort();
  assert.deepEqual(answered, ['campcook.sam', 'vanbuild.vic', 'vanlife.jo']); // current and older thread layouts
  assert.ok(s.comments.every((c) => c.by_creator === false)); // the replies themselves were not loaded
  assert.equal(s.comments.find((c) => c.author === 'roadtrip.ria').creator_replied, undefined);
  assert.ok(s.capture.notes.includes('3 comment threads show a creator reply that was not loaded (collapsed)'));
});

test("Instagram reel: the first copy is the profile grid's (user with only pk); the owner comes from a copy that names it", () => {
  const page = loadPage('instagram/page-reel-grid-copy.json');
  const s = instagram(page);
  assert.equal(s.handle, 'retrobayarea');
  assert.equal(s.url, 'https://www.instagram.com/retrobayarea/');
  assert.deepEqual(
    s.posts.map((p) => p.id),
    ['Chm_-tPJqpd'],
  );
  assert.match(s.posts[0].caption, /\S/); // the named copy filled in the caption
});

test('Instagram reel: no copy names the owner, the user with the same pk does', () => {
  const page = loadPage('instagram/page-reel-grid-copy.json');
  const grid = page.responses[1];
  const real = loadJson('real/instagram-media-info-v1-item-2022.json').items[0];
  const profile = {
    data: { user: { id: String(real.user.pk), username: real.user.username, full_name: real.user.full_name } },
  };
  const s = instagram({ ...page, responses: [{ ...grid, json: profile }, grid] });
  assert.equal(s.handle, 'retrobayarea');
});

test('Instagram reel: nothing on the page names the owner but the twitter:title meta tag', () => {
  const page = loadPage('instagram/page-reel-grid-copy.json');
  const meta = {
    'og:title': 'Retro Bay Area on Instagram: "Pinball night"',
    'twitter:title': 'Retro Bay Area (@retrobayarea) • Instagram reel',
  };
  const s = instagram({ ...page, meta, responses: [page.responses[1]] });
  assert.equal(s.handle, 'retrobayarea');
  assert.equal(s.capture.sources.handle, 'meta');
  assert.equal(instagram({ ...page, responses: [page.responses[1]] }).handle, null, 'and without it, no guess');
});

test('legacy TikTok SIGI_STATE video page: followers from ItemModule[id].authorStats when author is a string (real page)', () => {
  const html = readFixture('real/tiktok-profile-page-sigi-state-2023.html');
  const state = JSON.parse(/<script id="SIGI_STATE"[^>]*>([\s\S]*?)<\/script>/.exec(html)[1]);
  const [id, item] = Object.entries(state.ItemModule)[0];
  delete state.UserModule; // a legacy video page: the item, no user module
  const s = tiktok({
    url: `https://www.tiktok.com/@${item.author}/video/${id}`,
    locale: 'en',
    scripts: [{ id: 'SIGI_STATE', type: 'application/json', text: JSON.stringify(state) }],
  });
  assert.equal(typeof item.author, 'string');
  assert.equal(s.handle, item.author);
  assert.equal(s.followers, item.authorStats.followerCount);
  assert.equal(s.following, item.authorStats.followingCount);
  assert.equal(s.posts_count, item.authorStats.videoCount);
  assert.equal(s.display_name, item.nickname);
  assert.equal(s.capture.degraded, false);
});
