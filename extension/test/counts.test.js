import test from 'node:test';
import assert from 'node:assert/strict';

import { exactCount, parseCount } from '../src/platforms/counts.js';

// [text, locale, expected]: what each platform prints in that language, and the integer it means.
const CASES = [
  // English abbreviations
  ['12.3K', 'en', 12300],
  ['12.3K Followers', 'en-US', 12300],
  ['1.2M', 'en', 1200000],
  ['6.2M', 'en', 6200000],
  ['108.5M Likes', 'en', 108500000],
  ['3.4B views', 'en', 3400000000],
  ['999', 'en', 999],
  ['0', 'en', 0],
  ['25m subscribers', 'en-GB', 25000000], // YouTube en-GB: lower-case m
  ['1.5m views', 'en-GB', 1500000],
  ['337 videos', 'en-GB', 337],
  ['52.1K', 'en', 52100],
  ['73K', 'en', 73000],
  ['10K+', 'en', 10000],
  // plain integers with grouping
  ['1,545,374 views', 'en', 1545374],
  ['2,520,817', 'en', 2520817],
  ['1,545', 'en', 1545],
  ['19.924', 'de-DE', 19924], // German thousands dot, not 19.9
  ['19.924 Likes', 'de', 19924],
  ['1.234.567', 'de', 1234567],
  ['1.234.567', 'en', 1234567],
  ['1,234.5K', 'en', 1234500],
  ['1.234,5 Tsd.', 'de', 1234500],
  ['12,34,567', 'hi-IN', 1234567], // Indian grouping
  ["1'234'567", 'de-CH', 1234567],
  ['12 345', 'fr', 12345], // no-break space
  ['12\u202f345', 'fr-FR', 12345], // narrow no-break space
  ['12\u202f345 abonnés', 'fr', 12345],
  ['1 234 567', 'ru', 1234567],
  // decimal comma languages
  ['12,3K', 'de', 12300],
  ['12,3K', 'en', 12300], // one comma and one digit cannot be grouping
  ['1,2 Mio.', 'de', 1200000],
  ['1,2 Mio. Abonnenten', 'de-DE', 1200000],
  ['2,5 Mrd.', 'de', 2500000000],
  ['12,3 k', 'fr', 12300],
  ['1,2 M', 'fr', 1200000],
  ['3,1 Md', 'fr', 3100000000], // milliard
  ['1,2 mln', 'pl', 1200000],
  ['45,6 tys.', 'pl', 45600],
  ['1,2 млн', 'ru', 1200000],
  ['12,3 тыс.', 'ru', 12300],
  // Portuguese and Spanish: "mil" is a thousand, "mi" a million
  ['12,3 mil', 'pt-BR', 12300],
  ['12,3 mil seguidores', 'pt', 12300],
  ['12,3 mil', 'es', 12300],
  ['1,2 mi', 'pt-BR', 1200000],
  ['1,2 mi seguidores', 'pt', 1200000],
  ['1,2 M de suscriptores', 'es', 1200000],
  ['12,3 mil', 'cs', 12300000], // Czech "mil." is a million
  // Indonesian: rb = ribu (1e3), jt = juta (1e6), M = miliar (1e9)
  ['3,4 M', 'id', 3400000000],
  ['3,4 M', 'id-ID', 3400000000],
  ['12,3 rb', 'id', 12300],
  ['1,2 jt', 'id', 1200000],
  ['1,2 jt pengikut', 'id', 1200000],
  ['3,4 M', 'en', 3400000], // the same text in English is 3.4 million
  // Turkish: B = bin (1e3), Mn = milyon, Mr = milyar
  ['12,3 B', 'tr', 12300],
  ['12,3 B', 'tr-TR', 12300],
  ['1,2 Mn', 'tr', 1200000],
  ['2,1 Mr', 'tr', 2100000000],
  ['12,3 B', 'en', 12300000000],
  // East Asian myriads
  ['1.2万', 'zh-CN', 12000],
  ['1.2万', 'ja', 12000],
  ['12.5万人', 'ja-JP', 125000], // "人" (people) after the unit
  ['1.2萬', 'zh-TW', 12000],
  ['3.4亿', 'zh-CN', 340000000],
  ['1.2億', 'ja', 120000000],
  ['1.2億回視聴', 'ja', 120000000],
  ['1.2만', 'ko', 12000],
  ['3.4억', 'ko', 340000000],
  ['1.2천', 'ko', 1200],
  ['1.2 แสน', 'th', 120000],
  ['3.5 ล้าน', 'th', 3500000],
  // other digit systems
  ['١٢٫٣ ألف', 'ar', 12300],
  ['١٢٫٣ ألف متابع', 'ar-EG', 12300],
  ['٢٫٥ مليون', 'ar', 2500000],
  ['١٬٢٣٤', 'ar', 1234],
  ['\u200f١٢٫٣ ألف', 'ar', 12300], // with a right-to-left mark
  ['۱۲٫۳ هزار', 'fa', 12300], // Persian digits
  ['۴۵۶', 'fa-IR', 456],
  ['1.2 लाख', 'hi', 120000],
  ['१.२ लाख', 'hi', 120000], // Devanagari digits
  ['3 करोड़', 'hi', 30000000],
  ['12 हज़ार', 'hi', 12000],
  ['１２３', 'ja', 123], // full-width digits
  // garbage and non-counts
  ['', 'en', null],
  ['   ', 'en', null],
  ['Followers', 'en', null],
  ['—', 'en', null],
  ['-5', 'en', null],
  ['−12K', 'en', null],
  ['K', 'en', null],
  ['NaN', 'en', null],
  [null, 'en', null],
  [undefined, 'en', null],
  [{}, 'en', null],
  ['999999999999999', 'en', null], // above any real count: the server would refuse it
  ['12K', 'not a locale!!', 12000],
];

for (const [text, locale, expected] of CASES) {
  test(`parseCount(${JSON.stringify(text)}, ${locale}) = ${expected}`, () => {
    assert.equal(parseCount(text, locale), expected);
  });
}

test('an unknown abbreviation is a plain number, never a guess', () => {
  assert.equal(parseCount('3 months ago', 'en'), 3);
  assert.equal(parseCount('12 Abonnenten', 'de'), 12);
});

test('numbers pass through as integers', () => {
  assert.equal(parseCount(12345, 'en'), 12345);
  assert.equal(parseCount(12.6, 'en'), 13);
  assert.equal(parseCount(-1, 'en'), null);
  assert.equal(parseCount(Number.NaN, 'en'), null);
  assert.equal(parseCount(Number.POSITIVE_INFINITY, 'en'), null);
});

const EXACT = [
  [6724, 6724],
  ['6724', 6724],
  [' 42 ', 42],
  [0, 0],
  [-3, null],
  ['12.3K', null], // text is parseCount's job
  ['', null],
  [null, null],
  [undefined, null],
  [true, null],
  [1e12, null],
];

for (const [value, expected] of EXACT) {
  test(`exactCount(${JSON.stringify(value)}) = ${expected}`, () => {
    assert.equal(exactCount(value), expected);
  });
}
