import test from 'node:test';
import assert from 'node:assert/strict';

import { luminance, parseColor } from '../../src/content/placement.js';

const colors = [
  ['rgb(255, 255, 255)', [255, 255, 255, 1]],
  ['rgba(15, 15, 15, 0.9)', [15, 15, 15, 0.9]],
  ['rgb(0 0 0 / 50%)', [0, 0, 0, 0.5]],
  ['rgba(0, 0, 0, 0)', [0, 0, 0, 0]],
  ['transparent', null],
  ['', null],
];
for (const [text, expected] of colors) {
  test(`parseColor(${JSON.stringify(text)})`, () => assert.deepEqual(parseColor(text), expected));
}

test("luminance separates the sites' dark and light backgrounds", () => {
  assert.ok(luminance([15, 15, 15]) < 0.05); // YouTube dark
  assert.ok(luminance([18, 18, 18]) < 0.05); // TikTok dark
  assert.ok(luminance([255, 255, 255]) > 0.9); // light
  assert.ok(luminance([250, 250, 250]) > 0.9); // Instagram light
});
