"""Which languages a creator posts in and their comments are written in: shares by ISO 639-1 code.

Detection runs on the words of a text only: links, @handles, the ``#`` of hashtags, emoji, digits
and zero-width characters are removed first, words are cut to ``MAX_WORD`` characters and texts to
``MAX_CHARS`` (a 5,000-character "word" costs the detector nothing and tells it nothing). A text
with fewer than ``MIN_LETTERS`` letters left, or one the detector is unsure of, is ``und``.

The detector is py3langid (langid.py's model; its 114 ISO 639-1 languages), chosen over
lingua-language-detector by bench/language_bench.py on short real texts
(training/reports/languages.md): as accurate or more on every source (0.989 mean against 0.968;
Indonesian 0.949 against 0.767) and three times faster.
Both stay behind ``detector(name)`` so the bench can compare them; the server uses ``DEFAULT``.

``mix`` is what answers carry (the score's ``languages`` section, a glance, the watchlist's summary):
shares of texts by code with their counts, largest first, and the main known language. The server's
detector remembers its last ``CACHE_SIZE`` answers by a digest of the text, so a creator seen again costs
no detection.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

UNKNOWN = "und"
DEFAULT = "py3langid"
NAMES = ("py3langid", "lingua")
MIN_LETTERS = 8
MIN_CONFIDENCE = 0.5
MAX_WORD = 40
MAX_CHARS = 600
CACHE_SIZE = 20_000
# A listing's ``language`` filter keeps creators with at least this share of texts in the language: one
# stray caption (or a misread short one) does not make a creator a Spanish one.
FILTER_SHARE = 0.2

__all__ = ["DEFAULT", "FILTER_SHARE", "NAMES", "UNKNOWN", "assess", "clean", "codes", "detect", "detector",
           "matches", "mix", "share_map", "shares", "wordless"]

_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_HANDLE = re.compile(r"@[\w.]+")
_ZERO_WIDTH = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


_TABLE_MAX = 1 << 16
_VARIATION = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")  # emoji variation selectors


class _WordChars(dict[int, str]):
    """``str.translate`` table: letters, marks (Devanagari vowel signs are marks) and apostrophes stay;
    every other character becomes a space, and so do variation selectors (marks, but of an emoji).
    Filled one code point at a time as texts bring them, up to ``_TABLE_MAX`` entries, so texts made
    of rare code points cannot grow it without bound."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        word = unicodedata.category(char)[0] in "LM" and not _VARIATION.match(char)
        kept = char if word or char == "'" else " "
        if len(self) < _TABLE_MAX:
            self[code] = kept
        return kept


_WORD_CHARS = _WordChars()


def clean(text: str) -> str:
    """The words of ``text``: no links, handles, emoji, digits or zero-width characters; bounded."""
    text = _ZERO_WIDTH.sub("", text[: MAX_CHARS * 8])
    text = _HANDLE.sub(" ", _URL.sub(" ", text)).replace("#", " ")
    words = [word[:MAX_WORD] for word in text.translate(_WORD_CHARS).split()]
    return " ".join(words)[:MAX_CHARS]


def wordless(text: str) -> bool:
    """True when ``text`` holds no letter and no digit: emoji, punctuation, spaces, zero-width marks."""
    return not any(ch.isalnum() for ch in text)


def _letters(text: str) -> int:
    return sum(map(str.isalpha, text))


