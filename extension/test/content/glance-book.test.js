// The chip logic without a page: who needs a glance, what one request holds, what a chip says.
import test from 'node:test';
import assert from 'node:assert/strict';

import { CreatorBook, bestNiche, chipView, glanceOf, retryDelay } from '../../src/content/glance-book.js';
import { GLANCE_LIMITS, readFeed } from '../../src/platforms/index.js';
import { STATE } from '../../src/shared/messages.js';
import { loadPage } from '../fixtures/load.js';

const hashtag = () => readFeed(loadPage('instagram/page-hashtag.json'));
const answer = (handle, extra = {}) => ({
  platform: 'instagram',
  handle,
  tier: 'micro',
  niche_fit: [
    { niche: 'running', name: 'Running', score: 12.2 },
    { niche: 'baking', name: 'Home baking', score: 81.6 },
  ],
  ...extra,
});

test('one creator per handle, texts of all their posts (up to ten), post ids point at the creator', () => {
  const book = new CreatorBook();
  const changed = book.add(hashtag());
  assert.equal(book.creators.size, 8);
  assert.equal(changed.length, 8);
  const crumb = book.byHandle('instagram', 'CrumbAndCrust');
  assert.equal(crumb.texts.length, 3);
  for (const item of hashtag().filter((i) => i.handle === 'crumbandcrust'))
    assert.equal(book.byPost(item.post_id), crumb);
  assert.deepEqual(book.add(hashtag()), [], 'the same posts again change nothing');

  const many = Array.from({ length: 15 }, (_, i) => ({
    platform: 'tiktok',
    handle: 'busy',
    texts: [`post ${i}`],
    post_id: `${i}`,
    seen_on: { kind: 'feed' },
  }));
  book.add(many);
  assert.equal(book.byHandle('tiktok', 'busy').texts.length, GLANCE_LIMITS.texts);
});

test('a glance asks each creator once for what was seen; new posts of a creator ask again, others stay answered', () => {
  const book = new CreatorBook();
  book.add(hashtag().slice(0, 4));
  const first = [...book.creators.values()].filter((c) => book.needsGlance(c));
  assert.equal(first.length, 3);
  const request = book.ask(first);
  assert.deepEqual(request[0], glanceOf(first[0]));
  assert.deepEqual(Object.keys(request[0]).sort(), ['handle', 'platform', 'seen_on', 'texts']);
  assert.ok(
    first.every((c) => !book.needsGlance(c)),
    'not twice while the request is on its way',
  );
  book.settle(first, { ok: true, creators: first.map((c) => answer(c.handle)) });
  assert.ok(first.every((c) => !book.needsGlance(c)));

  // scrolling on: a new creator, and a new post of one already answered
  const changed = book.add(hashtag().slice(4, 8));
  const again = [...book.creators.values()]
    .filter((c) => book.needsGlance(c))
    .map((c) => c.handle)
    .sort();
  assert.deepEqual(again, ['glowup.deals', 'levain.lena', 'trailmix.tara', 'weeknight.wes']);
  assert.ok(changed.some((c) => c.handle === 'levain.lena'));
  assert.equal(
    book.byHandle('instagram', 'crumbandcrust').answer.handle,
    'crumbandcrust',
    'the old answer stays shown',
  );
  assert.equal(book.needsGlance(book.byHandle('instagram', 'rye.and.shine')), false);
});

test('a failed glance waits before asking again, longer when only the user can fix it; a new answer clears it', () => {
  const book = new CreatorBook();
  book.add(hashtag().slice(0, 1));
  const [creator] = book.creators.values();
  book.ask([creator]);
  book.settle([creator], { ok: false, state: STATE.OFFLINE, message: 'cannot be reached' }, 1000);
  assert.equal(book.needsGlance(creator, 1000), false);
  assert.equal(book.nextRetry(1000), 1000 + retryDelay({ state: STATE.OFFLINE }));
  assert.equal(book.needsGlance(creator, 1000 + retryDelay({ state: STATE.OFFLINE })), true);
  assert.equal(chipView(creator).state, STATE.OFFLINE);

  book.ask([creator]);
  book.settle([creator], { ok: true, creators: [answer(creator.handle)] }, 2000);
  assert.equal(book.nextRetry(0), null);
  assert.equal(chipView(creator).state, STATE.OK);

  assert.equal(retryDelay({ state: STATE.LOADING, retryAfter: 7 }), 7000);
  assert.equal(retryDelay({ state: STATE.RATE_LIMITED }), 3000);
  assert.ok(retryDelay({ state: STATE.UNAUTHORIZED }) > retryDelay({ state: STATE.OFFLINE }));
});

