// Counts as platforms print them: "12.3K", "1,2 Mio.", "12,3 mil", "1.2万", "١٢٫٣ ألف", "19.924".
// The page's language decides what an abbreviation and a lone separator mean; exact integers from
// JSON always beat text, so parseCount is the fallback, exactCount the first choice.

/** The server's upper bound for any count (server/schemas.py MAX_COUNT). */
export const MAX_COUNT = 1e11;

// Unicode decimal digit blocks (zero code point of each) that pages use for counts.
const DIGIT_ZEROS = [
  0x0660, // Arabic-Indic
  0x06f0, // Extended Arabic-Indic (Persian, Urdu)
  0x0966, // Devanagari
  0x09e6, // Bengali
  0x0a66, // Gurmukhi
  0x0ae6, // Gujarati
  0x0be6, // Tamil
  0x0c66, // Telugu
  0x0ce6, // Kannada
  0x0d66, // Malayalam
  0x0e50, // Thai
  0x1040, // Myanmar
  0xff10, // full-width
];

// Abbreviations any language may use; a language's own table (below) wins over this one.
const COMMON_UNITS = {
  k: 1e3,
  m: 1e6,
  b: 1e9,
  bn: 1e9,
  mn: 1e6,
  thousand: 1e3,
  million: 1e6,
  millions: 1e6,
  billion: 1e9,
  lakh: 1e5,
  crore: 1e7,
  mil: 1e3,
  mi: 1e6,
  bi: 1e9, // pt, es: "12,3 mil" is thousand, "1,2 mi" million
  tsd: 1e3,
  mio: 1e6,
  mrd: 1e9, // de
  tys: 1e3,
  mln: 1e6,
  mld: 1e9, // pl, it, nl
  rb: 1e3,
  ribu: 1e3,
  jt: 1e6,
  juta: 1e6, // id
  тыс: 1e3,
  тис: 1e3,
  млн: 1e6,
  млрд: 1e9, // ru, uk
  χιλ: 1e3,
  εκ: 1e6, // el
  ألف: 1e3,
  آلاف: 1e3,
  مليون: 1e6,
  ملايين: 1e6,
  مليار: 1e9, // ar
  هزار: 1e3,
  میلیون: 1e6,
  میلیارد: 1e9, // fa
  हज़ार: 1e3,
  हजार: 1e3,
  लाख: 1e5,
  करोड़: 1e7,
  करोड: 1e7, // hi
  千: 1e3,
  万: 1e4,
  萬: 1e4,
  亿: 1e8,
  億: 1e8, // zh, ja
  천: 1e3,
  만: 1e4,
  억: 1e8, // ko
  พัน: 1e3,
  หมื่น: 1e4,
  แสน: 1e5,
  ล้าน: 1e6, // th
};

// Where a language gives a common letter another meaning.
const LANGUAGE_UNITS = {
  id: { m: 1e9, miliar: 1e9, rb: 1e3, jt: 1e6 }, // "3,4 M" = 3.4 miliar
  tr: { b: 1e3, bin: 1e3, mn: 1e6, mr: 1e9, mlr: 1e9, milyon: 1e6, milyar: 1e9 }, // "12,3 B" = bin
  pt: { mil: 1e3, mi: 1e6, bi: 1e9, m: 1e6 },
  es: { mil: 1e3, m: 1e6, mill: 1e6 },
  fr: { md: 1e9, mds: 1e9 }, // milliard
  cs: { tis: 1e3, mil: 1e6, mld: 1e9 },
  sk: { tis: 1e3, mil: 1e6, mld: 1e9 },
  ro: { mii: 1e3, mil: 1e6, mld: 1e9 },
  vi: { n: 1e3, nghìn: 1e3, tr: 1e6, triệu: 1e6, tỷ: 1e9 },
};

// Scripts written without spaces: the unit is a prefix of the word that follows ("1.2万回視聴").
const UNSPACED = /^[\u0e00-\u0e7f\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff]/u;

