// The panel's sections, one per part of the server's score (DESIGN.md "Score"). Each shows its
// number, what it was computed from, its reasons and evidence. Fields the server leaves out are
// skipped, never shown as zero.

import { h } from './dom.js';

export function roundScore(value) {
  return Number.isFinite(value) ? Math.round(value) : null;
}

export function band(value) {
  if (!Number.isFinite(value)) return 'none';
  return value >= 70 ? 'good' : value >= 40 ? 'mid' : 'bad';
}

const percent = (value, digits = 0) => (Number.isFinite(value) ? `${(value * 100).toFixed(digits)}%` : null);
const rate = (value) => percent(value, 2);
const plain = (value) => (Number.isFinite(value) ? String(Math.round(value)) : null);
const count = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString() : null);

/** <dl> of [label, formatted] pairs, skipping those whose value is missing. */
function facts(pairs) {
  const rows = pairs.filter(([, value]) => value !== null && value !== undefined && value !== '');
  if (!rows.length) return null;
  return h(
    'dl',
    {},
    rows.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]),
  );
}

function reasons(list) {
  const items = Array.isArray(list) ? list.filter((r) => typeof r === 'string' && r) : [];
  return items.length
    ? h(
        'ul',
        { class: 'reasons' },
        items.map((r) => h('li', {}, r)),
      )
    : null;
}

function heading(title, value, confidence) {
  return h(
    'h3',
    {},
    h('span', {}, title),
    h('span', { class: 'num' }, Number.isFinite(value) ? String(Math.round(value)) : 'not scored'),
    confidence ? h('span', { class: 'pill' }, `${confidence} confidence`) : null,
  );
}

function quote(text, max = 140) {
  const value = String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return value.length > max ? `“${value.slice(0, max - 1)}…”` : `“${value}”`;
}

function evidence(title, items) {
  if (!Array.isArray(items) || !items.length) return null;
  return [
    h('h4', {}, title),
    h(
      'ul',
      { class: 'evidence' },
      items.map((item) =>
        h(
          'li',
          {},
          quote(item.caption),
          Number.isFinite(item.similarity)
            ? h('span', { class: 'muted' }, ` similarity ${item.similarity.toFixed(2)}`)
            : null,
        ),
      ),
    ),
  ];
}

/** The niche with the highest score (the one the overall blends in), or undefined. */
export function bestFit(fits) {
  return [...(fits ?? [])].filter((f) => Number.isFinite(f.score)).sort((a, b) => b.score - a.score)[0];
}

export function overallSection(overall) {
  return h(
    'section',
    { 'data-section': 'overall' },
    heading('Overall', overall?.score, overall?.confidence),
    reasons(overall?.reasons),
  );
}

export function nicheSection(fits) {
  if (!Array.isArray(fits) || !fits.length) {
    return h(
      'section',
      { 'data-section': 'niche-fit' },
      h('h3', {}, 'Niche fit'),
      h('p', { class: 'muted' }, 'No niches on the server yet: add your brand’s niches on the dashboard to see fit.'),
    );
  }
  const best = bestFit(fits);
  // One line per niche; the best one opens with its reasons and evidence, the others on demand.
  return h(
    'section',
    { 'data-section': 'niche-fit' },
    h('h3', {}, 'Niche fit'),
    fits.map((fit) =>
      h(
        'details',
        {
          'data-niche': fit.niche,
          open: fit === best,
        },
        h(
          'summary',
          {},
          h(
            'span',
            { class: 'niche-title' },
            `${fit.name ?? fit.niche}: ${Number.isFinite(fit.score) ? Math.round(fit.score) : 'not scored'}`,
          ),
          Number.isFinite(fit.on_niche_share)
            ? h('span', { class: 'muted' }, ` · ${percent(fit.on_niche_share)} of posts on the niche`)
            : null,
          fit.method === 'trained' ? h('span', { class: 'pill' }, 'trained') : null,
        ),
        facts([
          [
            'method',
            fit.method
              ? `${fit.method}${fit.model_version && fit.model_version !== fit.method ? ` (${fit.model_version})` : ''}`
              : null,
          ],
          ['confidence', fit.confidence ?? null],
          ['posts on the niche', percent(fit.on_niche_share)],
          ['organic posts alone', plain(fit.organic_score)],
          ['posts analysed', count(fit.posts_analyzed)],
        ]),
        reasons(fit.reasons),
        evidence('Best matching posts', fit.evidence?.best),
        evidence('Weakest matching posts', fit.evidence?.worst),
      ),
    ),
  );
}

