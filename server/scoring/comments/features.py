"""What the heads read from a comment: lexical cues, the vector beside them, folded text."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Sequence

import numpy as np

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
