// page-data.js reads a live document. Its pure parts run here in node; the DOM reading runs in real
// Debian Chromium (headless, one launch): a local server serves the real MIT page samples and a few
// invented pages, with a CSP that stops their own scripts, and a harness page reads each of them
// through page-data.js inside an iframe. The page data then goes through the adapters.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';

import { assignedJson } from '../src/content/page-data.js';
import { adapterFor } from '../src/platforms/index.js';
import { FIXTURES, readFixture } from './fixtures/load.js';

const SRC = join(FIXTURES, '..', '..', 'src');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const ASSIGNED = [
  ['var ytInitialData = {"a": 1};', '{"a": 1}'],
  ['window["ytInitialData"] = {"a": {"b": [1, 2]}};window["ytcsi"] = {};', '{"a": {"b": [1, 2]}}'],
  ['window[\'ytInitialData\'] = {"x": 2};', '{"x": 2}'],
  ['var ytInitialData = {"s": "a } brace and a \\" quote {"}; var x = 1;', '{"s": "a } brace and a \\" quote {"}'],
  ['(function(){var ytInitialPlayerResponse = {"v": "id"};})()', null], // asked for ytInitialData
  ["var ytInitialData = '\\x7b\\x22a\\x22:1\\x7d';", '{"a":1}'], // m.youtube.com
  ['var ytInitialData = {"a": 1', null], // cut off
  ['var ytInitialData = null;', null],
  ['var notytInitialData = {"a": 1};', null],
  ['', null],
  [undefined, null],
];

for (const [text, expected] of ASSIGNED) {
  test(`assignedJson(${JSON.stringify(text)})`, () => assert.equal(assignedJson(text, 'ytInitialData'), expected));
}

test('assignedJson finds ytInitialPlayerResponse by its own name', () => {
  assert.equal(
    assignedJson('(function(){var ytInitialPlayerResponse = {"v": "id"};})()', 'ytInitialPlayerResponse'),
    '{"v": "id"}',
  );
});

// ---- invented pages, in the structure the platforms use (no hashed classes needed or read) ----

const youtubeChannel = () => `<!doctype html><html lang="en-GB"><head><title>Tiny Van Meals - YouTube</title>
<meta property="og:title" content="Tiny Van Meals"><meta property="og:title" content="second, ignored">
<link rel="canonical" href="https://www.youtube.com/channel/UCq7TinyVanMeals0000x9Kz"></head><body>
<script nonce="n0nce">var ytInitialData = ${readFixture('youtube/initial-data-channel-videos.json').trim()};</script>
<script nonce="n0nce">window["ytInitialPlayerResponse"] = ${readFixture('youtube/player-response-watch.json').trim()};</script>
<script>var unrelated = {"a": 1};</script><script src="/not-served.js"></script>
<ytd-comment-view-model><a id="author-text" href="/@trailcook.ines"> @trailcook.ines </a>
<span id="content-text">The tip about lidding the pan <b>is genius</b></span><span id="vote-count-middle"> 1.2K </span></ytd-comment-view-model>
</body></html>`;

const instagramProfile =
  () => `<!doctype html><html lang="de"><head><title>Maren Holt (@maren.bakes) • Instagram-Fotos und -Videos</title>
<meta property="og:description" content="23.418 Follower, 612 gefolgt, 287 Beiträge – Sieh dir die Instagram-Fotos und -Videos von Maren Holt (@maren.bakes) an">
</head><body><main><header><section><h2>maren.bakes</h2><ul>
<li><span><span class="x1lliihq">287</span> Beiträge</span></li>
<li><a href="/maren.bakes/followers/"><span title="23.418"><span>23.418</span></span> Follower</a></li>
<li><a href="/maren.bakes/following/"><span>612</span> gefolgt</a></li></ul></section></header>
<article>${['C7kQm2Lr4aB', 'C7hWx9pNq2E', 'C7Y2jHsWm6d']
    .map((c, i) => `<a href="/maren.bakes/${i === 2 ? 'reel' : 'p'}/${c}/"><img alt="Post ${i}" src="/x.jpg"></a>`)
    .join('')}</article>
<a href="/maren.bakes/p/C7kQm2Lr4aB/">again</a></main></body></html>`;

const tiktokComments = () => `<!doctype html><html lang="en"><head><title>video | TikTok</title></head><body>
<div class="css-13wx63w-DivCommentObjectWrapper"><div><a href="/@monstera.mia"><img alt="" src="/a.jpg"></a>
<div><a href="/@monstera.mia"><span data-e2e="comment-username-1">mia</span></a>
<p data-e2e="comment-level-1"><style>.css-1{color:red}</style><span>how old was yours before the first split leaf?</span></p>
<div><span data-e2e="comment-like-count">41</span></div></div></div>
<div><a href="/@plantdadleo"><span data-e2e="comment-username-2">Leo</span></a>
<p data-e2e="comment-level-2"><span>about 18 months!</span></p><span data-e2e="comment-like-count">22</span></div></div>
</body></html>`;

