// Server answers cached per creator for a few minutes: scores, and the short glances chips show on
// scroll pages. The worker is evicted whenever Chrome likes, so the cache lives in
// chrome.storage.session (memory only, gone when the browser closes, not readable by content
// scripts), never in module globals.

/** What each cache keeps: key prefix, how long an answer stays good, how many answers at most. */
export const SCORE = Object.freeze({ prefix: 'score:', ttlMs: 5 * 60 * 1000, max: 200 });
export const GLANCE = Object.freeze({ prefix: 'glance:', ttlMs: 10 * 60 * 1000, max: 2000 });
export const TTL_MS = SCORE.ttlMs;

export function cacheKey(platform, handle, kind = SCORE) {
  return `${kind.prefix}${platform}:${String(handle).toLowerCase()}`;
}

/**
 * A fingerprint of what was captured (everything but the capture time), so a cached answer is
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

/** The cached {print, value, at} for each [key, print] pair (one storage read), or null. */
export async function readMany(pairs, now = Date.now(), area = chrome.storage.session, kind = SCORE) {
  if (!pairs.length) return [];
  const stored = await area.get(pairs.map(([key]) => key));
  return pairs.map(([key, print]) => {
    const entry = stored[key];
    return entry && entry.print === print && now - entry.at <= kind.ttlMs ? entry : null;
  });
}

export async function readCached(key, print, now = Date.now(), area = chrome.storage.session, kind = SCORE) {
  return (await readMany([[key, print]], now, area, kind))[0];
}

/** Store each [key, print, value] (one storage write), then drop what expired or overflows. */
export async function writeMany(entries, now = Date.now(), area = chrome.storage.session, kind = SCORE) {
  if (!entries.length) return;
  await area.set(Object.fromEntries(entries.map(([key, print, value]) => [key, { print, value, at: now }])));
  await prune(now, area, kind);
}

export async function writeCached(key, print, value, now = Date.now(), area = chrome.storage.session, kind = SCORE) {
  await writeMany([[key, print, value]], now, area, kind);
}

/** Forget every cached score and glance. */
export async function clearCached(area = chrome.storage.session) {
  const all = await area.get(null);
  const prefixes = [SCORE.prefix, GLANCE.prefix];
  await area.remove(Object.keys(all).filter((k) => prefixes.some((p) => k.startsWith(p))));
}

async function prune(now, area, kind) {
  const all = await area.get(null);
  const entries = Object.entries(all).filter(([k]) => k.startsWith(kind.prefix));
  const stale = new Set(entries.filter(([, v]) => now - (v?.at ?? 0) > kind.ttlMs).map(([k]) => k));
  const fresh = entries.filter(([k]) => !stale.has(k)).sort((a, b) => b[1].at - a[1].at);
  const excess = fresh.slice(kind.max).map(([k]) => k);
  if (stale.size || excess.length) await area.remove([...stale, ...excess]);
}
