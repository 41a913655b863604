"""The comment classifier: genuine, generic or spam, for one comment at a time.

"spam" is learned: logistic-regression heads over the MiniLM vector plus cheap lexical features,
over word n-grams and over character n-grams, joined by a logistic regression (the stacker) fitted on
their out-of-fold predictions, so ``spam_probability`` is calibrated. "generic" (low effort) has no
public labels and is decided by the documented rules in ``generic_verdict`` on comments the model
does not call spam.

Platform-aware models (v2 on) hold heads named "<trained on>:<kind>": "all:*" heads trained on every
row, and "youtube:*" / "instagram:*" heads trained on one platform's rows. Each platform with labelled
data has its own stacker, reading the shared heads and its own platform's heads, because the sources
disagree (YouTube labels "check out my channel" spam, ScamSpot's Instagram labels it real). A comment
from any other platform (TikTok has no labelled data) or of unknown platform goes to the pooled
stacker ``ANY``, which reads only the shared heads and was trained on every row. v1 has one stacker
only, which then serves every platform.

Training (training/comments.py) and inference share ``spam_probability`` (training also fits the heads
on ``head_inputs``). Artifacts (``server.scoring.artifacts``) are versioned directories
``<root>/<version>/`` holding ``MODEL_FILE`` (skops), ``METADATA_FILE``, ``CARD_FILE`` and
``PR_CURVE_FILE``; ``<root>/ACTIVE`` names the served version, and without it the highest version is
served.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import threading
import unicodedata
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from server.scoring.artifacts import (
    CARD_FILE,
    FORMAT_VERSION,
    LIBRARIES,
    METADATA_FILE,
    MODEL_FILE,
    ModelVersionWarning,
    library_versions,
    load_trusted,
    read_metadata,
    stored_types,
    warn_if_libraries_changed,
    write_metadata,
)

__all__ = [
    "ACTIVE_FILE", "ANY", "CARD_FILE", "FORMAT_VERSION", "LABELS", "LEXICAL_FEATURES", "LIBRARIES",
    "METADATA_FILE", "MODEL_FILE", "PR_CURVE_FILE", "TRUSTED_TYPES", "CommentModel", "ModelLoadError",
    "ModelVersionWarning", "activate", "active_version", "generic_verdict", "head_inputs",
    "lexical_features", "library_versions", "load_active", "next_version", "spam_probability",
    "stack_heads", "stacker_for", "stackers", "stored_types", "versions",
]

PR_CURVE_FILE = "pr_curve.png"
ACTIVE_FILE = "ACTIVE"
LABELS = ("genuine", "generic", "spam")
GENERIC_THRESHOLD = 0.5
ANY = "any"  # the pooled stacker: platforms without labelled data (TikTok) and unknown platform
SHARED = "all"  # heads trained on every row

# Everything a model file may contain besides plain containers. The whole file is checked against this
# list before skops builds anything (skops by itself would also accept any scikit-learn estimator).
TRUSTED_TYPES = [
    "numpy.dtype",
    "numpy.float32",
    "numpy.float64",
    "numpy.int32",
    "numpy.int64",
    "numpy.ndarray",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
]


class ModelLoadError(Exception):
    """A model directory is missing, malformed or holds types we do not trust."""


# ---- lexical features -----------------------------------------------------------------------

_LINK = re.compile(
    r"https?://|www\.|\b[\w-]+\.(?:com|net|org|ly|me|io|tv|co|info|biz|xyz|link|site|page|gl|to)\b"
    r"|youtu\.be|bit\.ly", re.I)
_MENTION = re.compile(r"(?<![\w.])@[\w.]{2,}")
_HASHTAG = re.compile(r"#\w+")
_SELF_PROMO = re.compile(
    r"check (?:it )?out (?:my|our|this|me)|\bmy (?:channel|page|videos?|music|songs?|profile|account|insta"
    r"|instagram|blog|website|site|store|shop|band|cover|mixtape)\b|visit (?:my|our)|go to my|look at my"
    r"|listen to my|watch my|new (?:channel|video|song|single)", re.I)
_SUBSCRIBE = re.compile(
    r"subscri|sub ?(?:4|for) ?sub|follow (?:me|back|us|my)|like (?:and|&) subscribe|give (?:me |us )?a like"
    r"|thumbs up (?:so|if)|like (?:this|my) comment", re.I)
_CONTACT = re.compile(
    r"whats ?app|telegram|wickr|signal app|\bdm (?:me|her|him|us)\b|inbox (?:me|her|him|us)"
    r"|message (?:me|her|him|us)|text (?:me|her|him)|contact (?:me|her|him|us)|reach (?:out|me)"
    r"|\+\d[\d\s().-]{7,}\d", re.I)
_FINANCE = re.compile(
    r"crypto|bitcoin|\bbtc\b|\beth\b|usdt|forex|\bfx\b|invest|trading|trader|\bprofits?\b|payouts?"
    r"|\bincome\b|\bearn|binance|mining|broker|\breturns?\b|withdraw|passive|financial freedom"
    r"|account recovery|recover(?:ed|y)? (?:my |your )?(?:lost |hacked )?(?:funds|account|money)", re.I)
_MONEY = re.compile(r"[$€£]\s?\d|\d\s?(?:usd|dollars|euros)\b|\d+(?:[.,]\d+)?\s?k\b", re.I)
_COLLAB = re.compile(
    r"collab|ambassador|promot(?:e|ion)|brand deal|partnership|sponsor|\bdm (?:us|me)\b|send (?:us|me) a dm"
    r"|business inquir", re.I)

LEXICAL_FEATURES = (
    "link", "mentions", "hashtags", "self_promo", "subscribe", "contact", "finance", "money", "collab",
    "log_chars", "log_words", "digit_share", "emoji_share", "upper_share", "question", "exclaim_share",
)


@functools.lru_cache(maxsize=65536)  # one entry per distinct character seen
def _is_emoji(ch: str) -> bool:
    return (unicodedata.category(ch) in ("So", "Sk") or 0x1F000 <= ord(ch) <= 0x1FAFF
            or ch in "\u2764\ufe0f\u200d")


def _lexical_row(text: str) -> list[float]:
    chars = max(len(text), 1)
    letters = sum(map(str.isalpha, text))
    words = text.split()
    return [
        float(bool(_LINK.search(text))),
        float(len(_MENTION.findall(text))),
        float(len(_HASHTAG.findall(text))),
        float(bool(_SELF_PROMO.search(text))),
        float(bool(_SUBSCRIBE.search(text))),
        float(bool(_CONTACT.search(text))),
        float(len(_FINANCE.findall(text))),
        float(bool(_MONEY.search(text))),
        float(bool(_COLLAB.search(text))),
        math.log1p(len(text)),
        math.log1p(len(words)),
        sum(map(str.isdigit, text)) / chars,
        sum(map(_is_emoji, text)) / chars,
        (sum(map(str.isupper, filter(str.isalpha, text))) / letters) if letters else 0.0,
        float("?" in text),
        text.count("!") / chars,
    ]


def lexical_features(texts: Sequence[str]) -> np.ndarray:
    """(n, len(LEXICAL_FEATURES)) float32: links, mentions, promo and scam cues, length, emoji, case."""
    if not texts:
        return np.zeros((0, len(LEXICAL_FEATURES)), dtype=np.float32)
    return np.asarray([_lexical_row(t) for t in texts], dtype=np.float32)


def embedding_features(vectors: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """What the embedding head sees: the MiniLM vector next to the lexical features."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.shape[0] != lexical.shape[0]:
        raise ValueError(f"{lexical.shape[0]} texts but {vectors.shape[0]} vectors")
    return np.hstack([vectors, lexical])


