// The page hook's private channel: the real page-hook.js (run in a vm context whose window is an
// EventTarget) and the real hook-bridge.js, wired as the manifest wires them at document_start.
// The browser suite checks the same in Chromium (tests/browser/test_attacks.py).

import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import vm from 'node:vm';

import { HOOK } from '../../src/shared/messages.js';
import { ResponseLog, bridgeHook, connectHook, noteHookHealth } from '../../src/content/hook-bridge.js';

// Node 20's MessageEvent drops `cancelable` (Chromium's keeps it, and the hook acknowledges the
// port by cancelling the event), so the tests use a MessageEvent that keeps what the DOM's keeps.
globalThis.MessageEvent = class MessageEvent extends Event {
  constructor(type, init = {}) {
    super(type, init);
    this.data = init.data ?? null;
    this.ports = Object.freeze([...(init.ports ?? [])]);
  }
};

const PAGE = 'https://www.tiktok.com/@casey';
const WANTED = 'https://www.tiktok.com/api/post/item_list/?secUid=x';
const PATTERNS = [String.raw`^https://(www|m)\.tiktok\.com/api/post/item_list/`];
const isWanted = (url) => new RegExp(PATTERNS[0], 'i').test(url);
const HOOK_SOURCE = await readFile(new URL('../../src/content/page-hook.js', import.meta.url), 'utf8');

class FakeXhr {
  open() {}
  send() {}
  addEventListener() {}
}

/** A window as the page hook sees it, with the hook installed; fetch answers ``answers[url]``. */
function pageWithHook(answers = {}) {
  const win = new EventTarget();
  win.location = new URL(PAGE);
  win.fetch = async (url) =>
    new Response(JSON.stringify(answers[url] ?? {}), { headers: { 'content-type': 'application/json' } });
  vm.runInNewContext(HOOK_SOURCE, { window: win, location: win.location, XMLHttpRequest: FakeXhr, URL, RegExp, JSON });
  return win;
}

/** The content script's side, connected at "document_start". */
function contentScript(win) {
  const log = new ResponseLog();
  const port = connectHook(win);
  bridgeHook({ port, patterns: PATTERNS, isWanted, log, target: win });
  return { log, port };
}

function arrived(log, count = 1) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${log.total} answers arrived`)), 2000);
    const check = () => {
      if (log.total >= count) {
        clearTimeout(timer);
        resolve(log.list());
      }
    };
    log.subscribe(check);
    check();
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

test('connectHook: no hook to take the port gives null', () => {
  assert.equal(connectHook(new EventTarget()), null);
});

test("the page's own answer reaches the log over the private port", async () => {
  const win = pageWithHook({ [WANTED]: { itemList: [{ id: '1' }] } });
  const { log, port } = contentScript(win);
  assert.ok(port, 'the hook took the port');
  await win.fetch(WANTED);
  const [answer] = await arrived(log);
  assert.deepEqual(answer.json, { itemList: [{ id: '1' }] });
  assert.equal(answer.url, WANTED);
  assert.equal(answer.pageUrl, PAGE);
  assert.equal(log.connected, true);
  port.close();
});

test('an answer for a URL the adapters do not want is not copied', async () => {
  const win = pageWithHook();
  const { log, port } = contentScript(win);
  await win.fetch('https://www.tiktok.com/api/other/');
  await win.fetch(WANTED);
  const answers = await arrived(log);
  assert.deepEqual(
    answers.map((a) => a.url),
    [WANTED],
  );
  port.close();
});

test('a message posted on the window as the hook is counted, never logged', async () => {
  const win = pageWithHook();
  const { log, port } = contentScript(win);
  const forged = {
    source: HOOK.FROM_PAGE,
    v: HOOK.VERSION,
    kind: HOOK.RESPONSE,
    url: WANTED,
    status: 200,
    pageUrl: PAGE,
    body: { userInfo: { stats: { followerCount: 5_000_000 } } },
  };
  win.dispatchEvent(new MessageEvent('message', { data: forged }));
  win.dispatchEvent(new MessageEvent('message', { data: 'unrelated' }));
  await settle();
  assert.equal(log.total, 0);
  assert.equal(log.impostors, 1);
  port.close();
});

test('the hook gives its port once: a later CONNECT (page script) is not taken', () => {
  const win = pageWithHook();
  const { port } = contentScript(win);
  const theirs = new MessageChannel();
  const event = new MessageEvent(HOOK.CONNECT, { cancelable: true, ports: [theirs.port2] });
  assert.equal(win.dispatchEvent(event), true, 'not cancelled: the hook did not take the page port');
  port.close();
  theirs.port1.close();
});

test('answers the page receives while no content script connected are dropped, not held', async () => {
  const win = pageWithHook({ [WANTED]: { itemList: [] } });
  await win.fetch(WANTED); // before the content script: the hook has no port
  const { log, port } = contentScript(win);
  await settle();
  assert.equal(log.total, 0);
  port.close();
});

const health = [
  ['connected, no impostors', { connected: true, impostors: 0 }, 'connected', 0],
  ['absent', { connected: false, impostors: 0 }, 'absent', 1],
  ['connected, page posed as the hook', { connected: true, impostors: 3 }, 'connected', 1],
];
for (const [name, state, hook, notes] of health) {
  test(`noteHookHealth: ${name}`, () => {
    const log = Object.assign(new ResponseLog(), state);
    const capture = { sources: {}, missing: [], degraded: false, notes: [] };
    noteHookHealth(capture, log);
    assert.equal(capture.hook, hook);
    assert.equal(capture.notes.length, notes);
    assert.equal(capture.hook_impostors, state.impostors || undefined);
  });
}
