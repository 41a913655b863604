// The glance: the worker's `glance` message and server-api's glance() over a fake fetch and fake
// chrome.storage (the end-to-end test with the real server comes with POST /v1/glance).
import test from 'node:test';
import assert from 'node:assert/strict';

import { contentHandlers } from '../../src/background/handlers.js';
import { GLANCE, cacheKey } from '../../src/background/score-cache.js';
import { glance } from '../../src/background/server-api.js';
import { GLANCE_LIMITS } from '../../src/platforms/feed.js';
import { MSG, STATE } from '../../src/shared/messages.js';
import { fakeFetch, installChrome } from './fakes.js';

const SERVER = 'http://127.0.0.1:8765';
const TOKEN = 'tok-glance';
const settings = { serverUrl: SERVER, apiToken: TOKEN };
const sender = { id: 'x', tab: { id: 3 } };

const creator = (handle, extra = {}) => ({
  platform: 'instagram',
  handle,
  texts: [`${handle} bakes sourdough`],
  seen_on: { kind: 'hashtag', term: 'sourdough' },
  ...extra,
});
const answerFor = (c) => ({
  platform: c.platform,
  handle: c.handle,
  tier: 'micro',
  niche_fit: [{ niche: 'baking', name: 'Baking', score: 81.4 }],
  languages: { en: 1 },
});
const server = (request) => ({ body: { creators: request.body.creators.map(answerFor) } });

function withServer(answer = server) {
  installChrome(settings);
  return fakeFetch(answer);
}

const ask = (creators) => contentHandlers[MSG.GLANCE]({ type: MSG.GLANCE, creators }, sender);

