// The overlay: a badge by the profile header and a panel under it, inside a closed shadow root so
// page CSS and ours never meet and page script can neither read it nor press its buttons (every
// listener hears trusted events only; see shadow.js). Mounted once (a second mount returns the same
// overlay), removed whole by stop(). The host element carries the attributes tests and users'
// tooling rely on: data-microscout-overlay, data-state, data-platform, data-handle, data-tier,
// data-overall.

import { STATE } from '../shared/messages.js';
import { describe } from '../shared/state-text.js';
import { STATUSES } from '../shared/vocab.js';
import { h, replace } from './dom.js';
import { closedRoot, trusted } from './shadow.js';
import {
  authenticitySection,
  band,
  bestFit,
  captureSection,
  disclosureSection,
  engagementSection,
  languagesSection,
  nicheSection,
  overallSection,
  roundScore,
} from './sections.js';
import { OVERLAY_CSS } from './styles.js';

export const OVERLAY_TAG = 'microscout-overlay';
export { STATUSES } from '../shared/vocab.js';
// Inline, so the page's CSS cannot move or restyle the host (only !important rules could).
const HOST_STYLE = {
  inline: 'all: initial; display: block; box-sizing: border-box; margin: 12px 0; max-width: 40rem;',
  floating:
    'all: initial; display: block; box-sizing: border-box; position: fixed; right: 16px; bottom: 16px;' +
    ' z-index: 2147483000; width: min(26rem, calc(100vw - 32px));',
};
let current = null;

/**
 * Mount the overlay (or return the one already mounted). ``actions`` are async callbacks that
 * answer {ok, state, message}: save({niche, status, note}), label(kind, niche), retry(),
 * scoreAnyway(), openOptions().
 */
export function mountOverlay({ theme = 'light', actions = {} } = {}) {
  if (current?.host.isConnected) return current;
  for (const stray of document.querySelectorAll(OVERLAY_TAG)) stray.remove();
  current = new Overlay(theme, actions);
  return current;
}

class Overlay {
  constructor(theme, actions) {
    this.actions = actions;
    this.host = document.createElement(OVERLAY_TAG);
    this.host.setAttribute('style', HOST_STYLE.inline);
    this.host.setAttribute('data-microscout-overlay', '');
    this.host.dataset.theme = theme;
    this.root = closedRoot(this.host, OVERLAY_CSS);
    this.card = h('div', { class: 'card' });
    this.root.append(this.card);
    this.expanded = false;
    this.root.addEventListener(
      'keydown',
      trusted((event) => {
        if (event.key === 'Escape' && this.expanded) {
          this.toggle(false);
          this.badge?.focus();
        }
      }),
    );
  }

  /** Put the overlay right after ``anchor`` (in the page's flow), or float it in a corner. */
  place(anchor) {
    const placement = anchor && anchor.isConnected ? 'inline' : 'floating';
    if (this.host.dataset.placement !== placement) {
      this.host.dataset.placement = placement;
      this.host.setAttribute('style', HOST_STYLE[placement]);
    }
    if (placement === 'inline' && anchor.nextSibling !== this.host) anchor.after(this.host);
    if (placement === 'floating' && this.host.parentNode !== document.body) document.body.append(this.host);
  }

  setIdentity({ platform, handle }) {
    if (platform) this.host.dataset.platform = platform;
    if (handle) this.host.dataset.handle = handle;
  }

  showScoring(who) {
    this.setIdentity(who);
    this.setState('scoring');
    this.render(
      this.badgeRow(
        [h('span', { class: 'score', 'aria-hidden': 'true' }, '…')],
        h('span', { class: 'state-title' }, 'Scoring…'),
        h('small', {}, this.who()),
      ),
      null,
    );
  }

