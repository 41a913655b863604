// Flagged comments marked in place on post and video pages: a small note after the comment's text
// with the reason and an "unflag" action. Comments are found by their text (page markup has no
// stable ids for them), re-checked as the page renders more, and every mark goes when ``signal``
// aborts.

import { h } from './dom.js';
import { closedRoot, trusted } from './shadow.js';
import { flagReason } from './sections.js';
import { OVERLAY_CSS } from './styles.js';

export const FLAG_TAG = 'microscout-flag';
const MAX_ANCESTORS = 4;
const SKIP = new Set([
  'SCRIPT',
  'STYLE',
  'NOSCRIPT',
  'TEXTAREA',
  'INPUT',
  FLAG_TAG.toUpperCase(),
  'MICROSCOUT-OVERLAY',
]);

export function normalizeText(text) {
  return String(text ?? '')
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Mark each of ``flagged`` ({text, label, reasons, ...}) where its text appears in the page.
 * ``onUnflag(item)`` answers {ok, ...}. Returns the number marked so far.
 */
export function markFlaggedComments(flagged, { signal, theme = 'light', onUnflag, root = document.body }) {
  const byText = new Map();
  for (const item of flagged ?? []) {
    const key = normalizeText(item?.text);
    if (key.length >= 2) byText.set(key, item);
  }
  const marks = new Set();
  if (!byText.size || !root) return () => marks.size;

  const marked = new WeakSet();
  const scan = () => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const seen = new WeakSet();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      let element = node.parentElement;
      for (let depth = 0; element && depth < MAX_ANCESTORS; depth += 1, element = element.parentElement) {
        if (SKIP.has(element.tagName) || element.closest(FLAG_TAG)) break;
        if (seen.has(element)) break;
        seen.add(element);
        const item = byText.get(normalizeText(element.textContent));
        if (item) {
          if (!marked.has(element)) {
            marked.add(element);
            marks.add(mark(element, item, theme, onUnflag));
          }
          break;
        }
      }
    }
  };
  scan();

  let timer = null;
  const observer = new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(scan, 400);
  });
  observer.observe(root, { childList: true, subtree: true });
  signal?.addEventListener(
    'abort',
    () => {
      observer.disconnect();
      clearTimeout(timer);
      for (const host of marks) host.remove();
    },
    { once: true },
  );
  return () => marks.size;
}

function mark(element, item, theme, onUnflag) {
  const host = document.createElement(FLAG_TAG);
  host.setAttribute('style', 'all: initial; display: block; margin: 2px 0;');
  host.setAttribute('data-microscout-flag', '');
  host.dataset.label = String(item.label ?? 'flagged');
  host.dataset.theme = theme;
  const root = closedRoot(host, OVERLAY_CSS);
  const result = h('span', { class: 'result', role: 'status', 'aria-live': 'polite' });
  const button = h(
    'button',
    {
      type: 'button',
      'data-microscout-action': 'unflag',
      title: 'This comment is genuine: teach the server',
    },
    'Unflag: genuine',
  );
  button.addEventListener(
    'click',
    trusted(async () => {
      button.disabled = true;
      result.textContent = 'Sending…';
      const answer = await onUnflag?.(item);
      if (answer?.ok) {
        result.textContent = 'Unflagged; the comment model learns from this.';
        result.dataset.ok = 'true';
        host.dataset.label = 'genuine';
      } else {
        result.textContent = answer?.message ?? 'Could not send the correction.';
        result.dataset.ok = 'false';
        button.disabled = false;
      }
    }),
  );
  root.append(
    h('div', { class: 'flag' }, h('strong', {}, 'microscout'), h('span', {}, flagReason(item)), button, result),
  );
  element.after(host);
  return host;
}
