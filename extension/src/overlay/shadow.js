// What keeps page script out of microscout's own UI (the overlay, flag marks, chips). The page
// shares the DOM with us, so two rules:
// - shadow roots are closed: `host.shadowRoot` is null to the page, so it can neither read the
//   brand's niche names nor find a button to press;
// - listeners act on trusted events only: a real click or key press is trusted, while
//   `element.click()` or `dispatchEvent(...)` from any script is not, whoever got hold of the element.
// Tests reach inside the way DevTools does (tests/browser/closed_shadow.py); nothing here helps them.

/** Attach a closed shadow root with ``css`` to ``host`` and return it; keep it private. */
export function closedRoot(host, css) {
  const root = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = css;
  root.append(style);
  return root;
}

/** ``listener`` wrapped to run for trusted events (real user input) only; others are dropped. */
export function trusted(listener) {
  return function onTrustedEvent(event) {
    if (event?.isTrusted !== true) return undefined;
    return listener.call(this, event);
  };
}