  /** The server's score for the snapshot. ``degraded`` keeps the capture warning on top. */
  showScore({ snapshot, score, cached, degraded = false }) {
    this.snapshot = snapshot;
    this.score = score;
    this.setIdentity({
      platform: score.creator?.platform ?? snapshot.platform,
      handle: score.creator?.handle ?? snapshot.handle,
    });
    const overall = roundScore(score.overall?.score);
    const tier = score.creator?.tier ?? null;
    const confidence = score.overall?.confidence ?? null;
    this.host.dataset.overall = overall === null ? '' : String(overall);
    this.host.dataset.tier = tier ?? '';
    this.host.dataset.confidence = confidence ?? '';
    this.host.dataset.posts = String(snapshot.posts?.length ?? 0);
    this.host.dataset.comments = String(snapshot.comments?.length ?? 0);
    this.setState(degraded ? 'partial' : STATE.OK);
    const scoreNode = h(
      'span',
      { class: 'score', 'data-band': band(overall) },
      overall === null ? '–' : String(overall),
    );
    const summary = [
      tier ? `${tier} creator` : 'tier unknown',
      confidence ? `${confidence} confidence` : null,
      cached ? 'cached' : null,
    ]
      .filter(Boolean)
      .join(' · ');
    const badge = this.badgeRow(
      [scoreNode],
      h(
        'span',
        {},
        h('span', { class: 'state-title' }, this.who()),
        degraded ? h('span', { class: 'pill' }, 'partial capture') : null,
      ),
      h('small', {}, summary),
    );
    const panel = h(
      'div',
      { class: 'panel', id: 'microscout-panel', role: 'region', 'aria-label': 'microscout score details' },
      degraded ? this.degradedNote(snapshot.capture) : null,
      overallSection(score.overall),
      languagesSection(score.languages),
      this.actionsBlock(score),
      nicheSection(score.niche_fit),
      authenticitySection(score.authenticity),
      engagementSection(score.engagement),
      disclosureSection(score.disclosure, new Map((snapshot.posts ?? []).map((p) => [p.id, p.caption]))),
      captureSection(snapshot.capture),
    );
    this.render(badge, panel);
  }

  /** Essentials are missing: say what, offer to score what there is, never show it as whole. */
  showDegraded({ snapshot }) {
    this.snapshot = snapshot;
    this.setIdentity(snapshot);
    this.host.dataset.overall = '';
    this.setState('degraded');
    const badge = this.badgeRow(
      [h('span', { class: 'score', 'aria-hidden': 'true' }, '!')],
      h('span', { class: 'state-title' }, 'Capture degraded'),
      h('small', {}, this.missingText(snapshot.capture)),
    );
    const panel = h(
      'div',
      { class: 'panel', id: 'microscout-panel', role: 'region', 'aria-label': 'microscout capture details' },
      this.degradedNote(snapshot.capture),
      captureSection(snapshot.capture),
      h(
        'div',
        { class: 'actions' },
        this.actionButton('score-anyway', 'Score what was captured', () => this.actions.scoreAnyway?.()),
      ),
    );
    this.render(badge, panel);
    this.toggle(true);
  }

  /** A calm state for a failed request: offline, bad token, rate limited, time-out, ... */
  showProblem(answer, who = {}) {
    this.setIdentity(who);
    this.host.dataset.overall = '';
    this.setState(answer.state ?? STATE.EXTENSION_ERROR);
    const { title, hint } = describe(answer);
    const buttons = [this.actionButton('retry', 'Retry', () => this.actions.retry?.())];
    if ([STATE.NOT_CONFIGURED, STATE.UNAUTHORIZED, STATE.NO_PERMISSION].includes(answer.state)) {
      buttons.push(this.actionButton('options', 'Open options', () => this.actions.openOptions?.()));
    }
    const badge = this.badgeRow(
      [h('span', { class: 'score', 'aria-hidden': 'true' }, '–')],
      h('span', { class: 'state-title' }, title),
      h('small', {}, this.who()),
    );
    const panel = h(
      'div',
      { class: 'panel', id: 'microscout-panel', role: 'region', 'aria-label': 'microscout status' },
      hint ? h('p', {}, hint) : null,
      h('div', { class: 'actions' }, h('div', { class: 'row' }, buttons)),
    );
    this.render(badge, panel);
  }

  stop() {
    this.host.remove();
    if (current === this) current = null;
  }

  // -- building blocks ------------------------------------------------------------------------
  who() {
    const handle = this.host.dataset.handle;
    return handle ? `@${handle}` : 'this page';
  }

  setState(state) {
    this.host.dataset.state = state;
  }

  badgeRow(scoreNodes, title, subtitle) {
    this.badge = h(
      'button',
      {
        type: 'button',
        class: 'badge',
        'aria-expanded': String(this.expanded),
        'aria-controls': 'microscout-panel',
        'data-microscout-part': 'badge',
        onclick: () => this.toggle(),
      },
      h('span', { class: 'logo', 'aria-hidden': 'true' }, 'ms'),
      scoreNodes,
      h('span', { class: 'meta' }, title, subtitle),
      h('span', { class: 'chev', 'aria-hidden': 'true' }, '▾'),
    );
    return this.badge;
  }

  render(badge, panel) {
    this.panel = panel;
    replace(this.card, badge, panel);
    this.toggle(this.expanded);
  }

  toggle(open = !this.expanded) {
    this.expanded = Boolean(open) && Boolean(this.panel);
    if (this.panel) this.panel.hidden = !this.expanded;
    this.badge?.setAttribute('aria-expanded', String(this.expanded));
    this.badge?.setAttribute('aria-label', `microscout ${this.expanded ? 'hide' : 'show'} details`);
  }

