// The overlay's stylesheet, scoped by its shadow root so page CSS cannot reach in (nor ours out).
// Two themes: the host's data-theme follows the page's own background. The host's layout is its
// inline style (see overlay.js): inline beats the page's own CSS, and :host rules would lose to
// both. Text styles start at .card, inside the shadow root.

export const OVERLAY_CSS = `
:host {
  --fg: #1d1d1f; --muted: #5f6368; --bg: #ffffff; --bg2: #f3f4f6; --line: #d5d7db;
  --accent: #1f6f5c; --good: #1e7d32; --mid: #8a5a00; --bad: #b3261e; --focus: #1a73e8;
}
:host([data-theme="dark"]) {
  --fg: #ececec; --muted: #b0b3b8; --bg: #1f2023; --bg2: #2a2b2f; --line: #44464b;
  --accent: #6fd3b8; --good: #7bd88f; --mid: #f4c56a; --bad: #ff8a80; --focus: #8ab4f8;
}
*, *::before, *::after { box-sizing: border-box; }
.card, .flag { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  text-align: left; letter-spacing: normal; text-transform: none; }
.card { background: var(--bg); border: 1px solid var(--line); border-radius: 10px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
:host([data-placement="floating"]) .panel { max-height: 60vh; overflow: auto; }
button, select, textarea, input { font: inherit; color: inherit; }
button { cursor: pointer; background: var(--bg2); border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; }
button:hover { border-color: var(--accent); }
button:disabled { cursor: default; opacity: .55; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.badge { display: flex; align-items: center; gap: 10px; width: 100%; text-align: left; background: transparent;
  border: 0; border-radius: 10px; padding: 8px 12px; }
.badge:hover { background: var(--bg2); }
.logo { font-weight: 700; letter-spacing: .02em; color: var(--accent); }
.score { font-size: 22px; font-weight: 700; min-width: 2.2ch; text-align: center; font-variant-numeric: tabular-nums; }
.score[data-band="good"] { color: var(--good); } .score[data-band="mid"] { color: var(--mid); }
.score[data-band="bad"] { color: var(--bad); }
.meta { display: flex; flex-direction: column; line-height: 1.25; }
.meta small, .muted { color: var(--muted); }
.chev { margin-left: auto; color: var(--muted); }
.pill { display: inline-block; border: 1px solid var(--line); border-radius: 999px; padding: 0 7px; font-size: 12px; }
.state-title { font-weight: 600; }
.panel { border-top: 1px solid var(--line); padding: 4px 12px 12px; }
.panel[hidden] { display: none; }
section { padding: 8px 0; border-bottom: 1px solid var(--line); }
section:last-of-type { border-bottom: 0; }
h3 { font-size: 13px; margin: 0 0 4px; display: flex; gap: 8px; align-items: baseline; }
h3 .num { font-variant-numeric: tabular-nums; }
details { margin: 2px 0; }
summary { cursor: pointer; padding: 2px 0; }
summary .niche-title { font-weight: 600; }
details[open] > summary { margin-bottom: 2px; }
h4 { font-size: 12px; margin: 6px 0 2px; color: var(--muted); font-weight: 600; }
ul { margin: 2px 0; padding-left: 18px; }
li { margin: 1px 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 1px 12px; margin: 4px 0; }
dt { color: var(--muted); } dd { margin: 0; font-variant-numeric: tabular-nums; }
.evidence li { overflow-wrap: anywhere; }
.warn { border-left: 3px solid var(--mid); padding: 4px 8px; background: var(--bg2); margin: 8px 0; border-radius: 4px; }
.actions { display: grid; gap: 6px; padding-top: 8px; justify-items: start; }
.actions textarea { justify-self: stretch; }
.row { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
label { color: var(--muted); }
select, textarea, input { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 3px 6px; }
textarea { width: 100%; min-height: 3.2em; resize: vertical; }
.result { margin: 0; }
.result[data-ok="true"] { color: var(--good); } .result[data-ok="false"] { color: var(--bad); }
.bars { display: grid; gap: 8px; margin: 6px 0 2px; }
.bar-head { display: flex; gap: 8px; align-items: baseline; }
.bar-label { font-weight: 600; }
.bar-head .num { margin-left: auto; font-weight: 700; font-variant-numeric: tabular-nums; }
.bar { display: block; height: 8px; border-radius: 4px; background: var(--bg2); border: 1px solid var(--line); overflow: hidden; }
.fill { display: block; height: 100%; background: var(--muted); }
.fill[data-band="good"] { background: var(--good); } .fill[data-band="mid"] { background: var(--mid); }
.fill[data-band="bad"] { background: var(--bad); }
.headline { margin: 2px 0 0; }
details.more { margin-top: 8px; border-top: 1px solid var(--line); padding-top: 4px; }
details.more > summary { font-weight: 600; color: var(--accent); }
.pill.bad { border-color: var(--bad); color: var(--bad); }
.voices li { overflow-wrap: anywhere; }
.flag { display: inline-flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 2px 0; padding: 2px 8px;
  border: 1px solid var(--bad); border-radius: 6px; background: var(--bg); font-size: 12px; }
.flag strong { color: var(--bad); }
`;
