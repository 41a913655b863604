// The server's vocabulary (server/vocab.py), as the extension uses it. A node test reads the
// server's export (test/fixtures/vocab.json, kept in step by a pytest) and fails when they differ.

export const PLATFORMS = Object.freeze(['instagram', 'tiktok', 'youtube']);
export const TIERS = Object.freeze(['nano', 'micro', 'mid', 'macro', 'mega']);
export const STATUSES = Object.freeze([
  'discovered',
  'shortlisted',
  'contacted',
  'negotiating',
  'partnered',
  'declined',
]);
export const FIT_LABELS = Object.freeze(['fit', 'not_fit']);
export const COMMENT_LABELS = Object.freeze(['genuine', 'generic', 'spam']);
