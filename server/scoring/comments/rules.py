"""The documented rules: "generic" (low effort) comments, and the reasons a spam verdict gives."""

from __future__ import annotations

import functools
import re

from server.scoring.comments.features import (
    _COLLAB,
    _CONTACT,
    _FINANCE,
    _HASHTAG,
    _LINK,
    _MENTION,
    _MONEY,
    _SELF_PROMO,
    _SUBSCRIBE,
    _is_emoji,
)

GENERIC_THRESHOLD = 0.5


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
