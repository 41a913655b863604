// Where the overlay goes on each page: right after the profile header (or the video's title block),
// in the page's own flow, so it pushes content down instead of covering the page's controls.
// Stable hooks only: landmarks, data-e2e attributes, YouTube's element names and ids.

const ANCHORS = {
  instagram: {
    profile: ['main header'],
    post: ['div[role="dialog"] article header', 'main article header'],
  },
  tiktok: {
    profile: ['[data-e2e="user-bio"]', '[data-e2e="user-subtitle"]', '[data-e2e="user-title"]'],
    video: ['[data-e2e="browse-video-desc"]', '[data-e2e="video-desc"]'],
  },
  youtube: {
    profile: [
      '#page-header yt-page-header-renderer',
      '#page-header',
      'ytd-c4-tabbed-header-renderer',
      '#channel-header',
    ],
    video: ['ytd-watch-metadata', '#above-the-fold', '#info-contents'],
  },
};

/** The element to mount after, or null (the overlay then floats in a corner). */
export function findAnchor(platform, kind, root = document) {
  for (const selector of ANCHORS[platform]?.[kind] ?? []) {
    const element = root.querySelector(selector);
    if (element && element.isConnected && element.getClientRects().length) return element;
  }
  return null;
}

/**
 * "dark" when the page around ``element`` is dark (the sites keep their own theme switch, so
 * prefers-color-scheme alone would be wrong), else "light".
 */
export function pageTheme(element = document.body) {
  for (let node = element; node; node = node.parentElement) {
    const rgba = parseColor(getComputedStyle(node).backgroundColor);
    if (rgba && rgba[3] > 0.5) return luminance(rgba) < 0.4 ? 'dark' : 'light';
  }
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function parseColor(value) {
  const match = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)/.exec(value ?? '');
  if (!match) return null;
  let alpha = match[4] === undefined ? 1 : Number.parseFloat(match[4]);
  if (match[4]?.endsWith('%')) alpha /= 100;
  return [Number(match[1]), Number(match[2]), Number(match[3]), alpha];
}

export function luminance([r, g, b]) {
  const channel = (c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}
