// One page view: capture what the page already has, score it through the service worker, show the
// overlay, and keep it current as the page loads more. Everything it starts (listeners, observers,
// timers, the overlay, comment marks) ends when its AbortSignal aborts, i.e. on navigation.

import { MSG, STATE, ask } from '../shared/messages.js';
import { mountOverlay } from '../overlay/overlay.js';
import { markFlaggedComments } from '../overlay/comment-flags.js';
import { findAnchor, pageTheme } from './placement.js';
import { noteHookHealth } from './hook-bridge.js';

export const WAIT_FOR_DATA_MS = 6000; // how long a page may take to render its creator before we say "degraded"
const SETTLE_MS = 250; // let a burst of DOM changes finish before reading again
const RESCORE_MS = 1500; // more posts or comments loaded: score again after this quiet time
const FOLLOW_EVERY_MS = 2000; // after the first score, read the page at most this often...
const FOLLOW_DOM_MS = 10_000; // ...and this often when only the DOM changed (it is the last source)
const QUIET_MS = 400; // once ready, score when the page's API answers pause this long...
const QUIET_MAX_MS = 1500; // ...or after this, whichever comes first: one score, not two
const MAX_AUTO_RETRIES = 30; // while the server starts or rate-limits

/**
 * Run one page view. ``ctx``: {adapter, where, readPageData, log, signal, readyAt}; ``readyAt`` is
 * the performance.now() at which the page was ready (DOMContentLoaded, or the navigation event).
 */
export async function runPageView(ctx) {
  const view = new PageView(ctx);
  ctx.signal.addEventListener('abort', () => view.stop(), { once: true });
  await view.start();
  return view;
}

class PageView {
  constructor({ adapter, where, readPageData, log, signal, readyAt }) {
    Object.assign(this, { adapter, where, readPageData, log, signal, readyAt });
    this.overlay = null;
    this.snapshot = null;
    this.scored = null; // {snapshot, score} last shown
    this.retries = 0;
    this.flags = null;
    this.timers = new Set();
  }

  async start() {
    const changed = this.changes();
    const deadline = performance.now() + WAIT_FOR_DATA_MS;
    let snapshot = this.capture();
    while (!this.signal.aborted && !this.isReady(snapshot) && performance.now() < deadline) {
      await changed.next(deadline - performance.now());
      snapshot = this.capture();
    }
    if (this.signal.aborted) return;
    if (this.isReady(snapshot)) {
      if (await this.quiet()) snapshot = this.capture() ?? snapshot;
      if (this.signal.aborted) return;
      await this.score(snapshot);
    } else {
      this.showDegraded(snapshot);
    }
    // Keep up with what the page loads later (scrolling in posts, opening comments).
    this.follow(changed);
  }

  stop() {
    for (const timer of this.timers) clearTimeout(timer);
    this.flags?.abort();
    this.overlay?.stop();
  }

  // -- capture --------------------------------------------------------------------------------
  capture() {
    try {
      const snapshot = this.adapter.buildSnapshot(this.readPageData(document, this.log.list()));
      noteHookHealth(snapshot.capture, this.log);
      this.snapshot = snapshot;
      return snapshot;
    } catch (error) {
      console.warn('microscout: capture failed', error);
      return null;
    }
  }

  /** Wait while the page is still receiving API answers (a second page of posts, say); true if any came. */
  async quiet() {
    const start = performance.now();
    const before = this.log.total;
    let count = before;
    while (!this.signal.aborted && performance.now() - start < QUIET_MAX_MS) {
      await sleep(QUIET_MS, this.signal);
      if (this.log.total === count) break;
      count = this.log.total;
    }
    return count !== before;
  }

  isReady(snapshot) {
    if (!snapshot?.handle || snapshot.capture?.degraded) return false;
    return !this.where.handle || snapshot.handle.toLowerCase() === this.where.handle.toLowerCase();
  }

  /** An async iterator-ish: next(ms) resolves on the next copied answer or settled DOM change, or after ms. */
  changes() {
    let wake = null;
    let pending = false;
    const poke = () => {
      pending = true;
      if (wake) wake();
    };
    this.log.subscribe(poke, this.signal);
    let settle = null;
    const observer = new MutationObserver(() => {
      clearTimeout(settle);
      settle = setTimeout(poke, SETTLE_MS);
    });
    observer.observe(document.documentElement, { childList: true, subtree: true });
    this.signal.addEventListener(
      'abort',
      () => {
        observer.disconnect();
        clearTimeout(settle);
        if (wake) wake();
      },
      { once: true },
    );
    return {
      next: (ms) =>
        new Promise((resolve) => {
          if (pending || this.signal.aborted) {
            pending = false;
            resolve();
            return;
          }
          const timer = setTimeout(done, Math.max(0, ms));
          function done() {
            clearTimeout(timer);
            wake = null;
            pending = false;
            resolve();
          }
          wake = done;
        }),
    };
  }

  async follow(changed) {
    let answers = this.log.total;
    let captured = performance.now();
    while (!this.signal.aborted) {
      await changed.next(60_000);
      await sleep(FOLLOW_EVERY_MS, this.signal);
      if (this.signal.aborted) return;
      this.keepPlaced();
      if (this.log.total === answers && performance.now() - captured < FOLLOW_DOM_MS) continue;
      answers = this.log.total;
      captured = performance.now();
      const snapshot = this.capture();
      if (!this.isReady(snapshot)) continue;
      if (!this.scored) {
        // Was degraded and is now whole. After a failed request, only the Retry button asks again.
        if (this.overlay?.host.dataset.state === 'degraded') await this.score(snapshot);
      } else if (grew(this.scored.snapshot, snapshot)) {
        this.later(RESCORE_MS, () => this.score(this.capture() ?? snapshot, { quiet: true }));
      }
    }
  }