def prepare_texts(texts: Sequence[str]) -> list[str]:
    """What the n-gram heads read: NFKC folds look-alike letters (fullwidth, math script), lower case."""
    return [unicodedata.normalize("NFKC", t).lower() for t in texts]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def head_kind(name: str) -> str:
    """Heads are named "<trained on>:<kind>"; the kind says which input the head reads."""
    return name.rsplit(":", 1)[-1]


def head_inputs(texts: Sequence[str], vectors: np.ndarray) -> dict[str, Any]:
    """Each head kind's input, computed once for a batch."""
    lexical = lexical_features(texts)
    prepared = prepare_texts(texts)
    return {"embedding": embedding_features(vectors, lexical), "words": prepared, "chars": prepared,
            "lexical": lexical}


def stack_inputs(head_logits: Sequence[np.ndarray], lexical: np.ndarray) -> np.ndarray:
    """The stacker reads every head's logit next to the lexical features."""
    return np.hstack([np.column_stack(list(head_logits)), lexical])


def stackers(estimators: dict[str, Any]) -> dict[str, Any]:
    """Stacker per platform ("youtube", "instagram", ``ANY``); v1's single stacker serves as ``ANY``."""
    if "stacks" in estimators:
        return estimators["stacks"]
    return {ANY: estimators["stack"]}


