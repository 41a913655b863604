// Chips on a scroll page (hashtag, search, feed): as each post comes into view, a chip next to its
// author with the creator's best niche fit, tier and watchlist overall. The creators come from the
// JSON the page already has (embedded, and its own API answers as the user scrolls); new creators
// are batched into one glance request through the service worker, and a creator already answered
// is never asked again for the same posts. Everything ends when the AbortSignal aborts.

import { GLANCE_LIMITS, readFeed } from '../platforms/index.js';
import { MSG, ask } from '../shared/messages.js';
import { Chip } from '../overlay/chip.js';
import { findCards, readCard } from './feed-cards.js';
import { CreatorBook, chipView } from './glance-book.js';
import { readScripts } from './page-data.js';
import { pageTheme } from './placement.js';

const SCAN_MS = 150; // let a burst of DOM changes settle before looking for new posts
const FLUSH_MS = 120; // gather the creators that come into view together into one request

/** Run chips for one scroll page. ``ctx``: {adapter, where, log, signal}. Returns the view (for tests). */
export function runChips(ctx) {
  const view = new ChipsView(ctx);
  view.start();
  return view;
}

class ChipsView {
  constructor({ adapter, log, signal }) {
    Object.assign(this, { adapter, log, signal });
    this.url = location.href; // where the posts are seen now, whichever page fetched them
    this.book = new CreatorBook();
    this.cards = new Map(); // card element -> {chip, creator, anchor, mode}
    this.visible = new Set();
    this.observed = new WeakSet();
    this.pending = new Set();
    this.timers = new Map();
    this.asking = false;
    this.theme = null;
  }

  start() {
    this.read(readScripts(document).map((s) => ({ script: s })));
    this.read(this.log.list().map((r) => ({ response: r })));
    this.log.subscribe((response) => this.read([{ response }]), this.signal);

    this.io = new IntersectionObserver((entries) => this.onView(entries));
    this.mo = new MutationObserver(() => this.later('scan', SCAN_MS, () => this.scan()));
    this.mo.observe(document.documentElement, { childList: true, subtree: true });
    this.signal.addEventListener('abort', () => this.stop(), { once: true });
    this.scan();
  }

  stop() {
    this.io.disconnect();
    this.mo.disconnect();
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const { chip } of this.cards.values()) chip.remove();
    this.cards.clear();
  }

  later(name, ms, run) {
    if (this.timers.has(name) || this.signal.aborted) return;
    this.timers.set(
      name,
      setTimeout(() => {
        this.timers.delete(name);
        if (!this.signal.aborted) run();
      }, ms),
    );
  }

  /** Take in embedded scripts or copied answers; chips for posts already in view, new texts asked. */
  read(sources) {
    if (!sources.length) return;
    let changed;
    try {
      const pageData = {
        url: this.url,
        locale: document.documentElement.getAttribute('lang') || navigator.language || null,
        scripts: sources.filter((s) => s.script).map((s) => s.script),
        responses: sources.filter((s) => s.response).map((s) => s.response),
      };
      changed = this.book.add(readFeed(pageData));
    } catch (error) {
      console.warn('microscout: reading the feed failed', error);
      return;
    }
    if (!changed.length) return;
    for (const card of this.visible) this.attach(card);
    for (const creator of changed) if (this.shown(creator)) this.queue(creator);
  }

  /** Find posts added to the page, watch them come into view; keep chips the page re-rendered away. */
  scan() {
    for (const [card, entry] of this.cards) {
      if (!card.isConnected) {
        entry.chip.remove();
        this.cards.delete(card);
        this.visible.delete(card);
      } else if (!entry.chip.isPlacedAfter(entry.anchor) || entry.anchor.href !== entry.href) {
        this.cards.delete(card); // re-rendered, or reused for another post: place it afresh
        entry.chip.remove();
        if (this.visible.has(card)) this.attach(card);
      }
    }
    for (const card of findCards(this.adapter.id)) {
      if (!this.observed.has(card)) {
        this.observed.add(card);
        this.io.observe(card);
      }
    }
  }

  onView(entries) {
    for (const entry of entries) {
      if (entry.isIntersecting) {
        this.visible.add(entry.target);
        this.attach(entry.target);
      } else {
        this.visible.delete(entry.target);
      }
    }
  }

  /** Give a card in view its chip, once the page's data names the post's creator. */
  attach(card) {
    if (this.cards.has(card) || !card.isConnected) return;
    const { postIds, authors, postLink } = readCard(card, this.adapter);
    const creator =
      postIds.map((id) => this.book.byPost(id)).find(Boolean) ??
      authors.map((a) => a.handle && this.book.byHandle(this.adapter.id, a.handle)).find(Boolean);
    if (!creator) return;
    const author =
      authors.find((a) => a.element && a.handle?.toLowerCase() === creator.handle.toLowerCase()) ??
      authors.find((a) => a.element && !a.handle);
    const anchor = author?.element ?? postLink;
    if (!anchor) return;
    this.theme ??= pageTheme(document.body);
    const postId = postIds.find((id) => this.book.byPost(id) === creator) ?? null;
    const chip = new Chip({ platform: creator.platform, handle: creator.handle, postId, theme: this.theme });
    const mode = author ? 'inline' : 'tile';
    try {
      chip.place(anchor, mode);
    } catch (error) {
      console.warn('microscout: could not place a chip', error);
      return;
    }
    chip.show(chipView(creator));
    this.cards.set(card, { chip, creator, anchor, href: anchor.href });
    this.queue(creator);
  }

  shown(creator) {
    for (const entry of this.cards.values()) if (entry.creator === creator) return true;
    return false;
  }

  queue(creator) {
    if (!this.book.needsGlance(creator)) return;
    this.pending.add(creator);
    this.later('flush', FLUSH_MS, () => this.flush());
  }

  /** One glance request for up to 50 creators in view; the rest follow when it is answered. */
  async flush() {
    if (this.asking) return;
    const batch = [...this.pending].filter((c) => this.book.needsGlance(c)).slice(0, GLANCE_LIMITS.creators);
    for (const creator of batch) this.pending.delete(creator);
    if (!batch.length) {
      this.pending.clear();
      return;
    }
    this.asking = true;
    const answer = await ask(MSG.GLANCE, { creators: this.book.ask(batch) });
    this.asking = false;
    if (this.signal.aborted) return;
    this.book.settle(batch, answer);
    for (const creator of batch) this.redraw(creator);
    if (this.pending.size) this.later('flush', 0, () => this.flush());
    this.scheduleRetry();
  }

  /** Ask again for creators in view whose request failed, when their wait is over. */
  scheduleRetry() {
    const at = this.book.nextRetry(Date.now());
    if (at === null || this.timers.has('retry')) return;
    this.later('retry', Math.max(0, at - Date.now()) + 50, () => {
      for (const { creator } of this.cards.values()) this.queue(creator);
      this.scheduleRetry();
    });
  }

  redraw(creator) {
    const view = chipView(creator);
    for (const entry of this.cards.values()) if (entry.creator === creator) entry.chip.show(view);
  }
}
