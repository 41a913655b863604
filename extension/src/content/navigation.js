// Single-page navigation: the three sites change pages without loading a document, so content
// scripts do not run again. The Navigation API reaches the isolated world; YouTube also fires
// yt-navigate-finish once its new page has rendered.

/** The part of a URL that names a page (the fragment does not). */
export function pageKey(href) {
  const url = new URL(href);
  return `${url.origin}${url.pathname}${url.search}`;
}

/** Call ``onChange(href)`` whenever the page's URL names a different page, until ``signal`` aborts. */
export function watchNavigation(onChange, signal) {
  let last = pageKey(location.href);
  const check = () => {
    const key = pageKey(location.href);
    if (key === last) return;
    last = key;
    onChange(location.href);
  };
  if (globalThis.navigation?.addEventListener) {
    globalThis.navigation.addEventListener('navigatesuccess', check, { signal });
  }
  document.addEventListener('yt-navigate-finish', check, { signal });
  window.addEventListener('popstate', check, { signal });
}