def stack_heads(head_names: Sequence[str], key: str) -> list[str]:
    """The heads a stacker reads, in order: the shared ones, plus its own platform's.

    A v1 model's heads are all shared; its single stacker reads them all."""
    if key == ANY:
        return sorted(n for n in head_names if n.rsplit(":", 1)[0] == SHARED)
    return sorted(n for n in head_names if n.rsplit(":", 1)[0] in (SHARED, key))


def stacker_for(estimators: dict[str, Any], platform: str | None) -> str:
    """Which stacker judges a comment from ``platform``: its own when there is one, else ``ANY``."""
    return platform if platform is not None and platform in stackers(estimators) else ANY


def spam_probability(estimators: dict[str, Any], texts: Sequence[str], vectors: np.ndarray,
                     platforms: Sequence[str | None] | str | None = None) -> np.ndarray:
    """Calibrated P(spam) from the stacked heads (the one code path for training and serving).

    ``platforms`` is one platform for every text, or one per text (None: unknown)."""
    return spam_from(estimators, read_texts(estimators, texts, platforms), vectors)


@dataclass
class TextPart:
    """The half of ``spam_probability`` that needs no vectors: the stacker of each row, the lexical
    features and the logits of the heads that read text (n-grams), computed while the vectors are."""

    stacker: np.ndarray  # the stacker that judges each row
    lexical: np.ndarray  # (rows, len(LEXICAL_FEATURES))
    logits: dict[str, np.ndarray] = field(default_factory=dict)  # text head -> logit per row (nan: not read)
    generic: list[tuple[float, str | None]] | None = None  # generic_verdict per row, when captions were given

    def __len__(self) -> int:
        return len(self.stacker)

    def rows(self, rows: Sequence[int]) -> TextPart:
        index = np.asarray(rows, dtype=int)
        return TextPart(self.stacker[index], self.lexical[index],
                        {name: values[index] for name, values in self.logits.items()},
                        None if self.generic is None else [self.generic[i] for i in index])


def read_texts(estimators: dict[str, Any], texts: Sequence[str],
               platforms: Sequence[str | None] | str | None = None) -> TextPart:
    """Everything ``spam_probability`` computes from the texts alone."""
    if platforms is None or isinstance(platforms, str):
        platforms = [platforms] * len(texts)
    if len(platforms) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(platforms)} platforms")
    lexical = lexical_features(texts)
    part = TextPart(np.array([stacker_for(estimators, p) for p in platforms], dtype=object), lexical)
    if not texts:
        return part
    prepared = prepare_texts(texts)
    inputs = {"words": prepared, "chars": prepared, "lexical": lexical}
    heads = estimators["heads"]
    readers: dict[str, list[str]] = {}  # text head -> the stackers that read it
    for key in stackers(estimators):
        for name in stack_heads(list(heads), key):
            if head_kind(name) != "embedding":
                readers.setdefault(name, []).append(key)
    for name, keys in readers.items():
        rows = np.flatnonzero(np.isin(part.stacker, keys))
        if len(rows):
            part.logits[name] = np.full(len(texts), np.nan)
            probability = heads[name].predict_proba(_rows(inputs[head_kind(name)], rows))[:, 1]
            part.logits[name][rows] = _logit(probability)
    return part


def spam_from(estimators: dict[str, Any], part: TextPart, vectors: np.ndarray) -> np.ndarray:
    """P(spam) from the text half (``read_texts``) and the rows' vectors."""
    if not len(part):
        return np.zeros(0)
    embedding = embedding_features(vectors, part.lexical)
    heads = estimators["heads"]
    out = np.zeros(len(part))
    for key, stack in stackers(estimators).items():
        rows = np.flatnonzero(part.stacker == key)
        if not len(rows):
            continue
        logits = [_logit(heads[name].predict_proba(embedding[rows])[:, 1]) if head_kind(name) == "embedding"
                  else part.logits[name][rows] for name in stack_heads(list(heads), key)]
        out[rows] = stack.predict_proba(stack_inputs(logits, part.lexical[rows]))[:, 1]
    return out


