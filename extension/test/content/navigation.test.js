import test from 'node:test';
import assert from 'node:assert/strict';

import { pageKey } from '../../src/content/navigation.js';

const cases = [
  ['https://www.instagram.com/casey/', 'https://www.instagram.com/casey/#top', true],
  ['https://www.instagram.com/casey/', 'https://www.instagram.com/jo/', false],
  ['https://www.youtube.com/watch?v=a', 'https://www.youtube.com/watch?v=b', false],
  ['https://www.tiktok.com/@casey', 'https://www.tiktok.com/@casey?lang=de', false],
];
for (const [a, b, same] of cases) {
  test(`pageKey: ${a} and ${b} are ${same ? 'the same page' : 'different pages'}`, () => {
    assert.equal(pageKey(a) === pageKey(b), same);
  });
}
