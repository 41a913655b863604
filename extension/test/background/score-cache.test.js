import test from 'node:test';
import assert from 'node:assert/strict';

import {
  TTL_MS,
  cacheKey,
  clearCached,
  fingerprint,
  readCached,
  writeCached,
} from '../../src/background/score-cache.js';
import { Area } from './fakes.js';

const snapshot = { platform: 'tiktok', handle: 'a', followers: 10, posts: [{ id: '1', likes: 3 }], captured_at: 'T1' };

test('the fingerprint ignores the capture time and key order, and changes with the data', async () => {
  const same = { captured_at: 'T2', posts: [{ likes: 3, id: '1' }], followers: 10, handle: 'a', platform: 'tiktok' };
  assert.equal(await fingerprint(snapshot), await fingerprint(same));
  assert.notEqual(await fingerprint(snapshot), await fingerprint({ ...snapshot, followers: 11 }));
  assert.notEqual(
    await fingerprint(snapshot),
    await fingerprint({ ...snapshot, posts: [...snapshot.posts, { id: '2' }] }),
  );
});

test('cache keys are per creator, handles case-insensitive', () => {
  assert.equal(cacheKey('tiktok', 'Casey'), cacheKey('tiktok', 'casey'));
  assert.notEqual(cacheKey('tiktok', 'casey'), cacheKey('instagram', 'casey'));
});

test('a cached score is used for the same capture within the TTL only', async () => {
  const area = new Area();
  const key = cacheKey('tiktok', 'a');
  const print = await fingerprint(snapshot);
  await writeCached(key, print, { overall: { score: 61 } }, 1000, area);
  assert.deepEqual((await readCached(key, print, 1000 + TTL_MS - 1, area)).value, { overall: { score: 61 } });
  assert.equal(await readCached(key, print, 1000 + TTL_MS + 1, area), null, 'expired');
  assert.equal(await readCached(key, 'another-print', 1001, area), null, 'different capture');
});

test('writing prunes expired entries; clearing forgets only cached answers', async () => {
  const area = new Area();
  await area.set({ 'tab:1': { state: 'ok' } });
  await writeCached(cacheKey('youtube', 'old'), 'p', {}, 0, area);
  await writeCached(cacheKey('youtube', 'new'), 'p', {}, TTL_MS + 10, area);
  assert.deepEqual([...area.map.keys()].sort(), ['score:youtube:new', 'tab:1']);
  await clearCached(area);
  assert.deepEqual([...area.map.keys()], ['tab:1']);
});
