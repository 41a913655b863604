// What a scroll page has shown of each creator: their posts' texts (the first ten), a follower count
// when the page gave one, where they were seen, and the glance answer for exactly that. Pure: no
// DOM, no chrome.*; chips.js asks the service worker and draws, this decides who needs asking and
// what a chip says.

import { GLANCE_LIMITS } from '../platforms/feed.js';
import { STATE } from '../shared/messages.js';
import { describe } from '../shared/state-text.js';

export const creatorKey = (platform, handle) => `${platform}:${String(handle).toLowerCase()}`;

export class CreatorBook {
  constructor() {
    this.creators = new Map(); // key -> creator
    this.posts = new Map(); // post id -> creator key
  }

  /** Take in glance items (platforms/feed.js); returns the creators that are new or have new texts. */
  add(items) {
    const changed = new Set();
    for (const item of items) {
      const key = creatorKey(item.platform, item.handle);
      let creator = this.creators.get(key);
      if (!creator) {
        creator = {
          key,
          platform: item.platform,
          handle: item.handle,
          texts: [],
          followers: undefined,
          seen_on: item.seen_on,
          answer: null,
          answered: null,
          answerPosts: 0, // how many of the texts the answer is from
          asking: null,
          askingPosts: 0,
          problem: null,
        };
        this.creators.set(key, creator);
        changed.add(creator);
      }
      for (const text of item.texts ?? []) {
        if (creator.texts.length < GLANCE_LIMITS.texts && !creator.texts.includes(text)) {
          creator.texts.push(text);
          changed.add(creator);
        }
      }
      if (creator.followers === undefined && Number.isInteger(item.followers)) {
        creator.followers = item.followers;
        changed.add(creator);
      }
      if (item.post_id) this.posts.set(String(item.post_id), key);
    }
    return [...changed];
  }

  byPost(postId) {
    const key = this.posts.get(String(postId));
    return key ? this.creators.get(key) : null;
  }

  byHandle(platform, handle) {
    return this.creators.get(creatorKey(platform, handle)) ?? null;
  }

  /**
   * True when the creator has texts and no answer (nor a request on the way) for what is known
   * now, and is not waiting out a failed request.
   */
  needsGlance(creator, now = Date.now()) {
    const known = print(glanceOf(creator));
    return (
      creator.texts.length > 0 && creator.answered !== known && creator.asking !== known && !(now < creator.retryAt)
    );
  }

  /** Mark ``creators`` as asked; the glance request's `creators` list for them. */
  ask(creators) {
    return creators.map((creator) => {
      const body = glanceOf(creator);
      creator.asking = print(body);
      creator.askingPosts = body.texts.length;
      return body;
    });
  }

  /**
   * The service worker's answer to ask(creators): per creator an answer, or the request's failure
   * (asked again after retryDelay).
   */
  settle(creators, answer, now = Date.now()) {
    creators.forEach((creator, i) => {
      const got = answer?.creators?.[i];
      if (got && typeof got === 'object') {
        creator.answer = got;
        creator.answered = creator.asking;
        creator.answerPosts = creator.askingPosts;
        creator.problem = null;
        creator.retryAt = undefined;
      } else {
        creator.problem =
          answer?.ok === false ? answer : { state: STATE.EXTENSION_ERROR, message: 'No answer for this creator.' };
        creator.retryAt = now + retryDelay(creator.problem);
      }
      creator.asking = null;
    });
  }

  /** The earliest time after ``now`` a failed creator may be asked again, or null. */
  nextRetry(now = Date.now()) {
    const times = [...this.creators.values()].map((c) => c.retryAt).filter((t) => Number.isFinite(t) && t > now);
    return times.length ? Math.min(...times) : null;
  }
}

/**
 * How long to wait before asking again after a failure: what the server asked for while it starts
 * or rate-limits, longer when only the user can fix it (settings, token, an older server).
 */
export function retryDelay(problem) {
  const seconds = Number.isFinite(problem?.retryAfter) ? problem.retryAfter : null;
  switch (problem?.state) {
    case STATE.LOADING:
    case STATE.RATE_LIMITED:
      return Math.min(Math.max(seconds ?? 3, 1), 60) * 1000;
    case STATE.OFFLINE:
    case STATE.TIMEOUT:
    case STATE.SERVER_ERROR:
      return 20_000;
    default:
      return 60_000;
  }
}

/** The glance request entry for a creator: DESIGN.md POST /v1/glance. */
export function glanceOf(creator) {
  const body = { platform: creator.platform, handle: creator.handle, texts: [...creator.texts] };
  if (creator.followers !== undefined) body.followers = creator.followers;
  if (creator.seen_on) body.seen_on = { ...creator.seen_on };
  return body;
}

const print = (body) => JSON.stringify(body);

/** The niche with the highest score in a glance answer, or null. */
export function bestNiche(answer) {
  const fits = (Array.isArray(answer?.niche_fit) ? answer.niche_fit : []).filter((f) => Number.isFinite(f?.score));
  return fits.sort((a, b) => b.score - a.score)[0] ?? null;
}

/**
 * What a chip shows for a creator: {state, fit (0-100 or null), label, title, tier, overall, posts}.
 * `state` is "pending", "ok", or the failure's STATE (a calm dash, the reason in the title). When
 * asking about newer posts failed, the chip keeps the last answer, says how many posts it is from
 * (`posts`) and why it is not newer.
 */
export function chipView(creator) {
  const who = `@${creator.handle}`;
  const answer = creator.answer;
  if (!answer) {
    if (creator.problem) {
      const { title, hint } = describe(creator.problem);
      return {
        state: creator.problem.state,
        fit: null,
        label: '–',
        title: `microscout: ${title}${hint ? `. ${hint}` : ''}`,
        tier: null,
        overall: null,
        posts: 0,
      };
    }
    return {
      state: 'pending',
      fit: null,
      label: '…',
      title: `microscout: looking at ${who}…`,
      tier: null,
      overall: null,
      posts: 0,
    };
  }
  const best = bestNiche(answer);
  const fit = best ? Math.max(0, Math.min(100, Math.round(best.score))) : null;
  const tier = typeof answer.tier === 'string' && answer.tier ? answer.tier : null;
  const watch = answer.watchlist && typeof answer.watchlist === 'object' ? answer.watchlist : null;
  const overall = Number.isFinite(watch?.overall) ? Math.round(watch.overall) : null;
  const posts = creator.answerPosts;
  const stale = creator.problem ? describe(creator.problem).title : null;
  const parts = [
    fit === null
      ? 'no niche fit yet'
      : `best fit ${fit} (${best.name ?? best.niche}) from ${posts} post${posts === 1 ? '' : 's'} seen`,
    tier ? `${tier} creator` : null,
    watch
      ? `on your watchlist${watch.status ? ` (${watch.status})` : ''}${overall === null ? '' : `, overall ${overall}`}`
      : null,
    stale ? `newer posts not scored yet: ${stale}` : null,
  ];
  return {
    state: STATE.OK,
    fit,
    tier,
    overall,
    posts,
    label: [fit === null ? '–' : String(fit), tier, overall === null ? null : `★${overall}`]
      .filter(Boolean)
      .join(' · '),
    title: `microscout, ${who}: ${parts.filter(Boolean).join('; ')}`,
  };
}