  missingText(capture) {
    const missing = Array.isArray(capture?.missing) ? capture.missing : [];
    return missing.length ? `missing: ${missing.join(', ')}` : 'the page did not give enough to score';
  }

  degradedNote(capture) {
    return h(
      'p',
      { class: 'warn', role: 'note' },
      `Capture degraded (${this.missingText(capture)}). The page may still be loading, or its layout changed; ` +
        'a score from this capture would be partial.',
    );
  }

  actionButton(action, text, run) {
    const result = h('span', {
      class: 'result',
      role: 'status',
      'aria-live': 'polite',
      'data-microscout-result': action,
    });
    const button = h(
      'button',
      {
        type: 'button',
        'data-microscout-action': action,
        onclick: async () => {
          button.disabled = true;
          result.textContent = '';
          delete result.dataset.ok;
          try {
            const answer = await run();
            if (answer && !answer.ok) showResult(result, answer);
          } finally {
            if (button.isConnected) button.disabled = false;
          }
        },
      },
      text,
    );
    return [button, result];
  }

  actionsBlock(score) {
    const niches = Array.isArray(score.niche_fit) ? score.niche_fit : [];
    const best = bestFit(niches);
    const nicheSelect = h(
      'select',
      { id: 'ms-niche', 'data-microscout-field': 'niche', disabled: !niches.length },
      niches.length
        ? niches.map((fit) => h('option', { value: fit.niche, selected: fit === best }, fit.name ?? fit.niche))
        : h('option', { value: '' }, 'no niches yet'),
    );
    const statusSelect = h(
      'select',
      { id: 'ms-status', 'data-microscout-field': 'status' },
      STATUSES.map((status) => h('option', { value: status, selected: status === 'shortlisted' }, status)),
    );
    const note = h('textarea', {
      id: 'ms-note',
      'data-microscout-field': 'note',
      rows: '2',
      placeholder: 'A note for your team (optional)',
    });
    const labelResult = h('p', {
      class: 'result',
      role: 'status',
      'aria-live': 'polite',
      'data-microscout-result': 'label',
    });
    const saveResult = h('p', {
      class: 'result',
      role: 'status',
      'aria-live': 'polite',
      'data-microscout-result': 'save',
    });

    // A click listener for real clicks only (shadow.js): page script cannot save or label.
    const run = (button, result, work, success) =>
      trusted(async () => {
        button.disabled = true;
        result.textContent = 'Sending…';
        delete result.dataset.ok;
        try {
          const answer = await work();
          if (answer?.ok) {
            result.textContent = success();
            result.dataset.ok = 'true';
          } else {
            showResult(result, answer);
          }
        } finally {
          if (button.isConnected) button.disabled = false;
        }
      });
    const nicheName = () => nicheSelect.selectedOptions[0]?.textContent ?? nicheSelect.value;
    const fit = h('button', { type: 'button', 'data-microscout-action': 'fit', disabled: !niches.length }, 'Good fit');
    const notFit = h(
      'button',
      { type: 'button', 'data-microscout-action': 'not-fit', disabled: !niches.length },
      'Not a fit',
    );
    fit.addEventListener(
      'click',
      run(
        fit,
        labelResult,
        () => this.actions.label?.('fit', nicheSelect.value),
        () => `Labelled a good fit for ${nicheName()}.`,
      ),
    );
    notFit.addEventListener(
      'click',
      run(
        notFit,
        labelResult,
        () => this.actions.label?.('not-fit', nicheSelect.value),
        () => `Labelled not a fit for ${nicheName()}.`,
      ),
    );
    const save = h('button', { type: 'button', 'data-microscout-action': 'save' }, 'Save to watchlist');
    save.addEventListener(
      'click',
      run(
        save,
        saveResult,
        () => this.actions.save?.({ niche: nicheSelect.value, status: statusSelect.value, note: note.value }),
        () => `Saved as ${statusSelect.value}${nicheSelect.value ? ` for ${nicheName()}` : ''}.`,
      ),
    );

    return h(
      'section',
      { class: 'actions', 'data-section': 'actions', 'aria-label': 'microscout actions' },
      h('div', { class: 'row' }, h('label', { for: 'ms-niche' }, 'Niche'), nicheSelect, fit, notFit),
      labelResult,
      h('div', { class: 'row' }, h('label', { for: 'ms-status' }, 'Status'), statusSelect),
      note,
      h('div', { class: 'row' }, save),
      saveResult,
    );
  }
}

function showResult(element, answer) {
  const { title, hint } = describe(answer ?? {});
  element.textContent =
    hint && answer?.state !== STATE.REJECTED ? `${title}. ${hint}` : `${title}${hint ? `: ${hint}` : ''}.`;
  element.dataset.ok = 'false';
}