test('a chip: pending, then the best fit, the tier and the watchlist overall', () => {
  const creator = { handle: 'crumbandcrust', texts: ['a', 'b'], answer: null, answerPosts: 0, problem: null };
  assert.deepEqual(chipView(creator), {
    state: 'pending',
    fit: null,
    label: '…',
    title: 'microscout: looking at @crumbandcrust…',
    tier: null,
    overall: null,
    posts: 0,
  });
  creator.answerPosts = 2;

  creator.answer = answer('crumbandcrust');
  const plain = chipView(creator);
  assert.deepEqual(
    [plain.state, plain.fit, plain.tier, plain.overall, plain.label],
    [STATE.OK, 82, 'micro', null, '82 · micro'],
  );
  assert.match(plain.title, /best fit 82 \(Home baking\) from 2 posts seen; micro creator$/);

  creator.answer = answer('crumbandcrust', { tier: undefined, watchlist: { status: 'shortlisted', overall: 74.4 } });
  const saved = chipView(creator);
  assert.deepEqual([saved.fit, saved.tier, saved.overall, saved.label], [82, null, 74, '82 · ★74']);
  assert.match(saved.title, /on your watchlist \(shortlisted\), overall 74$/);

  creator.answer = { platform: 'instagram', handle: 'crumbandcrust', niche_fit: [] };
  assert.deepEqual([chipView(creator).fit, chipView(creator).label], [null, '–']);
  assert.equal(bestNiche({ niche_fit: [{ score: null }, { niche: 'x', score: 140 }] }).score, 140);
  assert.equal(chipView({ ...creator, answer: { niche_fit: [{ niche: 'x', score: 140 }] } }).fit, 100);
});

test('when asking about newer posts fails, the chip keeps the last answer and says what it is from', () => {
  const book = new CreatorBook();
  book.add([{ platform: 'instagram', handle: 'levain.lena', texts: ['one', 'two'], seen_on: { kind: 'feed' } }]);
  const creator = book.byHandle('instagram', 'levain.lena');
  book.ask([creator]);
  book.settle([creator], { ok: true, creators: [answer('levain.lena')] }, 1000);
  assert.equal(chipView(creator).posts, 2);

  book.add([{ platform: 'instagram', handle: 'levain.lena', texts: ['three'], seen_on: { kind: 'feed' } }]);
  assert.equal(book.needsGlance(creator, 1000), true);
  assert.equal(book.ask([creator])[0].texts.length, 3);
  book.settle([creator], { ok: false, state: STATE.TIMEOUT, message: 'took too long' }, 2000);
  const kept = chipView(creator);
  assert.deepEqual([kept.state, kept.fit, kept.posts], [STATE.OK, 82, 2], 'the answer for two posts stays drawn');
  assert.match(kept.title, /from 2 posts seen; micro creator; newer posts not scored yet: /);

  book.ask([creator]);
  book.settle([creator], { ok: true, creators: [answer('levain.lena', { tier: 'nano' })] }, 30_000);
  const fresh = chipView(creator);
  assert.deepEqual([fresh.posts, fresh.tier], [3, 'nano']);
  assert.doesNotMatch(fresh.title, /newer posts/);
});

const PROBLEMS = [
  [STATE.OFFLINE, 'Server offline'],
  [STATE.UNAUTHORIZED, 'Token not accepted'],
  [STATE.NOT_CONFIGURED, 'Not set up yet'],
  [STATE.REJECTED, 'The server refused this request'],
];
for (const [state, words] of PROBLEMS) {
  test(`a chip with the server ${state}: a calm dash, no number, the reason in its title`, () => {
    const view = chipView({
      handle: 'x',
      texts: ['a'],
      answer: null,
      problem: { ok: false, state, message: 'No such route.' },
    });
    assert.deepEqual([view.state, view.fit, view.label], [state, null, '–']);
    assert.ok(view.title.includes(words), view.title);
  });
}