class _Py3langid:
    """py3langid's classifier, reading many texts at once.

    ``LanguageIdentifier.classify`` counts one text's features in a Counter, then gathers their rows
    of the model's float16 table and takes a product, once per text. ``many`` walks each text's bytes
    through the model's automaton as the library does (``visit_counts``), counts every text's features
    at once, gathers the rows the batch uses once and scores every text in one sparse product; the
    rest (scaling by the text's length, the softmax, merging aliased labels) is the library's
    ``_decide`` on a matrix. The answers are the library's: tests/scoring/test_languages.py holds
    ``many`` to ``classify`` on real texts in 17 languages. A py3langid without the parts this reads
    is asked one text at a time."""

    def __init__(self) -> None:
        from py3langid import langid

        identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
        # ISO 639-1 answers only: the model's 3-letter labels are dialects and varieties (ext, wuu, yue)
        # that took a share of Spanish and Chinese texts from their language without a code to show
        identifier.set_languages([code for code in identifier.labels if len(code) == 2])
        self.identifier = identifier
        needed = ("_encode", "_rowbase", "tk_nextmove", "tk_output", "nb_ptc", "nb_pc", "_alias_pairs")
        self.batched = all(hasattr(identifier, name) for name in needed)

    def _features(self, data: bytes) -> np.ndarray:
        """The model's features met walking ``data``: ``visit_counts``'s walk, without its Counter."""
        model, state, found = self.identifier, 0, []
        moves, rowbase, output = model.tk_nextmove, model._rowbase, model.tk_output
        for byte in data:
            state = moves[rowbase[state] + byte]
            feature = output[state]
            if feature >= 0:
                found.append(feature)
        return np.array(found, dtype=np.int64)

    def one(self, text: str) -> str:
        code, probability = self.identifier.classify(text)
        return str(code) if probability >= MIN_CONFIDENCE else UNKNOWN

    def many(self, texts: Sequence[str]) -> list[str]:
        if not self.batched or len(texts) < 2:
            return [self.one(text) for text in texts]
        import scipy.sparse

        model = self.identifier
        encoded = [model._encode(text) for text in texts]
        found = [self._features(data) for data in encoded]
        lengths = np.array([len(f) for f in found])
        width = len(model.tk_output)  # more than any feature id
        rows = np.repeat(np.arange(len(texts)), lengths)
        pairs, counts = np.unique(rows * width + np.concatenate(found), return_counts=True)  # (text, feature)
        used, column = np.unique(pairs % width, return_inverse=True)
        weights = scipy.sparse.csr_matrix((np.log1p(counts.astype(np.float32)), (pairs // width, column)),
                                          shape=(len(texts), len(used)))
        table = np.asarray(model.nb_ptc[used], dtype=np.float32)
        scores = np.asarray(weights @ table, dtype=np.float32) + model.nb_pc
        scores[lengths == 0] = 0.0  # no feature at all: the library's uniform answer
        scores *= (1.0 / np.sqrt(np.maximum([len(data) for data in encoded], 1)))[:, None].astype(np.float32)
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        scores /= scores.sum(axis=1, keepdims=True)
        for i, j in model._alias_pairs:  # an aliased label's second column folds into its first
            scores[:, i] += scores[:, j]
            scores[:, j] = 0.0
        best = scores.argmax(axis=1)
        return [str(model.nb_classes[b]) if scores[row, b] >= MIN_CONFIDENCE else UNKNOWN
                for row, b in enumerate(best)]


class _Lingua:
    def __init__(self) -> None:
        from lingua import LanguageDetectorBuilder

        self.found = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()

    def one(self, text: str) -> str:
        language = self.found.detect_language_of(text)
        return UNKNOWN if language is None else language.iso_code_639_1.name.lower()

    def many(self, texts: Sequence[str]) -> list[str]:
        return [self.one(text) for text in texts]


class Detector:
    """text -> ISO 639-1 code or ``und``; ``many`` reads a list at once. Texts too short to tell are
    ``und`` without asking the model, and the last ``CACHE_SIZE`` answers are remembered by text."""

    def __init__(self, model: _Py3langid | _Lingua):
        self.model = model
        # keyed by a 16-byte digest of the text, not the text: a full memory then holds 20,000 digests
        # (2.5 MB, measured), not 20,000 captions of up to 5,000 characters (403 MB measured with emoji)
        self._answers: OrderedDict[bytes, str] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, text: str) -> str:
        return self.many([text])[0]

    def many(self, texts: Sequence[str]) -> list[str]:
        keys = {text: _digest(text) for text in texts}
        with self._lock:
            known = {text: self._answers[key] for text, key in keys.items() if key in self._answers}
        asked: dict[str, list[str]] = {}  # the words still to detect -> the texts they came from
        for text in texts:
            if text not in known:
                words = clean(text or "")
                if _letters(words) < MIN_LETTERS:
                    known[text] = UNKNOWN
                else:
                    asked.setdefault(words, []).append(text)
        for words, code in zip(asked, self.model.many(list(asked)), strict=True):
            known.update(dict.fromkeys(asked[words], code))
        with self._lock:
            for text, code in known.items():
                self._answers[keys[text]] = code
                self._answers.move_to_end(keys[text])
            while len(self._answers) > CACHE_SIZE:
                self._answers.popitem(last=False)
        return [known[text] for text in texts]


def _digest(text: str) -> bytes:
    # surrogatepass: a JSON body may carry a lone surrogate ("\\ud800"), which plain UTF-8 refuses
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


_LOADERS: dict[str, Callable[[], _Py3langid | _Lingua]] = {"py3langid": _Py3langid, "lingua": _Lingua}
_loaded: dict[str, Detector] = {}
_loading = threading.Lock()


def detector(name: str = DEFAULT) -> Detector:
    """The detector ``name`` (its model loads once per process)."""
    if name not in _LOADERS:
        raise ValueError(f"unknown language detector {name!r}; expected one of {', '.join(NAMES)}")
    with _loading:
        if name not in _loaded:
            _loaded[name] = Detector(_LOADERS[name]())
        return _loaded[name]


def detect(text: str) -> str:
    """ISO 639-1 code of ``text``'s language, or ``und`` when it cannot tell."""
    return detector()(text)


def shares(texts: Iterable[str], name: str = DEFAULT) -> dict[str, float]:
    """Share of ``texts`` per language code, largest first (empty input: empty mapping)."""
    counts = Counter(detector(name).many(list(texts)))
    total = sum(counts.values())
    return {code: round(n / total, 3) for code, n in counts.most_common()} if total else {}


def mix(texts: Sequence[str], name: str = DEFAULT) -> dict[str, Any]:
    """``{"texts", "main", "shares": [{"code", "share", "count"}]}`` of ``texts``, largest share first
    (ties by code); ``main`` is the most common known language (None when every text is ``und``)."""
    return _mix(detector(name).many(texts))


def _mix(found: Sequence[str]) -> dict[str, Any]:
    counts = Counter(found)
    total = sum(counts.values())
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    main = next((code for code, _ in ordered if code != UNKNOWN), None)
    return {"texts": total, "main": main,
            "shares": [{"code": code, "share": round(n / total, 3), "count": n} for code, n in ordered]}


def share_map(found: Mapping[str, Any] | None) -> dict[str, float]:
    """A ``mix`` as {code: share}, what listings keep to filter on."""
    return {item["code"]: item["share"] for item in (found or {}).get("shares", [])}


_CODE = re.compile(r"^(?:[a-z]{2}|und)$")


def codes(raw: str | Iterable[str]) -> tuple[str, ...]:
    """Language codes from a filter ("es", "es,pt" or a list), lower-cased; ValueError for one that is
    not an ISO 639-1 code or ``und``."""
    parts = raw.split(",") if isinstance(raw, str) else list(raw)
    found = tuple(dict.fromkeys(p.strip().lower() for p in parts if p.strip()))
    bad = [c for c in found if not _CODE.match(c)]
    if bad:
        raise ValueError(f"language codes are ISO 639-1 (two letters, e.g. es) or und, not {bad[0]!r}")
    return found


def matches(kept: Mapping[str, float] | None, wanted: Iterable[str]) -> bool:
    """Whether a creator's {code: share} has at least ``FILTER_SHARE`` in one of the ``wanted`` codes."""
    return any((kept or {}).get(code, 0.0) >= FILTER_SHARE for code in wanted)


def assess(bio: str, captions: Sequence[str], comments: Sequence[str], name: str = DEFAULT) -> dict[str, Any]:
    """The score's ``languages`` section: the captions' and the audience comments' mixes, the bio's
    language, and reasons (including when the audience writes in another language than the creator)."""
    # one batch for all three: the detector's batch costs a little apart from its texts
    found = detector(name).many([*captions, *comments, bio])
    posts, audience = _mix(found[:len(captions)]), _mix(found[len(captions):-1])
    reasons = [_describe("Captions", posts), _describe("Comments", audience)]
    writes, reads = _mostly(posts), _mostly(audience)
    if writes and reads and writes != reads:
        reasons.append(f"The audience mostly writes in {reads}, the creator mostly in {writes}.")
    return {"posts": posts, "bio": found[-1] if bio.strip() else None, "comments": audience,
            "detector": name, "reasons": reasons}


def _mostly(found: Mapping[str, Any]) -> str | None:
    """The main language when it holds more than half of the texts whose language is known (one
    Portuguese comment beside one Chinese and four ``und`` is no "mostly")."""
    known = sum(s["count"] for s in found["shares"] if s["code"] != UNKNOWN)
    main = next((s for s in found["shares"] if s["code"] == found["main"]), None)
    return found["main"] if main and main["count"] * 2 > known else None


def _describe(what: str, found: Mapping[str, Any]) -> str:
    if not found["texts"]:
        return f"{what}: none to read."
    parts = ", ".join(f"{s['code']} {s['share']:.0%}" for s in found["shares"][:4])
    more = f" and {len(found['shares']) - 4} more" if len(found["shares"]) > 4 else ""
    unsure = any(s["code"] == UNKNOWN for s in found["shares"])
    unknown = " (und: too few words, or the detector unsure)" if unsure else ""
    return f"{what}: {parts}{more} of {found['texts']}{unknown}."
