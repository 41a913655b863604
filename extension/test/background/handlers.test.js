import test from 'node:test';
import assert from 'node:assert/strict';

import { contentHandlers, handlersFor, pageHandlers } from '../../src/background/handlers.js';
import { CONTENT_TYPES, MSG, PAGE_ONLY_TYPES } from '../../src/shared/messages.js';

const self = { id: 'abcdefghijklmnop', origin: 'chrome-extension://abcdefghijklmnop' };
const tab = { id: 7 };

const senders = [
  ['the options page', { id: self.id, url: `${self.origin}/options/options.html`, origin: self.origin }, pageHandlers],
  ['the popup (no origin field)', { id: self.id, url: `${self.origin}/popup/popup.html` }, pageHandlers],
  [
    'our content script on Instagram',
    { id: self.id, tab, url: 'https://www.instagram.com/x/', origin: 'https://www.instagram.com' },
    contentHandlers,
  ],
  ['our content script on YouTube', { id: self.id, tab, url: 'https://www.youtube.com/@x' }, contentHandlers],
  ['a content script in a frame of another site', { id: self.id, tab, origin: 'https://evil.example' }, null],
  ['another extension', { id: 'zzzzzzzzzzzzzzzz', url: 'chrome-extension://zzzzzzzzzzzzzzzz/x.html' }, null],
  ['a platform page without a tab', { id: self.id, url: 'https://www.tiktok.com/@x' }, null],
  ['a sender with a broken URL', { id: self.id, url: 'not a url' }, null],
  ['nobody', undefined, null],
];
for (const [name, sender, expected] of senders) {
  test(`handlersFor: ${name}`, () => assert.equal(handlersFor(sender, self), expected));
}

test('content scripts reach exactly the content types; extension pages reach every type', () => {
  assert.deepEqual(Object.keys(contentHandlers).sort(), [...CONTENT_TYPES].sort());
  assert.deepEqual(Object.keys(pageHandlers).sort(), Object.values(MSG).sort());
  for (const type of PAGE_ONLY_TYPES) assert.equal(Object.hasOwn(contentHandlers, type), false, type);
});