test('server-api glance() posts the exact body to /v1/glance with the token and answers per creator', async () => {
  const fetch = withServer();
  try {
    const body = { creators: [creator('crumbandcrust'), creator('levain.lena', { followers: 1200 })] };
    const answer = await glance(settings, body);
    assert.deepEqual(answer, { ok: true, status: 200, creators: body.creators.map(answerFor) });
    const [request] = fetch.requests;
    assert.equal(request.url, `${SERVER}/v1/glance`);
    assert.equal(request.method, 'POST');
    assert.equal(request.headers.Authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(request.body, body);
  } finally {
    fetch.restore();
  }
});

const MISMATCHES = [
  ['fewer answers', (body) => ({ creators: body.creators.slice(1).map(answerFor) })],
  [
    'another creator',
    (body) => ({ creators: body.creators.map((c) => ({ ...answerFor(c), handle: 'someone.else' })) }),
  ],
  ['no list', () => ({ glances: [] })],
  ['an answer that is not an object', (body) => ({ creators: body.creators.map(() => 'fit') })],
];
for (const [name, reply] of MISMATCHES) {
  test(`server-api glance(): an answer with ${name} is a server error`, async () => {
    const fetch = withServer((request) => ({ body: reply(request.body) }));
    try {
      const answer = await glance(settings, { creators: [creator('a'), creator('b')] });
      assert.equal(answer.ok, false);
      assert.equal(answer.state, STATE.SERVER_ERROR);
    } finally {
      fetch.restore();
    }
  });
}

test('server-api glance(): an old server without the route is a calm rejection, not an exception', async () => {
  const fetch = withServer(() => ({
    status: 404,
    body: { error: { code: 'not_found', message: 'No such route.', details: null } },
  }));
  try {
    const answer = await glance(settings, { creators: [creator('a')] });
    assert.deepEqual([answer.ok, answer.state, answer.status], [false, STATE.REJECTED, 404]);
  } finally {
    fetch.restore();
  }
});

test('glance message: only uncached creators go to the server, in one request; old chips cost nothing', async () => {
  const fetch = withServer();
  try {
    const first = await ask([creator('crumbandcrust'), creator('levain.lena')]);
    assert.equal(first.ok, true);
    assert.equal(first.cached, 0);
    assert.deepEqual(
      first.creators.map((c) => c.handle),
      ['crumbandcrust', 'levain.lena'],
    );
    assert.equal(fetch.requests.length, 1);

    // scrolling on: one new creator beside the two already seen
    const second = await ask([creator('crumbandcrust'), creator('bakerbyday'), creator('levain.lena')]);
    assert.deepEqual(
      second.creators.map((c) => c.handle),
      ['crumbandcrust', 'bakerbyday', 'levain.lena'],
    );
    assert.equal(second.cached, 2);
    assert.equal(fetch.requests.length, 2);
    assert.deepEqual(
      fetch.requests[1].body.creators.map((c) => c.handle),
      ['bakerbyday'],
    );

    // all cached: no request at all
    const third = await ask([creator('bakerbyday'), creator('levain.lena')]);
    assert.equal(third.cached, 2);
    assert.equal(fetch.requests.length, 2);

    // a creator seen with a new post (another text) is asked again; so is one seen somewhere else
    await ask([
      creator('levain.lena', { texts: ['levain.lena bakes sourdough', 'a new post'] }),
      creator('bakerbyday', { seen_on: { kind: 'search', term: 'rye bread' } }),
    ]);
    assert.equal(fetch.requests.length, 3);
    assert.equal(fetch.requests[2].body.creators.length, 2);
  } finally {
    fetch.restore();
  }
});

test('glance message: the server away leaves cached answers in place and says why, calmly', async () => {
  const fetch = withServer();
  try {
    await ask([creator('crumbandcrust')]);
  } finally {
    fetch.restore();
  }
  const down = fakeFetch(() => {
    throw new TypeError('Failed to fetch');
  });
  try {
    const answer = await ask([creator('crumbandcrust'), creator('new.face')]);
    assert.equal(answer.ok, false);
    assert.equal(answer.state, STATE.OFFLINE);
    assert.equal(answer.creators[0].handle, 'crumbandcrust');
    assert.equal(answer.creators[1], null);
  } finally {
    down.restore();
  }
});

test('glance message: answers are cached per creator in chrome.storage.session, never in the worker', async () => {
  const fetch = withServer();
  try {
    await ask([creator('Crumb.And.Crust')]);
    const stored = await globalThis.chrome.storage.session.get(cacheKey('instagram', 'crumb.and.crust', GLANCE));
    assert.equal(Object.values(stored)[0].value.handle, 'Crumb.And.Crust');
  } finally {
    fetch.restore();
  }
});

test('glance message: the request is rebuilt from known fields, texts trimmed, cut and capped', async () => {
  const fetch = withServer();
  try {
    const texts = ['  first  ', '', 42, ...Array.from({ length: 20 }, (_, i) => `t${i} ${'x'.repeat(1000)}`)];
    const answer = await ask([
      {
        ...creator('crumbandcrust'),
        texts,
        followers: 23418,
        extra: 'dropped',
        seen_on: { kind: 'hashtag', term: '  sourdough  ', where: 'x' },
      },
    ]);
    assert.equal(answer.ok, true);
    const [sent] = fetch.requests[0].body.creators;
    assert.deepEqual(Object.keys(sent).sort(), ['followers', 'handle', 'platform', 'seen_on', 'texts']);
    assert.equal(sent.texts.length, GLANCE_LIMITS.texts);
    assert.equal(sent.texts[0], 'first');
    assert.ok(sent.texts.every((t) => t.length <= GLANCE_LIMITS.text));
    assert.deepEqual(sent.seen_on, { kind: 'hashtag', term: 'sourdough' });
    assert.equal(sent.followers, 23418);
  } finally {
    fetch.restore();
  }
});

const BAD = [
  ['no creators', []],
  ['too many creators', Array.from({ length: GLANCE_LIMITS.creators + 1 }, (_, i) => creator(`c${i}`))],
  ['an unknown platform', [creator('a', { platform: 'myspace' })]],
  ['a handle with "@"', [creator('@a')]],
  ['a handle with a slash', [creator('a/../../v1/watchlist')]],
  ['no text', [creator('a', { texts: ['   '] })]],
  ['not an object', ['crumbandcrust']],
];
for (const [name, creators] of BAD) {
  test(`glance message: ${name} is rejected before any request`, async () => {
    const fetch = withServer();
    try {
      const answer = await ask(creators);
      assert.deepEqual([answer.ok, answer.state], [false, STATE.REJECTED]);
      assert.equal(fetch.requests.length, 0);
    } finally {
      fetch.restore();
    }
  });
}

test('glance message: an unknown seen_on kind and a bad follower count are left out, not sent', async () => {
  const fetch = withServer();
  try {
    await ask([creator('a', { followers: -3, seen_on: { kind: 'stories' } }), creator('b', { followers: 1.5 })]);
    assert.deepEqual(
      fetch.requests[0].body.creators.map((c) => Object.keys(c).sort()),
      [
        ['handle', 'platform', 'texts'],
        ['handle', 'platform', 'seen_on', 'texts'],
      ],
    );
  } finally {
    fetch.restore();
  }
});