def _rows(x: Any, rows: np.ndarray) -> Any:
    return x[rows] if isinstance(x, np.ndarray) else [x[i] for i in rows]


# ---- the "generic" rules --------------------------------------------------------------------
# A comment is generic when it could sit under any post without its author having looked at it.
# Rules, first match wins (confidence in brackets):
#   1. no letters or digits: emoji or punctuation only (0.95)
#   2. only @mentions and/or hashtags (0.9)
#   3. engagement bait: follow for follow, like for like, sub4sub, follow back (0.9)
#   4. "first", and view-count, "years ago" or "who is still here in 2015" chatter (0.8)
#   5. praise built only from generic words ("nice pic", "love it", "so cute", "great video") (0.85)
#   6. short praise naming someone: up to 8 words, at most 2 of them not generic, one praise word
#      or heart ("I love you Katy", "I <3 Katy Perry!") (0.8)
#   7. one or two words that do not mention the caption and ask nothing ("lol", "bs") (0.6)
# A caption word in the comment stops rules 5-7 (it talks about the post).

_BAIT = re.compile(
    r"\b(?:follow|like|sub|comment)s? ?(?:for|4|4a) ?(?:follow|like|sub|comment)s?\b|\bf4f\b|\bl4l\b|\bs4s\b"
    r"|follow ?back|followback|\btag (?:a|your) friends?\b|\bdouble tap\b", re.I)
_FIRST = re.compile(r"^\W*(?:first|1st|frist|early|early squad|first comment)\W*$", re.I)
_CHATTER = re.compile(
    r"\bviews?\b|\blikes?\b|\bsubscribers?\b|\b(?:19|20)\d\d\b|\byears? ago\b|\d+ (?:million|billion)\b"
    r"|\bwho(?:'s| is)? (?:still )?(?:here|watching|listening)"
    r"|\banyone (?:still |else )?(?:here|watching|listening)|\bstill (?:watching|listening)", re.I)
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
_HEART = re.compile(r"<3+")
_GENERIC_WORDS = frozenset("""
a an the this that it its it's is was are am be been so very really too much soo such just ever of for to from
my me i i'm im you your you're ur u yo hey hi hello omg wow oh ah ahh yay yes yeah yea yep no lol lmao lmfao
haha hahaha xd love loved loving lovee luv like liked likes nice good great cool awesome awesomeness amazing
beautiful beauty gorgeous stunning lovely cute pretty perfect best fav favorite favourite fave fire lit dope
sick epic super wonderful incredible fantastic excellent brilliant insane goals queen king legend goat slay
iconic talented masterpiece hot sexy song songs video videos vid pic pics picture photo photos post shot music
track tune jam vibe vibes look looks looking girl guy man men lady bro sis dude babe baby fan fans singer
artist voice and in on with all always forever still again keep up going thanks thank thx congrats
congratulations wish luck god bless blessed here we go true same mood facts agree agreed yup ok okay job well
done one day cant can't wait finally she he her him his they them she's he's everyone guys
""".split())
_PRAISE_WORDS = frozenset("""
love loved loving lovee luv like nice good great cool awesome amazing beautiful beauty gorgeous stunning
lovely cute pretty perfect best fav favorite favourite fave fire lit dope epic super wonderful incredible
fantastic excellent brilliant goals queen king legend goat slay wow omg congrats congratulations
""".split())
_STOP = frozenset("""
about after again also and any are because been before being but can could did does doing down from have
having here into just more most only other over same should some such than that their them then there these
they this those through under very were what when where which while who whom whose will with would your
""".split())


_REPEATS = re.compile(r"(.)\1{2,}")


@functools.lru_cache(maxsize=65536)
def _squeeze(word: str) -> str:
    return _REPEATS.sub(r"\1", word.lower())  # "loooove" -> "love", "cool" stays