const PAGES = {
  'tiktok-real': {
    html: () => readFixture('real/tiktok-profile-page-sigi-state-2023.html'),
    url: 'https://www.tiktok.com/@huxleythepandapuppy',
  },
  'instagram-real': {
    html: () => readFixture('real/instagram-profile-page-megadeth-2022.html'),
    url: 'https://www.instagram.com/megadeth/',
  },
  'youtube-channel': { html: youtubeChannel, url: 'https://www.youtube.com/@tinyvanmeals/videos' },
  'instagram-profile': { html: instagramProfile, url: 'https://www.instagram.com/maren.bakes/' },
  'tiktok-comments': { html: tiktokComments, url: 'https://www.tiktok.com/@plantdadleo/video/7375012345678901001' },
};

const HARNESS = `<!doctype html><html><body>${Object.keys(PAGES)
  .map((n) => `<iframe name="${n}" src="/pages/${n}"></iframe>`)
  .join('')}
<script type="module" src="/harness.js"></script></body></html>`;

const HARNESS_JS = `import { readPageData } from "/src/content/page-data.js";
const frames = [...document.querySelectorAll("iframe")];
const loaded = (f) => f.contentDocument && f.contentDocument.readyState === "complete" && f.contentDocument.URL !== "about:blank";
await Promise.all(frames.map((f) => loaded(f) ? null : new Promise((r) => f.addEventListener("load", r, { once: true }))));
const out = {};
for (const f of frames) {
  try {
    out[f.name] = readPageData(f.contentDocument, [], new Date("2024-06-05T12:00:00Z"));
  } catch (error) {
    out[f.name] = { error: String(error && error.stack || error) };
  }
}
const pre = document.createElement("pre");
pre.id = "microscout-result";
pre.textContent = encodeURIComponent(JSON.stringify(out));
document.body.append(pre);
`;

const TYPES = { '.js': 'text/javascript', '.html': 'text/html; charset=utf-8' };
// The pages' own scripts and remote resources must not run or load: only our own modules may.
const CSP = "default-src 'self'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self'";

function serve(req, res) {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const send = (status, type, body) => {
    res.writeHead(status, { 'content-type': type, 'content-security-policy': CSP, 'cache-control': 'no-store' });
    res.end(body);
  };
  if (path === '/harness.html') return send(200, TYPES['.html'], HARNESS);
  if (path === '/harness.js') return send(200, TYPES['.js'], HARNESS_JS);
  if (path.startsWith('/pages/') && PAGES[path.slice(7)]) return send(200, TYPES['.html'], PAGES[path.slice(7)].html());
  if (path.startsWith('/src/')) {
    const file = normalize(join(SRC, path.slice(5)));
    if (file.startsWith(SRC) && existsSync(file))
      return send(200, TYPES[extname(file)] || 'text/plain', readFileSync(file));
  }
  return send(404, 'text/plain', 'not here');
}

