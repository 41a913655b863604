// A chip: one small label next to a post's author on a scroll page, with the creator's best niche
// fit, tier and watchlist overall. Inside its own closed shadow root (page CSS cannot reach in, and
// page script cannot read the niche names in its title; shadow.js), built from text only, no images. The host carries what tests and users' tooling read:
// data-microscout-chip, data-platform, data-handle (bare), data-fit (0-100, empty while unknown),
// data-state ("pending", "ok", or why there is no number), data-tier, data-overall.

import { h, replace } from './dom.js';
import { band } from './sections.js';
import { closedRoot } from './shadow.js';

export const CHIP_TAG = 'microscout-chip';

// Inline, so page CSS cannot move the host. "inline" sits in the author's line; "tile" overlays
// the bottom corner of a grid tile without taking space (absolute, at its static position).
const HOST_STYLE = {
  inline: 'all: initial; display: inline-block; vertical-align: middle; margin: 0 0 0 6px; line-height: 0;',
  tile: 'all: initial; display: block; position: absolute; z-index: 2; margin: -30px 0 0 6px; line-height: 0;',
};

const CHIP_CSS = `
:host { --fg: #1d1d1f; --muted: #5f6368; --bg: #ffffff; --line: #d5d7db; --good: #1e7d32; --mid: #8a5a00; --bad: #b3261e; }
:host([data-theme="dark"]) { --fg: #ececec; --muted: #b0b3b8; --bg: #1f2023; --line: #44464b; --good: #7bd88f; --mid: #f4c56a; --bad: #ff8a80; }
.chip { display: inline-flex; align-items: center; gap: 4px; padding: 1px 7px; border: 1px solid var(--line);
  border-radius: 999px; background: var(--bg); color: var(--fg); white-space: nowrap; cursor: default;
  font: 600 11px/16px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; letter-spacing: normal; text-transform: none; }
.logo { color: var(--muted); font-weight: 700; }
.chip[data-band="good"] .value { color: var(--good); } .chip[data-band="mid"] .value { color: var(--mid); }
.chip[data-band="bad"] .value { color: var(--bad); }
.chip[data-state="pending"] .value, .chip[data-problem] .value { color: var(--muted); }
`;

export class Chip {
  /** A chip for one creator's post; ``theme`` is "light" or "dark" (the page's own background). */
  constructor({ platform, handle, postId = null, theme = 'light' }) {
    this.host = document.createElement(CHIP_TAG);
    this.host.setAttribute('data-microscout-chip', '');
    this.host.dataset.platform = platform;
    this.host.dataset.handle = handle;
    if (postId) this.host.dataset.postId = postId;
    this.host.dataset.theme = theme;
    this.host.dataset.fit = '';
    const root = closedRoot(this.host, CHIP_CSS);
    this.label = h('span', { class: 'chip', role: 'note' });
    root.append(this.label);
    // the chip is not a link: a click on it must not open the post under it
    this.host.addEventListener('click', (event) => event.stopPropagation());
  }

  /** Draw ``view`` (glance-book.js chipView). */
  show(view) {
    const d = this.host.dataset;
    d.state = view.state;
    d.fit = view.fit === null ? '' : String(view.fit);
    d.tier = view.tier ?? '';
    d.overall = view.overall === null ? '' : String(view.overall);
    d.posts = String(view.posts ?? 0); // how many posts the drawn answer is from
    this.label.dataset.state = view.state;
    this.label.dataset.band = band(view.fit);
    if (view.state !== 'pending' && view.state !== 'ok') this.label.dataset.problem = '';
    else delete this.label.dataset.problem;
    this.label.title = view.title;
    this.label.setAttribute('aria-label', view.title);
    replace(
      this.label,
      h('span', { class: 'logo', 'aria-hidden': 'true' }, 'μ'),
      h('span', { class: 'value' }, view.label),
    );
  }

  /** Put the chip right after ``anchor``: in its line, or over the corner of a tile. */
  place(anchor, mode = 'inline') {
    if (this.host.dataset.placement !== mode) {
      this.host.dataset.placement = mode;
      this.host.setAttribute('style', HOST_STYLE[mode]);
    }
    if (anchor.nextSibling !== this.host) anchor.after(this.host);
  }

  isPlacedAfter(anchor) {
    return this.host.isConnected && anchor.nextSibling === this.host;
  }

  remove() {
    this.host.remove();
  }
}
