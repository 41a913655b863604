// callServer against a real HTTP server on 127.0.0.1 (a built-in origin, so no chrome.* is needed):
// every way a request can end maps to one state, and nothing throws.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';

import { callServer } from '../../src/background/server-api.js';
import { STATE } from '../../src/shared/messages.js';

const TOKEN = 'tok-123';
const seen = [];

function envelope(res, status, code, message, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: { code, message, details: null } }));
}

const server = http.createServer((req, res) => {
  seen.push({ method: req.method, url: req.url, auth: req.headers.authorization ?? null });
  if (req.headers.authorization && req.headers.authorization !== `Bearer ${TOKEN}`) {
    return envelope(res, 401, 'unauthorized', 'Unknown token.');
  }
  switch (req.url) {
    case '/ok': {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ echo: body ? JSON.parse(body) : null }));
      });
      return undefined;
    }
    case '/slow':
      return setTimeout(() => res.end('{}'), 1000);
    case '/limited':
      return envelope(res, 429, 'rate_limited', 'Slow down.', { 'Retry-After': '7' });
    case '/loading':
      return envelope(res, 503, 'unavailable', 'Models are loading.', { 'Retry-After': '2' });
    case '/invalid':
      return envelope(res, 422, 'invalid_field', 'handle: a handle is 1-100 characters');
    case '/boom':
      return envelope(res, 500, 'internal', 'oops');
    case '/html':
      res.writeHead(200, { 'Content-Type': 'text/html' });
      return res.end('<html>hi</html>');
    default:
      return envelope(res, 404, 'not_found', 'No such route.');
  }
});

async function closedPort() {
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let base;
test.before(async () => {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});
test.after(
  () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
);

const settings = () => ({ serverUrl: base, apiToken: TOKEN });

test('a 2xx JSON answer comes back as data, with the token and the JSON body sent', async () => {
  const answer = await callServer(settings(), { method: 'POST', path: '/ok', body: { handle: 'a' } });
  assert.deepEqual(answer, { ok: true, status: 200, data: { echo: { handle: 'a' } } });
  assert.equal(seen.at(-1).auth, `Bearer ${TOKEN}`);
});

test('auth: false leaves the token out', async () => {
  await callServer(settings(), { path: '/ok', auth: false });
  assert.equal(seen.at(-1).auth, null);
});

const failures = [
  ['a bad token is unauthorized', { ...{ apiToken: 'wrong' } }, '/ok', STATE.UNAUTHORIZED, { status: 401 }],
  ['429 is rate limited with Retry-After', {}, '/limited', STATE.RATE_LIMITED, { status: 429, retryAfter: 7 }],
  ['503 is loading with Retry-After', {}, '/loading', STATE.LOADING, { status: 503, retryAfter: 2 }],
  [
    '422 is rejected with the server message',
    {},
    '/invalid',
    STATE.REJECTED,
    { status: 422, code: 'invalid_field', message: 'handle: a handle is 1-100 characters' },
  ],
  ['404 is rejected', {}, '/missing', STATE.REJECTED, { status: 404 }],
  ['500 is a server error', {}, '/boom', STATE.SERVER_ERROR, { status: 500 }],
  ['a 200 that is not JSON is a server error', {}, '/html', STATE.SERVER_ERROR, {}],
];
for (const [name, override, path, state, extra] of failures) {
  test(name, async () => {
    const answer = await callServer({ ...settings(), ...override }, { path });
    assert.equal(answer.ok, false);
    assert.equal(answer.state, state);
    for (const [key, value] of Object.entries(extra)) assert.equal(answer[key], value, key);
    assert.equal(typeof answer.message, 'string');
  });
}

test('a server that does not answer in time is a time-out', async () => {
  const started = Date.now();
  const answer = await callServer(settings(), { path: '/slow', timeoutMs: 200 });
  assert.equal(answer.state, STATE.TIMEOUT);
  assert.ok(Date.now() - started < 900);
});

test('a closed port is offline', async () => {
  const answer = await callServer(
    { serverUrl: `http://127.0.0.1:${await closedPort()}`, apiToken: TOKEN },
    { path: '/ok' },
  );
  assert.equal(answer.state, STATE.OFFLINE);
});

const unconfigured = [
  ['no token', { serverUrl: 'http://127.0.0.1:1', apiToken: '' }],
  ['no server', { serverUrl: '', apiToken: TOKEN }],
  ['a server URL that is not http', { serverUrl: 'ftp://127.0.0.1', apiToken: TOKEN }],
  [
    'a remote server over plain http (stored before https was required)',
    { serverUrl: 'http://192.0.2.7:8765', apiToken: TOKEN },
  ],
];
for (const [name, values] of unconfigured) {
  test(`${name} is not configured, and nothing is requested`, async () => {
    const before = seen.length;
    const answer = await callServer(values, { path: '/ok' });
    assert.equal(answer.state, STATE.NOT_CONFIGURED);
    assert.equal(typeof answer.message, 'string');
    assert.equal(seen.length, before);
  });
}