/** Run Chromium headless on the harness and return what page-data.js read from each page. */
async function readInChromium() {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (make system-deps installs it)`);
  const server = createServer(serve);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const profile = mkdtempSync(join(tmpdir(), 'microscout-page-data-'));
  try {
    const url = `http://127.0.0.1:${server.address().port}/harness.html`;
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-extensions',
      `--user-data-dir=${profile}`,
      '--virtual-time-budget=20000',
      '--dump-dom',
      url,
    ];
    const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    await new Promise((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    const m = /<pre id="microscout-result">([^<]*)<\/pre>/.exec(stdout);
    assert.ok(m, `no result from Chromium; stderr tail:\n${stderr.slice(-2000)}`);
    return JSON.parse(decodeURIComponent(m[1]));
  } finally {
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

test('page-data.js in real Chromium: real samples and invented pages, through the adapters', async (t) => {
  const read = await readInChromium();
  for (const [name, data] of Object.entries(read)) assert.ok(!data.error, `${name}: ${data.error}`);
  const asPage = (name) => ({ ...read[name], url: PAGES[name].url });

  await t.test('real TikTok page (SIGI_STATE, ld+json, data-e2e)', () => {
    const d = read['tiktok-real'];
    assert.match(d.url, /^http:\/\/127\.0\.0\.1:\d+\/pages\/tiktok-real$/); // location.href of the document
    assert.equal(d.locale, 'en');
    assert.equal(d.capturedAt, '2024-06-05T12:00:00.000Z');
    assert.deepEqual(
      d.scripts.map((s) => [s.id, s.type]),
      [
        ['ItemList', 'application/ld+json'],
        ['BreadcrumbList', 'application/ld+json'],
        ['Person', 'application/ld+json'],
        ['SIGI_STATE', 'application/json'],
      ],
    );
    assert.equal(d.meta['og:url'], 'https://www.tiktok.com/@huxleythepandapuppy');
    assert.equal(d.dom.e2e['followers-count'], '6.2M');
    assert.equal(d.dom.e2e['following-count'], '563');
    assert.equal(d.dom.e2e['user-title'], 'huxleythepandapuppy');
    assert.equal(d.dom.e2e['user-link'], 'beacons.ai/huxleythepandapuppy');
    assert.equal(d.dom.tiles.length, 16);
    assert.deepEqual(d.dom.tiles[0], {
      href: 'https://www.tiktok.com/@huxleythepandapuppy/video/7133763724367662378',
      alt: d.dom.tiles[0].alt,
      views: '52.1K',
    });
    const s = adapterFor(PAGES['tiktok-real'].url).buildSnapshot(asPage('tiktok-real'));
    assert.equal(s.handle, 'huxleythepandapuppy');
    assert.equal(s.followers, 6200000);
    assert.equal(s.posts_count, 767);
    assert.equal(s.posts.length, 18);
    assert.equal(s.capture.sources.followers, 'embedded');
    assert.equal(s.capture.degraded, false);
  });

  await t.test('real Instagram page shell (2022): nothing to keep but the title', () => {
    const d = read['instagram-real'];
    assert.equal(d.locale, 'en');
    assert.deepEqual(d.scripts, []); // 21 data-sjs blobs, none about the profile
    assert.equal(d.dom.title, 'Megadeth (@megadeth) • Instagram photos and videos');
    const s = adapterFor(PAGES['instagram-real'].url).buildSnapshot(asPage('instagram-real'));
    assert.equal(s.handle, 'megadeth');
    assert.equal(s.display_name, 'Megadeth');
    assert.equal(s.capture.degraded, true); // the numbers come later, from the API
    assert.ok(s.capture.missing.includes('followers'));
  });

  await t.test('YouTube: ytInitialData and ytInitialPlayerResponse out of inline scripts; comments', () => {
    const d = read['youtube-channel'];
    assert.equal(d.locale, 'en-GB');
    assert.deepEqual(
      d.scripts.map((s) => s.id),
      ['ytInitialData', 'ytInitialPlayerResponse'],
    );
    assert.deepEqual(
      JSON.parse(d.scripts[0].text),
      JSON.parse(readFixture('youtube/initial-data-channel-videos.json')),
    );
    assert.equal(d.meta['og:title'], 'Tiny Van Meals');
    assert.equal(d.dom.canonical, 'https://www.youtube.com/channel/UCq7TinyVanMeals0000x9Kz');
    assert.deepEqual(d.dom.comments, [
      { author: '@trailcook.ines', text: 'The tip about lidding the pan is genius', likes: '1.2K' },
    ]);
    const s = adapterFor(PAGES['youtube-channel'].url).buildSnapshot(asPage('youtube-channel'));
    assert.equal(s.handle, 'tinyvanmeals');
    assert.equal(s.followers, 58200);
    assert.equal(s.posts.length, 12);
    assert.equal(s.capture.degraded, false);
  });

  await t.test('Instagram header and post tiles by structure and hrefs', () => {
    const d = read['instagram-profile'];
    assert.equal(d.locale, 'de');
    assert.deepEqual(d.dom.headerStats, [
      { text: '287 Beiträge', title: null, href: null },
      { text: '23.418 Follower', title: '23.418', href: '/maren.bakes/followers/' },
      { text: '612 gefolgt', title: null, href: '/maren.bakes/following/' },
    ]);
    assert.deepEqual(
      d.dom.tiles.map((t) => [t.href, t.alt]),
      [
        ['/maren.bakes/p/C7kQm2Lr4aB/', 'Post 0'],
        ['/maren.bakes/p/C7hWx9pNq2E/', 'Post 1'],
        ['/maren.bakes/reel/C7Y2jHsWm6d/', 'Post 2'],
      ],
    );
    const s = adapterFor(PAGES['instagram-profile'].url).buildSnapshot(asPage('instagram-profile'));
    assert.equal(s.handle, 'maren.bakes');
    assert.equal(s.display_name, 'Maren Holt');
    assert.equal(s.followers, 23418); // "23.418 Follower" read the German way
    assert.deepEqual([s.following, s.posts_count], [612, 287]);
    assert.equal(s.capture.sources.followers, 'meta');
    assert.deepEqual(
      s.posts.map((p) => p.id),
      ['C7kQm2Lr4aB', 'C7hWx9pNq2E', 'C7Y2jHsWm6d'],
    );
  });

  await t.test("TikTok comments by data-e2e, without the page's inline styles", () => {
    const d = read['tiktok-comments'];
    assert.deepEqual(d.dom.comments, [
      { author: 'monstera.mia', text: 'how old was yours before the first split leaf?', likes: '41' },
      { author: 'plantdadleo', text: 'about 18 months!', likes: '22' },
    ]);
    const s = adapterFor(PAGES['tiktok-comments'].url).buildSnapshot(asPage('tiktok-comments'));
    assert.deepEqual(
      s.comments.map((c) => [c.author, c.likes, c.by_creator, c.post_id]),
      [
        ['monstera.mia', 41, false, '7375012345678901001'],
        ['plantdadleo', 22, true, '7375012345678901001'],
      ],
    );
    assert.equal(s.capture.sources.comments, 'dom');
  });
});
