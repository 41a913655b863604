// The extension's constants against the server's vocabulary (server/vocab.py, exported to
// test/fixtures/contract/vocab.json by tests/test_extension_contract.py).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { FIT_LABELS as ACTIONS, SEEN_ON_KINDS } from '../../src/background/handlers.js';
import * as vocab from '../../src/shared/vocab.js';

const server = JSON.parse(readFileSync(new URL('../fixtures/contract/vocab.json', import.meta.url), 'utf8'));

test("the extension uses the server's words", () => {
  for (const name of ['PLATFORMS', 'TIERS', 'STATUSES', 'FIT_LABELS', 'COMMENT_LABELS']) {
    assert.deepEqual([...vocab[name]], server[name], name);
  }
});

test('every fit action maps to a label the server takes', () => {
  for (const label of Object.values(ACTIONS)) assert.ok(server.FIT_LABELS.includes(label), label);
});

test("a glance's seen_on kinds are the server's", () => {
  assert.deepEqual([...SEEN_ON_KINDS], server.SEEN_ON_KINDS);
});
