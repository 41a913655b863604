import test from 'node:test';
import assert from 'node:assert/strict';

import { grew } from '../../src/content/page-view.js';

const snap = (posts, comments) => ({
  posts: Array.from({ length: posts }, (_, i) => ({ id: `${i}` })),
  comments: Array.from({ length: comments }, (_, i) => ({ id: `${i}`, text: 'x' })),
});

const cases = [
  [snap(12, 0), snap(12, 0), false],
  [snap(12, 0), snap(24, 0), true],
  [snap(12, 10), snap(12, 30), true],
  [snap(24, 30), snap(12, 30), false],
  [{}, snap(1, 0), true],
];
for (const [before, after, expected] of cases) {
  test(`grew: ${before.posts?.length ?? 0}/${before.comments?.length ?? 0} -> ${after.posts.length}/${after.comments.length}`, () => {
    assert.equal(grew(before, after), expected);
  });
}