@functools.lru_cache(maxsize=4096)  # a caption is looked at once for every comment under it
def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in (_squeeze(x) for x in _WORD.findall(text)) if len(w) >= 4 and w not in _STOP)


def generic_verdict(text: str, caption: str | None = None) -> tuple[float, str | None]:
    """(confidence that ``text`` is low-effort, the rule's reason or None); see the rules above."""
    stripped = _HEART.sub(" ", text)
    words = [_squeeze(w) for w in _WORD.findall(_HASHTAG.sub(" ", _MENTION.sub(" ", stripped)))]
    if not any(ch.isalnum() for ch in stripped):
        return 0.95, "only emoji or punctuation"
    if not words:
        kind = "tags other accounts" if _MENTION.search(text) else "hashtags"
        return 0.9, f"only {kind}, no words"
    if _BAIT.search(text):
        return 0.9, "engagement bait (follow/like for follow/like)"
    if _FIRST.match(text):
        return 0.8, '"first"-style comment'
    if len(words) <= 8 and _CHATTER.search(text) and "?" not in text:
        return 0.8, "view-count or date chatter, not about the post"
    if caption and _content_words(text) & _content_words(caption):
        return 0.1, None  # mentions what the post is about
    unknown = [w for w in words if w not in _GENERIC_WORDS and not w.isdigit()]
    if len(words) <= 10 and not unknown and "?" not in text:
        return 0.85, "generic praise or reaction"
    hearts = bool(_HEART.search(text)) or any(_is_emoji(c) for c in text)
    if len(words) <= 8 and len(unknown) <= 2 and (_PRAISE_WORDS & set(words) or hearts) and "?" not in text:
        return 0.8, "generic praise or reaction"
    if len(words) <= 2 and "?" not in text:
        return 0.6, "very short reaction"
    return 0.05, None


# ---- spam reasons ---------------------------------------------------------------------------

_SPAM_CUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_LINK, "contains a link"),
    (_SELF_PROMO, 'self-promotion ("check out my ...")'),
    (_SUBSCRIBE, "asks for subscribes, follows or likes"),
    (_CONTACT, "asks to be contacted privately (DM, WhatsApp, Telegram, phone)"),
    (_FINANCE, "crypto, trading or investment pitch"),
    (_MONEY, "names sums of money"),
    (_COLLAB, "collaboration or promotion offer"),
)


def spam_cues(text: str) -> list[str]:
    return [reason for pattern, reason in _SPAM_CUES if pattern.search(text)]


# ---- the model ------------------------------------------------------------------------------

_SEP = "\x00"  # never inside an n-gram: the API strips control characters from text


def _vectorizers(estimators: dict[str, Any]) -> dict[str, Any]:
    """"head/step" -> every fitted n-gram vectorizer in the heads."""
    heads = estimators.get("heads")
    if not isinstance(heads, dict):
        return {}
    return {f"{name}/{step_name}": step for name, head in heads.items()
            for step_name, step in getattr(head, "steps", []) if hasattr(step, "vocabulary_")
            or type(step).__name__ == "TfidfVectorizer"}


VERDICT_CACHE_SIZE = 50_000  # verdicts kept per model (about 15 MB)


def _verdict_key(text: str, caption: str | None, platform: str | None, vector: np.ndarray) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(text.encode())
    digest.update(b"\0" if caption is None else b"\1" + caption.encode())
    digest.update(b"\0" if platform is None else b"\1" + platform.encode())
    digest.update(b"\0")
    digest.update(vector.tobytes())
    return digest.digest()


