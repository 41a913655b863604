import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { CONTENT_TYPES, HOOK, MSG, PAGE_ONLY_TYPES, isHookResponse } from '../../src/shared/messages.js';

const wanted = (url) => /\/api\/post\/item_list\//i.test(url);
const good = {
  source: 'microscout-page-hook',
  v: 1,
  kind: 'response',
  status: 200,
  url: 'https://www.tiktok.com/api/post/item_list/?secUid=x',
  body: { itemList: [] },
};

const cases = [
  ['well-formed', good, true],
  ['wrong source', { ...good, source: 'someone-else' }, false],
  ['wrong version', { ...good, v: 2 }, false],
  ['wrong kind', { ...good, kind: 'config' }, false],
  ['URL not wanted', { ...good, url: 'https://www.tiktok.com/api/other/' }, false],
  ['URL not a string', { ...good, url: { href: good.url } }, false],
  ['URL too long', { ...good, url: `${good.url}&q=${'x'.repeat(5000)}` }, false],
  ['relative URL', { ...good, url: '/api/post/item_list/' }, false],
  ['javascript: URL', { ...good, url: 'javascript:alert(1)//api/post/item_list/' }, false],
  ['status 404', { ...good, status: 404 }, false],
  ['status not an integer', { ...good, status: '200' }, false],
  ['body a string', { ...good, body: '{"itemList": []}' }, false],
  ['body null', { ...good, body: null }, false],
  ['an array', [good], false],
  ['null', null, false],
  ['a string', 'microscout-page-hook', false],
];

for (const [name, data, expected] of cases) {
  test(`isHookResponse: ${name}`, () => {
    assert.equal(isHookResponse(data, wanted), expected);
  });
}

test('every message type is either for content scripts or for extension pages only', () => {
  const all = new Set(Object.values(MSG));
  assert.deepEqual(new Set([...CONTENT_TYPES, ...PAGE_ONLY_TYPES]), all);
  assert.equal(CONTENT_TYPES.filter((t) => PAGE_ONLY_TYPES.includes(t)).length, 0);
});

test('the page hook repeats the HOOK literals (it cannot import them)', async () => {
  const hook = await readFile(new URL('../../src/content/page-hook.js', import.meta.url), 'utf8');
  assert.match(hook, new RegExp(`const FROM_PAGE = '${HOOK.FROM_PAGE}';`));
  assert.match(hook, new RegExp(`const CONNECT = '${HOOK.CONNECT}';`));
  assert.match(hook, new RegExp(`const VERSION = ${HOOK.VERSION};`));
  assert.match(hook, new RegExp(`kind: '${HOOK.RESPONSE}'`));
  assert.match(hook, new RegExp(`data.kind !== '${HOOK.CONFIG}'`));
});
