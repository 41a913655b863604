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
  constructor(tag) {
    this.tag = tag;
    this.children = [];
    this.attributes = {};
  }
  setAttribute(name, value) {
    this.attributes[name] = value;
  }
  addEventListener() {}
  append(...nodes) {
    this.children.push(...nodes);
  }
}
globalThis.Node = FakeNode;
globalThis.document = { createElement: (tag) => new FakeNode(tag), createTextNode: (text) => ({ text }) };
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
  sections.glanceSection(read);
  sections.voicesSection(read.voices);
  sections.brandsSection(read.brands);
  for (const path of ['overall.headlines.fit', 'voices.voices[].text', 'brands.worked_with[].name']) {
    assert.ok(seen.has(path), `the sections never read ${path}`);
  }
  assert.ok(seen.size > 40, `the reader read only ${seen.size} paths: is it still reading the score?`);
  const unknown = [...seen].filter((path) => !documented(path));
  assert.deepEqual(unknown, []);
});

test('the languages line names the shares of posts and comments, und included', () => {
  const line = JSON.stringify(sections.languagesSection(score.languages));
  assert.match(line, /posts: en 100% of 12/);
  assert.match(line, /comments: en \d+%, und \d+% of 10/);
  assert.equal(sections.languagesSection(undefined), null);
  assert.equal(sections.languageMix({ texts: 0, main: null, shares: [] }), null);
});

/** Every node under ``node`` (itself first). */
function* nodes(node) {
  yield node;
  for (const child of node?.children ?? []) yield* nodes(child);
}

const text = (node) =>
  [...nodes(node)]
    .map((n) => n.text ?? '')
    .join('')
    .trim();

test('the first view: four bars with the server numbers and strongest reasons, and the confidence', () => {
  const glance = sections.glanceSection(score);
  const bars = [...nodes(glance)].filter((n) => n.attributes?.['data-component']);
  assert.deepEqual(
    bars.map((n) => n.attributes['data-component']),
    ['fit', 'authenticity', 'engagement', 'disclosure'],
  );
  for (const node of bars) {
    const key = node.attributes['data-component'];
    assert.equal(node.attributes['data-value'], String(Math.round(score.overall.components[key])));
    const line = [...nodes(node)].find((n) => n.className === 'headline');
    assert.equal(text(line), score.overall.headlines[key]);
  }
  assert.match(text(glance), new RegExp(`${score.overall.confidence} confidence`));
});

test('a competitor collaboration inside the window is flagged in the first view; outside it is not', () => {
  const flagged = (inside) => {
    const copy = structuredClone(score);
    copy.brands.competitor_collaborations = [
      { name: 'FastFeet', post_id: 'p3', date: null, days_ago: 14, window_days: 60, inside_window: inside },
    ];
    return [...nodes(sections.glanceSection(copy))].find(
      (n) => n.attributes?.['data-microscout-part'] === 'competitor-flag',
    );
  };
  assert.match(
    text(flagged(true)),
    /Worked with your competitor FastFeet 14 days ago, inside their exclusivity window/,
  );
  assert.equal(flagged(false), undefined);
});

test('voices and brands: who, their comment, who the creator worked with', () => {
  const voices = text(sections.voicesSection(score.voices));
  for (const voice of score.voices.voices) {
    assert.ok(voices.includes(`@${voice.author}`) && voices.includes(voice.text.slice(0, 40)), voices);
  }
  const brands = text(sections.brandsSection(score.brands));
  const paid = [...new Set(score.brands.worked_with.filter((e) => e.sponsored).map((e) => e.name))];
  assert.ok(paid.length && brands.includes(`Worked with ${paid.join(', ')}.`), brands);
  assert.ok(brands.includes('competitor'));
});
