"""What the heads read from a comment: lexical cues, the vector beside them, folded text."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Sequence

import numpy as np

# ---- lexical features -----------------------------------------------------------------------
# Every cue pattern below is matched against ``caseless`` text and written in lower case. Python's
# engine finds a pattern 2-10x slower under re.IGNORECASE (it cannot look for a literal prefix), and
# the cues are most of the scorer's own work on a comment.

_DOTTED_I = str.maketrans({"\u0130": "i", "\u0131": "i"})


def caseless(text: str) -> str:
    """Lower case as re.IGNORECASE compares letters: str.lower, with the Turkish dotted and dotless I
    read as i (re.I matches both to "i"; str.lower gives "i" plus a combining dot, and keeps "ı")."""
    if "\u0130" in text or "\u0131" in text:
        text = text.translate(_DOTTED_I)
    return text.lower()


def fold(text: str) -> str:
    """NFKC: look-alike letters (fullwidth, math script), no-break spaces and ligatures read as the
    plain ones, so a cue written "ｗｗｗ．" or "𝗹𝗶𝗻𝗸 𝗶𝗻 𝗯𝗶𝗼" is the cue. Most texts are already folded."""
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


_LINK = re.compile(
    r"https?://|www\.|\b[\w-]+\.(?:com|net|org|ly|me|io|tv|co|info|biz|xyz|link|site|page|gl|to)\b"
    r"|youtu\.be|bit\.ly")
_MENTION = re.compile(r"(?<![\w.])@[\w.]{2,}")
_HASHTAG = re.compile(r"#\w+")
_SELF_PROMO = re.compile(
    r"check (?:it )?out (?:my|our|this|me)|\bmy (?:channel|page|videos?|music|songs?|profile|account|insta"
    r"|instagram|blog|website|site|store|shop|band|cover|mixtape)\b|visit (?:my|our)|go to my|look at my"
    r"|listen to my|watch my|new (?:channel|video|song|single)")
_SUBSCRIBE = re.compile(
    r"subscri|sub ?(?:4|for) ?sub|follow (?:me|back|us|my)|like (?:and|&) subscribe|give (?:me |us )?a like"
    r"|thumbs up (?:so|if)|like (?:this|my) comment")
_CONTACT = re.compile(
    r"whats ?app|telegram|wickr|signal app|\bdm (?:me|her|him|us)\b|inbox (?:me|her|him|us)"
    r"|message (?:me|her|him|us)|text (?:me|her|him)|contact (?:me|her|him|us)|reach (?:out|me)"
    r"|\+\d[\d\s().-]{7,}\d")
_FINANCE = re.compile(
    r"crypto|bitcoin|\bbtc\b|\beth\b|usdt|forex|\bfx\b|invest|trading|trader|\bprofits?\b|payouts?"
    r"|\bincome\b|\bearn|binance|mining|broker|\breturns?\b|withdraw|passive|financial freedom"
    r"|account recovery|recover(?:ed|y)? (?:my |your )?(?:lost |hacked )?(?:funds|account|money)")
_MONEY = re.compile(r"[$€£]\s?\d|\d\s?(?:usd|dollars|euros)\b|\d+(?:[.,]\d+)?\s?k\b")
_COLLAB = re.compile(
    r"collab|ambassador|promot(?:e|ion)|brand deal|partnership|sponsor|\bdm (?:us|me)\b|send (?:us|me) a dm"
    r"|business inquir")

LEXICAL_FEATURES = (
    "link", "mentions", "hashtags", "self_promo", "subscribe", "contact", "finance", "money", "collab",
    "log_chars", "log_words", "digit_share", "emoji_share", "upper_share", "question", "exclaim_share",
)

# ---- cues that hold in every language (v3 on) --------------------------------------------------
# Signals that do not depend on the language (a phone number, a run of emoji, a link in the bio) and
# curated word lists in the languages a third of the comments are written in (pt, es, de, fr, it, id,
# tr, nl, pl, ru, hi/romanised, ja, ko, zh, ar). Each list is a documented feature, not a verdict: the
# stacker weighs it with the vectors. The lists name spam patterns, never a language.
# digits with spaces (\s less the line breaks of str.splitlines), dots, dashes or brackets between
# them, on one line: "I7-10700\n3070" (a list of PC parts, one a line) is not a phone number
_PHONE = re.compile(r"(?<![\w.])\+?\d(?:[\d().-]|[^\S\r\n\v\f\x1c-\x1e\x85\u2028\u2029]){7,}\d(?![\w.])")
_BIO_LINK = re.compile(
    r"\blink\s*(?:in|na|no|en|em|im|nella|dans|di)\s*(?:la\s+|my\s+|meiner\s+|minha\s+|mi\s+)?"
    r"(?:bio|profil\w*|perfil|biografia|biografía|description)\b"
    r"|\b(?:enlace|lien|tautan|linki?)\s+(?:en|na|dans|di|in)\s+(?:la\s+|ma\s+|mi\s+)?(?:bio|perfil|profil)\b"
    r"|\bbio(?:daki|dan)\b|🔗|👉\s*@")
_DM_ML = re.compile(
    r"(?<![\w])(?:dm|md|pv|inbox|direct|privado|privat|privé|privato|priv|whatsapp|wa\.me|zap|telegram|tg|"
    r"line id|kakao|wechat|ダイレクト|私信|私聊|디엠|اتصل|واتساب|ライン)(?![\w])"
    r"|(?:manda|mande|me chama|chama|escr[ií]beme|escreva|schreib(?:t)? mir|[ée]cri(?:s|vez)[- ]moi|"
    r"scrivimi|contáctame|contacte|kontak|hubungi|chat aja|yaz bana|napisz)")
_FOLLOW_ML = re.compile(
    r"seguidor(?:es|as)?|seguir|s[ií]gueme|s[ií]ganme|sigam|siga[- ]?me|segue|seguimi|seguitemi|follower|"
    r"follow|folback|follback|abonn|abonnier|abonnez|iscriv|inscrev|inscri[bt]|suscr[ií]b|suscrib|"
    r"ikuti|takip|obserwuj|подпис|フォロー|팔로우|关注|curtid|likes?\b|me gusta|polub")
_PROMO_ML = re.compile(
    r"promo(?:vemos|vo|ção|ciones?|cion|zione|tion|sikan|si)\b|promov|divulga|parceri|colab|kooperation|"
    r"zusammenarbeit|werbung|sponsor|patroc|collaborazion|kerja ?sama|endorse|iş birliği|reklam|"
    r"embaixador|embajador|botschafter|ambassad|revendedor|reseller|afiliad|affiliat|"
    r"meu perfil|mi perfil|mein profil|mon profil|il mio profilo|profil (?:saya|ku)|"
    r"(?:meu|mi|mein|mon|il mio) (?:canal|kanal|chaîne|canale)|(?:visit|visita|visite|besuch)")
_EARN_ML = re.compile(
    r"\bganh[eaoi]\w*|\bganar\b|\bgana\b|\bganancias?\b|gr[áa]tis\b|kostenlos|gratuit|gratuito|\bgagne[rz]?\b|"
    r"guadagn|renda extra|dinheiro|dinero|\bgeld\b|argent|\bsoldi\b|\buang\b|penghasilan|\bcuan\b|"
    r"invist|investi|inversi[oó]n|lucro|\bprofit|\bkazan|zarab|заработ|稼|赚钱|돈 벌|"
    r"bitcoin|cripto|krypto|crypto|forex|trading|\bpix\b")
_EMOJI_RUN_MIN = 3

CUE_FEATURES = (
    "phone", "bio_link", "dm_any_language", "follow_any_language", "promo_any_language",
    "earn_any_language", "emoji_run", "handle_share", "non_latin_share",
)
FEATURE_SETS = {"base": LEXICAL_FEATURES, "cues": LEXICAL_FEATURES + CUE_FEATURES}


@functools.lru_cache(maxsize=65536)  # one entry per distinct character seen
def _is_emoji(ch: str) -> bool:
    return (unicodedata.category(ch) in ("So", "Sk") or 0x1F000 <= ord(ch) <= 0x1FAFF
            or ch in "\u2764\ufe0f\u200d")


def _lexical_row(text: str, low: str) -> list[float]:
    """``text`` folded (``fold``), ``low`` its ``caseless`` form, which the patterns read."""
    chars = max(len(text), 1)
    letters = sum(map(str.isalpha, text))
    words = text.split()
    return [
        float(bool(_LINK.search(low))),
        float(len(_MENTION.findall(low))),
        float(len(_HASHTAG.findall(low))),
        float(bool(_SELF_PROMO.search(low))),
        float(bool(_SUBSCRIBE.search(low))),
        float(bool(_CONTACT.search(low))),
        float(len(_FINANCE.findall(low))),
        float(bool(_MONEY.search(low))),
        float(bool(_COLLAB.search(low))),
        math.log1p(len(text)),
        math.log1p(len(words)),
        sum(map(str.isdigit, text)) / chars,
        sum(map(_is_emoji, text)) / chars,
        (sum(map(str.isupper, filter(str.isalpha, text))) / letters) if letters else 0.0,
        float("?" in text),
        text.count("!") / chars,
    ]


def _longest_emoji_run(text: str) -> int:
    best = run = 0
    for ch in text:
        if _is_emoji(ch):
            run += 1
            best = max(best, run)
        elif not ch.isspace():
            run = 0
    return best


def _cue_row(text: str, low: str) -> list[float]:
    chars = max(len(text), 1)
    words = text.split()
    handles = sum(1 for w in words if w.startswith("@") and len(w) > 2)
    letters = [ch for ch in text if ch.isalpha()]
    non_latin = sum(1 for ch in letters if ord(ch) > 0x24F)
    run = _longest_emoji_run(text[:2000])
    return [
        float(bool(_PHONE.search(low))),
        float(bool(_BIO_LINK.search(low))),
        float(bool(_DM_ML.search(low))),
        float(bool(_FOLLOW_ML.search(low))),
        float(bool(_PROMO_ML.search(low))),
        float(len(_EARN_ML.findall(low[:2000]))),
        math.log1p(run) if run >= _EMOJI_RUN_MIN else 0.0,
        handles / max(len(words), 1),
        non_latin / max(len(letters), 1) if chars else 0.0,
    ]


def lexical_features(texts: Sequence[str], features: str = "base") -> np.ndarray:
    """(n, len(FEATURE_SETS[features])) float32: links, mentions, promo and scam cues, length, emoji,
    case; with ``features="cues"`` also the cues that hold in every language (``CUE_FEATURES``)."""
    names = FEATURE_SETS[features]
    if not texts:
        return np.zeros((0, len(names)), dtype=np.float32)
    rows = []
    for text in map(fold, texts):
        low = caseless(text)
        row = _lexical_row(text, low)
        rows.append(row if features == "base" else row + _cue_row(text, low))
    return np.asarray(rows, dtype=np.float32)


def embedding_features(vectors: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """What the embedding head sees: the sentence vector next to the lexical features."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.shape[0] != lexical.shape[0]:
        raise ValueError(f"{lexical.shape[0]} texts but {vectors.shape[0]} vectors")
    return np.hstack([vectors, lexical])


def prepare_texts(texts: Sequence[str]) -> list[str]:
    """What the n-gram heads read: NFKC folds look-alike letters (fullwidth, math script), lower case."""
    return [fold(t).lower() for t in texts]
