// Scores cached per creator for a few minutes. The worker is evicted whenever Chrome likes, so
// the cache lives in chrome.storage.session (memory only, gone when the browser closes, not
// readable by content scripts), never in module globals.

export const TTL_MS = 5 * 60 * 1000;
const PREFIX = 'score:';
const MAX_ENTRIES = 200;

export function cacheKey(platform, handle) {
  return `${PREFIX}${platform}:${String(handle).toLowerCase()}`;
}

/**
 * A fingerprint of what was captured (everything but the capture time), so a cached score is
 * reused only for the same data: more comments loaded means a new score.
 */
export async function fingerprint(value) {
  const { captured_at: _ignored, ...rest } = value;
  const bytes = new TextEncoder().encode(stableJson(rest));
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function stableJson(value) {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export async function readCached(key, print, now = Date.now(), area = chrome.storage.session) {
  const entry = (await area.get(key))[key];
  if (!entry || entry.print !== print || now - entry.at > TTL_MS) return null;
  return entry;
}

export async function writeCached(key, print, score, now = Date.now(), area = chrome.storage.session) {
  await area.set({ [key]: { print, score, at: now } });
  await prune(now, area);
}

export async function clearCached(area = chrome.storage.session) {
  const all = await area.get(null);
  await area.remove(Object.keys(all).filter((k) => k.startsWith(PREFIX)));
}

async function prune(now, area) {
  const all = await area.get(null);
  const entries = Object.entries(all).filter(([k]) => k.startsWith(PREFIX));
  const stale = entries.filter(([, v]) => now - (v?.at ?? 0) > TTL_MS).map(([k]) => k);
  const fresh = entries.filter(([k]) => !stale.includes(k)).sort((a, b) => b[1].at - a[1].at);
  const excess = fresh.slice(MAX_ENTRIES).map(([k]) => k);
  if (stale.length || excess.length) await area.remove([...stale, ...excess]);
}
