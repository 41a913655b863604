// The overlay's reader (src/overlay/sections.js) against the server's Score schema: every key path
// the sections read while drawing a real score must be one the schema documents. The schema and the
// score come from the server (test/fixtures/contract, kept in step by tests/test_extension_contract.py).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';

const load = (name) => JSON.parse(readFileSync(new URL(`../fixtures/contract/${name}`, import.meta.url), 'utf8'));
const schema = load('score-schema.json');
const score = load('score.json');

// Just enough DOM for h() to build nodes outside a browser.
class FakeNode {
  constructor() {
    this.children = [];
  }
  setAttribute() {}
  addEventListener() {}
  append(...nodes) {
    this.children.push(...nodes);
  }
}
globalThis.Node = FakeNode;
globalThis.document = { createElement: () => new FakeNode(), createTextNode: (text) => ({ text }) };
const sections = await import('../../src/overlay/sections.js');

const ARRAY_METHODS = new Set(Object.getOwnPropertyNames(Array.prototype));

/** ``value`` wrapped so every property read is recorded as a path like "engagement.view_rate.value". */
function watched(value, path, seen) {
  if (value === null || typeof value !== 'object') return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      const got = Reflect.get(target, key, receiver);
      if (typeof key === 'symbol') return got;
      if (Array.isArray(target)) {
        if (ARRAY_METHODS.has(key)) return typeof got === 'function' ? got.bind(receiver) : got;
        return watched(got, `${path}[]`, seen);
      }
      const next = path ? `${path}.${key}` : key;
      seen.add(next);
      return watched(got, next, seen);
    },
  });
}

function resolve(node) {
  return node?.$ref ? resolve(schema.$defs[node.$ref.split('/').pop()]) : node;
}

/** The schemas ``node`` may be (anyOf: each choice, $ref: the definition). */
function choices(node) {
  const resolved = resolve(node);
  return resolved?.anyOf ? resolved.anyOf.flatMap(choices) : [resolved];
}

function documented(path) {
  let nodes = [schema];
  for (const part of path.replace(/\[\]/g, '.[]').split('.').filter(Boolean)) {
    nodes = nodes.flatMap(choices).flatMap((node) => {
      if (part === '[]') return node?.items ? [node.items] : [];
      if (node?.properties?.[part]) return [node.properties[part]];
      if (node?.additionalProperties && typeof node.additionalProperties === 'object')
        return [node.additionalProperties];
      return [];
    });
    if (!nodes.length) return false;
  }
  return true;
}

test('the path checker refuses a path the schema lacks', () => {
  assert.ok(documented('engagement.view_rate.value'));
  assert.ok(documented('niche_fit.[].evidence.best.[].similarity'));
  assert.ok(!documented('engagement.view_rate.median'));
  assert.ok(!documented('authenticity.spam_rate'));
});

test('every key the overlay sections read is in the Score schema', () => {
  const seen = new Set();
  const read = watched(score, '', seen);
  sections.overallSection(read.overall);
  sections.nicheSection(read.niche_fit);
  sections.bestFit(read.niche_fit);
  sections.authenticitySection(read.authenticity);
  for (const item of read.authenticity.flagged) sections.flagReason(item);
  sections.engagementSection(read.engagement);
  sections.disclosureSection(read.disclosure);
  sections.languagesSection(read.languages);
  assert.ok(seen.size > 40, `the reader read only ${seen.size} paths: is it still reading the score?`);
  const unknown = [...seen].filter((path) => !documented(path));
  assert.deepEqual(unknown, []);
});

test('the languages line names the shares of posts and comments, und included', () => {
  const line = sections.languagesSection(score.languages);
  const text = JSON.stringify(line);
  assert.match(text, /posts: en 100% of 12/);
  assert.match(text, /comments: en \d+%, und \d+% of 9/);
  assert.equal(sections.languagesSection(undefined), null);
  assert.equal(sections.languageMix({ texts: 0, main: null, shares: [] }), null);
});
