// Content scripts declared in the manifest are classic scripts; this one loads the module graph.
(async () => {
  try {
    const { start } = await import(chrome.runtime.getURL('content/content-main.js'));
    start();
  } catch (error) {
    // An overlay that cannot start must never break the page; say why in the console only.
    console.warn('microscout: could not start', error);
  }
})();