class CommentModel:
    """A loaded comment classifier: ``classify`` texts given their embedder vectors."""

    def __init__(self, estimators: dict[str, Any], version: str, metadata: dict[str, Any] | None = None):
        heads = estimators.get("heads")
        stacks = estimators.get("stacks", {ANY: estimators.get("stack")})
        if not isinstance(heads, dict) or not heads or not isinstance(stacks, dict) \
                or stacks.get(ANY) is None:
            raise ModelLoadError("a comment model is {'heads': {name: estimator}, 'stack': estimator} (v1) "
                                 "or {'heads': ..., 'stacks': {platform or 'any': estimator}}")
        self.estimators = estimators
        self.version = version
        self.metadata = metadata or {}
        self.threshold = float(self.metadata.get("parameters", {}).get("threshold", 0.5))
        # Verdicts already given, keyed by everything they depend on (text, caption, vector), so a
        # creator scored again, or with one new comment, costs only the new comments.
        self._verdicts: OrderedDict[bytes, dict[str, Any]] = OrderedDict()
        self._verdicts_lock = threading.Lock()

    @classmethod
    def from_dir(cls, path: str | Path) -> CommentModel:
        """Load a version directory, trusting only ``TRUSTED_TYPES``; warns on library mismatches."""
        path = Path(path)
        meta = read_metadata(path, "comment model", ModelLoadError)
        estimators = load_trusted(path / MODEL_FILE, TRUSTED_TYPES, ModelLoadError)
        if not isinstance(estimators, dict):
            raise ModelLoadError(f"{path / MODEL_FILE}: expected a dict of estimators")
        packed = estimators.pop("vocabularies", {})
        vectorizers = _vectorizers(estimators)
        if set(packed) != set(vectorizers) or not all(isinstance(v, str) for v in packed.values()):
            raise ModelLoadError(f"{path / MODEL_FILE}: vocabularies do not match the n-gram heads")
        for key, step in vectorizers.items():
            step.vocabulary_ = {gram: i for i, gram in enumerate(packed[key].split(_SEP))}
        warn_if_libraries_changed("comment model", meta)
        return cls(estimators, str(meta.get("version", path.name)), meta)

    def save(self, path: str | Path, metadata: dict[str, Any]) -> Path:
        """Write the model and its metadata into the (new) directory ``path``."""
        import skops.io as sio

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        # An n-gram vocabulary stored as a dict costs skops one node per n-gram (60 MB of schema, 10 s
        # to load); stored as one string of n-grams in index order it costs one.
        vectorizers = _vectorizers(self.estimators)
        vocabularies = {key: step.vocabulary_ for key, step in vectorizers.items()}
        packed = {}
        for key, vocabulary in vocabularies.items():
            grams = sorted(vocabulary, key=vocabulary.__getitem__)
            if any(_SEP in g for g in grams) or [vocabulary[g] for g in grams] != list(range(len(grams))):
                raise ValueError(f"{key}: vocabulary cannot be packed")
            packed[key] = _SEP.join(grams)
        try:
            for step in vectorizers.values():
                del step.vocabulary_
            sio.dump({**self.estimators, "vocabularies": packed}, path / MODEL_FILE,
                     compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        finally:
            for key, step in vectorizers.items():
                step.vocabulary_ = vocabularies[key]
        self.metadata = write_metadata(path, self.version, metadata)
        return path

    @property
    def platforms(self) -> list[str]:
        """Platforms with a stacker of their own; every other platform is judged by ``ANY``."""
        return sorted(k for k in stackers(self.estimators) if k != ANY)

    def spam_probability(self, texts: Sequence[str], vectors: np.ndarray,
                         platforms: Sequence[str | None] | str | None = None) -> np.ndarray:
        return spam_probability(self.estimators, texts, vectors, platforms)

    def read(self, texts: Sequence[str], platforms: Sequence[str | None] | str | None = None,
             captions: Sequence[str | None] | None = None) -> TextPart:
        """The text half of classifying ``texts`` (``read_texts``, and the generic rules when the
        captions are given), to do while their vectors are made."""
        part = read_texts(self.estimators, texts, platforms)
        if captions is not None:
            part.generic = [generic_verdict(text, caption)
                            for text, caption in zip(texts, captions, strict=True)]
        return part

    def classify(self, texts: Sequence[str], vectors: np.ndarray,
                 captions: Sequence[str | None] | None = None,
                 platforms: Sequence[str | None] | str | None = None,
                 read: tuple[Sequence[int], TextPart] | None = None) -> list[dict[str, Any]]:
        """One verdict per text: label, spam_probability, generic_probability and reasons.

        ``platforms``: the platform of every text, or one per text (None: unknown). ``read``: rows of
        ``texts`` and ``self.read`` of them, done ahead; used when it covers every row to classify."""
        if captions is not None and len(captions) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(captions)} captions")
        if platforms is None or isinstance(platforms, str):
            platforms = [platforms] * len(texts)
        if len(platforms) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(platforms)} platforms")
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.shape[0] != len(texts):
            raise ValueError(f"{len(texts)} texts but {vectors.shape[0]} vectors")
        # the platform matters only through the stacker it picks
        stacker = [stacker_for(self.estimators, p) for p in platforms]
        keys = [_verdict_key(text, captions[i] if captions is not None else None, stacker[i], vectors[i])
                for i, text in enumerate(texts)]
        with self._verdicts_lock:
            found = {key: self._verdicts[key] for key in keys if key in self._verdicts}
            for key in found:
                self._verdicts.move_to_end(key)
        missing = [i for i, key in enumerate(keys) if key not in found]
        if missing:
            part = None
            if read is not None:
                position = {row: p for p, row in enumerate(read[0])}
                if all(i in position for i in missing):
                    part = read[1].rows([position[i] for i in missing])
            fresh = self._classify([texts[i] for i in missing], vectors[missing],
                                   [captions[i] for i in missing] if captions is not None else None,
                                   [stacker[i] for i in missing], part)
            with self._verdicts_lock:
                for i, verdict in zip(missing, fresh, strict=True):
                    found[keys[i]] = self._verdicts[keys[i]] = verdict
                while len(self._verdicts) > VERDICT_CACHE_SIZE:
                    self._verdicts.popitem(last=False)
        return [{**found[key], "reasons": list(found[key]["reasons"])} for key in keys]

    def _classify(self, texts: Sequence[str], vectors: np.ndarray, captions: Sequence[str | None] | None,
                  stacker: Sequence[str], part: TextPart | None = None) -> list[dict[str, Any]]:
        if part is None:
            part = self.read(texts, [None if k == ANY else k for k in stacker])
        p_spam = spam_from(self.estimators, part, vectors)
        out = []
        for i, text in enumerate(texts):
            caption = captions[i] if captions is not None else None
            p_generic, generic_reason = (part.generic[i] if part.generic is not None
                                         else generic_verdict(text, caption))
            spam = float(p_spam[i])
            reasons: list[str] = []
            if spam >= self.threshold:
                label = "spam"
                reasons.append(f"spam model: {spam:.0%} likely spam")
                reasons += spam_cues(text)
            elif p_generic >= GENERIC_THRESHOLD:
                label = "generic"
                reasons.append(f"low effort: {generic_reason}")
            else:
                label = "genuine"
                if "?" in text:
                    reasons.append("asks a question")
                if caption and _content_words(text) & _content_words(caption):
                    reasons.append("talks about the post")
            out.append({"label": label, "spam_probability": round(spam, 4),
                        "generic_probability": round(p_generic, 4), "reasons": reasons})
        return out