function shareOf(section, name) {
  return section?.[`${name}_share`];
}

export function authenticitySection(auth) {
  const flagged = Array.isArray(auth?.flagged) ? auth.flagged : [];
  const repeat = auth?.repeat_commenters;
  const repeatText = Number.isFinite(repeat)
    ? count(repeat)
    : repeat && typeof repeat === 'object'
      ? repeatSummary(repeat)
      : null;
  return h(
    'section',
    { 'data-section': 'authenticity' },
    heading('Comment authenticity', auth?.score, auth?.confidence),
    facts([
      ['comments analysed', count(auth?.comments_analyzed)],
      ['genuine', percent(shareOf(auth, 'genuine'))],
      ['generic', percent(shareOf(auth, 'generic'))],
      ['spam', percent(shareOf(auth, 'spam'))],
      ['copy-paste', percent(auth?.duplicate_share)],
      ['about the post', percent(auth?.relevance?.on_post_share)],
      ['posts where the creator replies', percent(numberOf(auth?.creator_reply_rate))],
      ['questions answered', questionsText(auth?.questions_answered)],
      ['repeat commenters', repeatText],
      ['flagged', flagged.length ? count(flagged.length) : null],
    ]),
    reasons(auth?.reasons),
    flagged.length
      ? [
          h('h4', {}, 'Flagged comments'),
          h(
            'ul',
            {},
            flagged
              .slice(0, 8)
              .map((item) => h('li', {}, quote(item.text, 100), ' ', h('span', { class: 'muted' }, flagReason(item)))),
          ),
        ]
      : null,
  );
}

function numberOf(value) {
  if (Number.isFinite(value)) return value;
  if (value && typeof value === 'object' && Number.isFinite(value.value)) return value.value;
  return null;
}

function questionsText(questions) {
  if (!questions || !Number.isFinite(questions.asked) || questions.asked === 0) return null;
  return `${questions.answered ?? 0} of ${questions.asked}`;
}

function repeatSummary(repeat) {
  const parts = [];
  for (const [key, value] of Object.entries(repeat)) {
    const n = Array.isArray(value) ? value.length : Number.isFinite(value) ? value : null;
    if (n !== null) parts.push(`${key.replaceAll('_', ' ')}: ${n}`);
  }
  return parts.join(', ') || null;
}

export function flagReason(item) {
  const list = Array.isArray(item?.reasons) ? item.reasons.filter((r) => typeof r === 'string') : [];
  const label = typeof item?.label === 'string' ? item.label : 'flagged';
  return list.length ? `${label}: ${list[0]}` : label;
}

export function engagementSection(eng) {
  const refs = Array.isArray(eng?.references) ? eng.references : [];
  return h(
    'section',
    { 'data-section': 'engagement' },
    heading('Engagement', eng?.score, eng?.confidence),
    facts([
      ['rate (median, per follower)', rate(eng?.rate)],
      ['rate per view', rate(numberOf(eng?.view_rate))],
      ['views per post, per follower', percent(numberOf(eng?.views_per_follower))],
      [
        'percentile among peers',
        Number.isFinite(eng?.percentile)
          ? `${Math.round(eng.percentile)} (of ${count(peerCount(eng)) ?? '?'} ${eng?.tier ?? ''} creators)`
          : null,
      ],
      ['tier', eng?.tier ?? null],
      ['posts analysed', count(eng?.posts_analyzed)],
    ]),
    reasons(eng?.reasons),
    refs.length
      ? [
          h('h4', {}, 'Published reference points'),
          h(
            'ul',
            {},
            refs.map((ref) =>
              h(
                'li',
                {},
                `${ref.source?.publisher ?? ''} ${ref.source?.year ?? ''}: `.trimStart(),
                Number.isFinite(ref.value)
                  ? `${rate(ref.value)} (${ref.definition ?? 'definition not given'})`
                  : (ref.note ?? 'no figure'),
              ),
            ),
          ),
        ]
      : null,
  );
}

