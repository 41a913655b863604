import test from 'node:test';
import assert from 'node:assert/strict';

import { isBuiltInServer, normalizeServerUrl } from '../../src/shared/settings.js';

const ok = [
  ['http://127.0.0.1:8765', 'http://127.0.0.1:8765', 'http://127.0.0.1/*'],
  ['  http://127.0.0.1:8765/  ', 'http://127.0.0.1:8765', 'http://127.0.0.1/*'],
  ['http://localhost:9000//', 'http://localhost:9000', 'http://localhost/*'],
  ['https://scout.example.com/microscout/', 'https://scout.example.com/microscout', 'https://scout.example.com/*'],
  ['HTTP://LOCALHOST:8765', 'http://localhost:8765', 'http://localhost/*'],
];
for (const [raw, url, pattern] of ok) {
  test(`normalizeServerUrl accepts ${JSON.stringify(raw)}`, () => {
    assert.deepEqual(normalizeServerUrl(raw), { ok: true, url, originPattern: pattern });
  });
}

const bad = [
  '',
  '   ',
  'localhost:8765',
  'ftp://127.0.0.1',
  'http://user:pw@127.0.0.1:8765',
  'http://127.0.0.1:8765/?x=1',
  'http://127.0.0.1:8765/#top',
  'javascript:alert(1)',
  null,
  undefined,
  // plain http leaves this machine: the token would cross the network in the clear
  'http://scout.example.com',
  'http://192.168.1.5:8765',
  'http://localhost.evil.example:8765',
  'http://127.0.0.1.nip.io',
];
for (const raw of bad) {
  test(`normalizeServerUrl refuses ${JSON.stringify(raw)}`, () => {
    const result = normalizeServerUrl(raw);
    assert.equal(result.ok, false);
    assert.equal(typeof result.error, 'string');
  });
}

test('the refusal of a remote http server asks for https', () => {
  assert.match(normalizeServerUrl('http://scout.example.com:8765').error, /https:\/\//);
});

const builtIn = [
  ['http://127.0.0.1:8765', true],
  ['http://localhost:1234', true],
  ['https://127.0.0.1:8765', false],
  ['http://192.168.1.5:8765', false],
  ['http://localhost.evil.example', false],
  ['nonsense', false],
];
for (const [url, expected] of builtIn) {
  test(`isBuiltInServer(${url}) is ${expected}`, () => assert.equal(isBuiltInServer(url), expected));
}
