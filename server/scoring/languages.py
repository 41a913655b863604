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
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable

UNKNOWN = "und"
DEFAULT = "py3langid"
NAMES = ("py3langid", "lingua")
MIN_LETTERS = 8
MIN_CONFIDENCE = 0.5
MAX_WORD = 40
MAX_CHARS = 600

__all__ = ["DEFAULT", "NAMES", "UNKNOWN", "clean", "detect", "detector", "shares"]

_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_HANDLE = re.compile(r"@[\w.]+")
_ZERO_WIDTH = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def clean(text: str) -> str:
    """The words of ``text``: no links, handles, emoji, digits or zero-width characters; bounded."""
    text = _ZERO_WIDTH.sub("", text[: MAX_CHARS * 8])
    text = _HANDLE.sub(" ", _URL.sub(" ", text)).replace("#", " ")
    # keep letters and marks (Devanagari vowel signs are marks), apostrophes; the rest becomes a space
    kept = "".join(ch if unicodedata.category(ch)[0] in "LM" or ch == "'" else " " for ch in text)
    words = [word[:MAX_WORD] for word in kept.split()]
    return " ".join(words)[:MAX_CHARS]


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _py3langid() -> Callable[[str], str]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # ISO 639-1 answers only: the model's 3-letter labels are dialects and varieties (ext, wuu, yue)
    # that took a share of Spanish and Chinese texts from their language without a code to show
    identifier.set_languages([code for code in identifier.labels if len(code) == 2])

    def detect(text: str) -> str:
        code, probability = identifier.classify(text)
        return str(code) if probability >= MIN_CONFIDENCE else UNKNOWN
    return detect


def _lingua() -> Callable[[str], str]:
    from lingua import LanguageDetectorBuilder

    found = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()

    def detect(text: str) -> str:
        language = found.detect_language_of(text)
        return UNKNOWN if language is None else language.iso_code_639_1.name.lower()
    return detect


_LOADERS = {"py3langid": _py3langid, "lingua": _lingua}
_loaded: dict[str, Callable[[str], str]] = {}
_loading = threading.Lock()


def detector(name: str = DEFAULT) -> Callable[[str], str]:
    """A function text -> ISO 639-1 code or ``und`` (the model loads once per process)."""
    if name not in _LOADERS:
        raise ValueError(f"unknown language detector {name!r}; expected one of {', '.join(NAMES)}")
    with _loading:
        if name not in _loaded:
            raw = _LOADERS[name]()
            _loaded[name] = lambda text: _guarded(raw, text)
        return _loaded[name]


def _guarded(raw: Callable[[str], str], text: str) -> str:
    words = clean(text or "")
    if _letters(words) < MIN_LETTERS:
        return UNKNOWN
    return raw(words)


def detect(text: str) -> str:
    """ISO 639-1 code of ``text``'s language, or ``und`` when it cannot tell."""
    return detector()(text)


def shares(texts: Iterable[str], name: str = DEFAULT) -> dict[str, float]:
    """Share of ``texts`` per language code, largest first (empty input: empty mapping)."""
    find = detector(name)
    counts = Counter(find(text) for text in texts)
    total = sum(counts.values())
    return {code: round(n / total, 3) for code, n in counts.most_common()} if total else {}