function peerCount(eng) {
  return Number.isFinite(eng?.peers) ? eng.peers : Array.isArray(eng?.peers) ? eng.peers.length : null;
}

/** ``captions``: post id -> caption from the snapshot (the score names posts by id only). */
export function disclosureSection(disc, captions = new Map()) {
  const posts = Array.isArray(disc?.posts) ? disc.posts : [];
  const sponsored = posts.filter((p) => p?.sponsored);
  return h(
    'section',
    { 'data-section': 'disclosure' },
    heading('Disclosure', disc?.score, disc?.confidence),
    facts([
      [
        'sponsored posts',
        Number.isFinite(disc?.sponsored_share)
          ? `${percent(disc.sponsored_share)} of posts`
          : sponsored.length
            ? count(sponsored.length)
            : null,
      ],
      [
        'clearly disclosed',
        Number.isFinite(disc?.disclosed_share) ? `${percent(disc.disclosed_share)} of those` : null,
      ],
      ['posts analysed', count(disc?.posts_analyzed)],
    ]),
    reasons(disc?.reasons),
    sponsored.length
      ? [
          h('h4', {}, 'Sponsored posts'),
          h(
            'ul',
            {},
            sponsored
              .slice(0, 8)
              .map((post) =>
                h(
                  'li',
                  {},
                  quote(captions.get(post.post_id) ?? post.post_id, 90),
                  ' ',
                  h(
                    'span',
                    { class: 'pill' },
                    post.disclosed ? 'disclosed' : String(post.status ?? 'not clearly disclosed'),
                  ),
                  reasons(post.issues),
                ),
              ),
          ),
        ]
      : null,
  );
}

const HOOK_STATES = Object.freeze({
  connected: 'connected (private channel)',
  absent: "not connected: the page's API answers were not read",
});

export function captureSection(capture) {
  const sources = capture?.sources && typeof capture.sources === 'object' ? Object.entries(capture.sources) : [];
  const missing = Array.isArray(capture?.missing) ? capture.missing : [];
  return h(
    'section',
    { 'data-section': 'capture' },
    h('h3', {}, 'What was captured'),
    facts([
      ['sources', sources.map(([field, source]) => `${field}: ${source}`).join(', ') || null],
      ['missing', missing.join(', ') || null],
      ['page hook', HOOK_STATES[capture?.hook] ?? null],
    ]),
    reasons(capture?.notes),
  );
}

/** "es 83%, en 17% of 12" for one mix of the score's languages section; null when it read nothing. */
export function languageMix(mix, most = 3) {
  const shares = Array.isArray(mix?.shares) ? mix.shares.filter((s) => typeof s?.code === 'string') : [];
  if (!shares.length) return null;
  const shown = shares.slice(0, most).map((s) => `${s.code} ${percent(s.share) ?? ''}`.trim());
  const more = shares.length > most ? ` +${shares.length - most}` : '';
  return `${shown.join(', ')}${more}${Number.isFinite(mix.texts) ? ` of ${count(mix.texts)}` : ''}`;
}

/** One line: the languages the creator posts in and the comments are written in (und: unknown). */
export function languagesSection(languages) {
  if (!languages || typeof languages !== 'object') return null;
  const posts = languageMix(languages.posts);
  const comments = languageMix(languages.comments);
  if (!posts && !comments) return null;
  const title = Array.isArray(languages.reasons) ? languages.reasons.filter((r) => typeof r === 'string') : [];
  return h(
    'section',
    { 'data-section': 'languages', title: title.join(' ') },
    h(
      'p',
      { class: 'languages' },
      h('strong', {}, 'Languages'),
      posts ? ` · posts: ${posts}` : null,
      comments ? ` · comments: ${comments}` : null,
    ),
  );
}