  later(ms, run) {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.signal.aborted) run();
    }, ms);
    this.timers.add(timer);
  }

  // -- overlay --------------------------------------------------------------------------------
  mount() {
    if (this.overlay) return this.overlay;
    const anchor = findAnchor(this.adapter.id, this.where.kind);
    this.overlay = mountOverlay({
      theme: pageTheme(anchor ?? document.body),
      actions: {
        save: (fields) => this.save(fields),
        label: (kind, niche) =>
          ask(MSG.LABEL, { label: kind, niche, snapshot: this.scored?.snapshot ?? this.snapshot }),
        retry: () => this.score(this.capture() ?? this.snapshot, { fresh: true }),
        scoreAnyway: () => this.score(this.capture() ?? this.snapshot, { partial: true }),
        openOptions: () => ask(MSG.OPEN_OPTIONS),
      },
    });
    this.overlay.place(anchor);
    return this.overlay;
  }

  /** Re-insert the overlay if the page re-rendered its header (the sites' frameworks do). */
  keepPlaced() {
    if (!this.overlay || this.signal.aborted) return;
    const anchor = findAnchor(this.adapter.id, this.where.kind);
    if (anchor ? anchor.nextSibling !== this.overlay.host : !this.overlay.host.isConnected) this.overlay.place(anchor);
  }

  showDegraded(snapshot) {
    const shown = snapshot ?? {
      platform: this.adapter.id,
      handle: this.where.handle,
      capture: { degraded: true, missing: ['everything'] },
    };
    this.mount().showDegraded({ snapshot: shown });
    this.report('degraded', shown, { detail: (shown.capture?.missing ?? []).join(', ') });
  }

  // -- scoring --------------------------------------------------------------------------------
  async score(snapshot, { fresh = false, partial = false, quiet = false } = {}) {
    if (!snapshot?.handle) {
      this.showDegraded(snapshot);
      return {
        ok: false,
        state: STATE.REJECTED,
        message: 'No creator handle was captured, so there is nothing to score.',
      };
    }
    const overlay = this.mount();
    if (!quiet) overlay.showScoring({ platform: snapshot.platform, handle: snapshot.handle });
    this.report('scoring', snapshot);
    const answer = await ask(MSG.SCORE, { snapshot, fresh });
    if (this.signal.aborted) return answer;
    if (answer.ok) {
      this.retries = 0;
      this.scored = { snapshot, score: answer.score };
      overlay.showScore({ snapshot, score: answer.score, cached: answer.cached, degraded: partial });
      this.keepPlaced();
      this.markTime(overlay);
      this.markComments(answer.score);
      this.report('ok', snapshot, {
        overall: answer.score.overall?.score,
        tier: answer.score.creator?.tier,
        confidence: answer.score.overall?.confidence,
      });
      return answer;
    }
    if ((answer.state === STATE.LOADING || answer.state === STATE.RATE_LIMITED) && this.retries < MAX_AUTO_RETRIES) {
      this.retries += 1;
      const wait = Math.min(Math.max(answer.retryAfter ?? 2, 1), 30) * 1000;
      this.later(wait, () => this.score(this.capture() ?? snapshot, { fresh, partial, quiet: true }));
    }
    if (!quiet || !this.scored) overlay.showProblem(answer, { platform: snapshot.platform, handle: snapshot.handle });
    this.report(answer.state, snapshot, { detail: answer.message });
    return answer;
  }

  async save(fields) {
    const { snapshot, score } = this.scored ?? {};
    if (!snapshot) return { ok: false, state: STATE.REJECTED, message: 'Nothing scored yet to save.' };
    return ask(MSG.SAVE, { snapshot, score, niche: fields.niche, status: fields.status, note: fields.note });
  }

  markComments(score) {
    this.flags?.abort();
    const flagged = score.authenticity?.flagged;
    if (!Array.isArray(flagged) || !flagged.length) return;
    this.flags = new AbortController();
    this.signal.addEventListener('abort', () => this.flags?.abort(), { once: true });
    const captions = new Map((this.scored.snapshot.posts ?? []).map((post) => [post.id, post.caption]));
    markFlaggedComments(flagged, {
      signal: this.flags.signal,
      theme: this.overlay?.host.dataset.theme,
      onUnflag: (item) =>
        ask(MSG.COMMENT_LABEL, {
          text: item.text,
          label: 'genuine',
          post_caption: captions.get(item.post_id) ?? undefined,
        }),
    });
  }

  /** Perceived speed: time from page ready to badge, for people (performance panel) and tests. */
  markTime(overlay) {
    if (overlay.host.dataset.badgeMs) return;
    const now = performance.now();
    overlay.host.dataset.badgeMs = String(Math.round(now - this.readyAt));
    try {
      performance.measure('microscout:ready-to-badge', { start: this.readyAt, end: now });
    } catch {
      // measure is a nicety; an old engine without the options form is fine
    }
  }

  report(state, snapshot, extra = {}) {
    ask(MSG.REPORT, {
      state,
      platform: snapshot?.platform ?? this.adapter.id,
      handle: snapshot?.handle ?? this.where.handle ?? '',
      ...extra,
    });
  }
}

/** True when ``next`` has more posts or comments than ``previous`` (worth another score). */
export function grew(previous, next) {
  return (
    (next.posts?.length ?? 0) > (previous.posts?.length ?? 0) ||
    (next.comments?.length ?? 0) > (previous.comments?.length ?? 0)
  );
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