const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
// A number: digits, optionally grouped or split by . , ' ’ spaces, Arabic decimal/thousands marks.
const NUMBER =
  /(?<sign>[-\u2212]?)(?<num>\d+(?:[.,'’\u066b\u066c\s\u00a0\u202f\u2009]\d+)*)\s*(?<unit>[\p{L}\p{M}]*)\.?/u;

const decimals = new Map();

/** The decimal separator of a locale: "." or ",". */
function decimalOf(locale) {
  const key = locale || '';
  if (!decimals.has(key)) {
    let mark = '.';
    try {
      const part = new Intl.NumberFormat(key || undefined).formatToParts(1.5).find((p) => p.type === 'decimal');
      if (part && part.value === ',') mark = ',';
    } catch {
      // an invalid language tag from the page: keep "."
    }
    decimals.set(key, mark);
  }
  return decimals.get(key);
}

function asciiDigits(text) {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0);
    const zero = DIGIT_ZEROS.find((z) => code >= z && code <= z + 9);
    out += zero === undefined ? ch : String(code - zero);
  }
  return out;
}

const tables = new Map();

function unitsFor(locale) {
  const lang = (locale || '').toLowerCase().split(/[-_]/)[0];
  if (!tables.has(lang)) tables.set(lang, { ...COMMON_UNITS, ...(LANGUAGE_UNITS[lang] || {}) });
  return tables.get(lang);
}

function unitOf(word, locale) {
  if (!word) return 1;
  const table = unitsFor(locale);
  const key = word.toLowerCase();
  if (key in table) return table[key];
  if (UNSPACED.test(word)) {
    // longest unit the word starts with, so "หมื่น" wins over nothing and "万回" reads as 万
    const hit = Object.keys(table)
      .filter((u) => key.startsWith(u))
      .sort((a, b) => b.length - a.length)[0];
    if (hit) return table[hit];
  }
  return 1; // "views", "Abonnenten": a plain count
}

/** "1.234.567" / "12,3" / "12 345" / "١٢٫٣" (already ASCII digits) -> a JS number. */
function numberOf(raw, locale, hasUnit) {
  if (raw.includes('\u066b')) {
    // the Arabic decimal mark is unambiguous: everything else groups
    return Number(raw.replace(/[^\d\u066b]/g, '').replace('\u066b', '.'));
  }
  const s = raw.replace(/['’\u066c\s\u00a0\u202f\u2009]/g, '');
  const marks = s.replace(/\d/g, '');
  if (!marks) return Number(s);
  const last = marks[marks.length - 1];
  const lastCount = marks.split(last).length - 1;
  let decimal = null;
  if (marks.includes('.') && marks.includes(',')) {
    decimal = lastCount === 1 ? last : null; // "1,234.5" / "1.234,5"
  } else if (lastCount === 1) {
    const after = s.length - s.lastIndexOf(last) - 1;
    if (!hasUnit)
      decimal = after === 3 ? null : last; // a count has no fraction: "19.924" groups
    else decimal = after !== 3 || last === decimalOf(locale) ? last : null; // Intl only when it matters
  }
  if (decimal === null) return Number(s.replace(/[.,]/g, ''));
  const other = decimal === '.' ? /,/g : /\./g;
  return Number(s.replace(other, '').replace(decimal, '.'));
}

/**
 * Parse a localized count ("12,3 mil", "1.2万", "25m subscribers") into an integer.
 * @param {string|number|null|undefined} text
 * @param {string} [locale] the page's language ("pt-BR", "id", "de-DE"); decides ambiguous forms
 * @returns {number|null} a non-negative integer, or null when there is no count in the text
 */
export function parseCount(text, locale) {
  if (typeof text === 'number') return exactCount(text);
  if (typeof text !== 'string') return null;
  const clean = asciiDigits(text.normalize('NFKC').replace(BIDI, ''));
  const match = NUMBER.exec(clean);
  if (!match || match.groups.sign) return null;
  const unit = unitOf(match.groups.unit, locale);
  const value = numberOf(match.groups.num, locale, unit !== 1) * unit;
  if (!Number.isFinite(value)) return null;
  const rounded = Math.round(value);
  return rounded <= MAX_COUNT ? rounded : null;
}

/**
 * An exact count from JSON: a non-negative finite number, or a string of digits ("6724").
 * @param {unknown} value
 * @returns {number|null}
 */
export function exactCount(value) {
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) value = Number(value);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_COUNT) return null;
  return Math.round(value);
}