# ---- versions on disk -----------------------------------------------------------------------

def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", name)) or (-1,)


def versions(root: str | Path) -> list[str]:
    """Version directories under ``root`` that hold a model, oldest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = [p.name for p in root.iterdir() if (p / MODEL_FILE).is_file() and (p / METADATA_FILE).is_file()]
    return sorted(found, key=_version_key)


def active_version(root: str | Path) -> str:
    """The version named in ``root/ACTIVE``, else the highest version present."""
    root = Path(root)
    active = root / ACTIVE_FILE
    if active.is_file():
        name = active.read_text(encoding="utf-8").strip()
        if name not in versions(root):
            raise ModelLoadError(f"{active} names {name!r}, which is not a model directory")
        return name
    found = versions(root)
    if not found:
        raise ModelLoadError(f"no comment model under {root}")
    return found[-1]


def activate(root: str | Path, version: str) -> None:
    """Make ``version`` the served one (atomically, so readers never see a half-written ACTIVE)."""
    root = Path(root)
    if version not in versions(root):
        raise ModelLoadError(f"no comment model version {version!r} under {root}")
    tmp = root / (ACTIVE_FILE + ".tmp")
    tmp.write_text(version + "\n", encoding="utf-8")
    tmp.replace(root / ACTIVE_FILE)


def next_version(root: str | Path) -> str:
    found = versions(root)
    return f"v{_version_key(found[-1])[0] + 1}" if found else "v1"


def load_active(models_dir: str | Path) -> CommentModel:
    """The served comment model: ``models_dir/comments/<active version>``."""
    root = Path(models_dir) / "comments"
    return CommentModel.from_dir(root / active_version(root))
