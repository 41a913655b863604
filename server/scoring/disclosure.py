"""Disclosure: are sponsored posts disclosed the way the FTC's "Disclosures 101 for Social Media
Influencers" asks? (https://www.ftc.gov/business-guidance/resources/disclosures-101-social-media-influencers)

Each post stands alone: a disclosure in the bio or in another post does not count.

A post is *sponsored* when it shows any sign of a material connection: the platform's paid-partnership
label, a disclosure term (clear or ambiguous), a discount code, an affiliate or tracking link, "link in
bio" next to an @brand, "thanks to @brand for sending", "gifted", "PR package", or a free product.

A sponsored post is judged by five rules, each ``{rule, passed, reason}``; ``passed`` is None when the
rule does not apply (nothing to place, no label):

1. ``clear_term``: a clear term is present: "ad"/"#ad", "advertisement", "sponsored", "paid
   partnership (with X)", "thanks to Brand for the free product", "I earn a commission", and the usual
   German, Spanish/Portuguese, French and Italian terms (#anzeige, #werbung, #publi, #publicidad,
   #sponsorisé, #partenariat, #pubblicità ...). "Gifted" and "free" count only with brand context (an
   @mention or "by/from Brand"); "#<Brand>Partner" counts when the post @mentions that brand. Terms
   match whole words and whole hashtags ("adventure", "#adidas" and "badminton" are not "ad"); plain
   "ad" counts only where it reads as a label ("Ad:", "[ad]", "AD", "an ad", "ad |") so Latin and
   Italian "ad" ("ad hoc", "ad esempio") do not. Negations ("not sponsored", "#notanad") never count.
2. ``not_only_ambiguous``: not only ambiguous tags (#sp, #spon, #collab, #partner, #ambassador,
   "thanks @brand", "affiliate link", "in partnership with", "PR package", gifted with no brand).
3. ``visible_before_more``: a clear term ends within the characters shown before "more": the page's
   ``caption_visible_chars`` when captured, else our platform defaults (``VISIBLE_DEFAULTS``):
   Instagram 125 characters; TikTok the first line, at most 150; YouTube the first 100 characters of
   the description (the low end of the 100-150 shown, so "visible" holds on small screens).
4. ``not_buried_in_hashtags``: a clear term sits outside the closing hashtag block; a disclosure among
   3 or more trailing hashtags is buried, unless it is the very first thing in the caption.
5. ``platform_label_not_alone``: the platform label with no clear term of the creator's own is a
   warning, not a pass (the FTC: don't rely on a platform's tool alone).

Status: ``organic`` (not sponsored), ``disclosed`` (rules 1, 3, 4 pass), ``weak`` (some disclosure that
fails a rule, the label alone, or only ambiguous tags), ``undisclosed`` (no disclosure at all).

Score (documented weighting, not an FTC measure): the mean over sponsored posts of 100 disclosed, 50 a
clear term that is hidden (after "more" or buried), 25 only a label or ambiguous tags, 0 undisclosed.
100 means every sponsored post is clearly disclosed; None when no sponsored post is seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

__all__ = ["VISIBLE_DEFAULTS", "TIKTOK_MAX_VISIBLE", "POINTS", "assess"]

VISIBLE_DEFAULTS = {"instagram": 125, "tiktok": None, "youtube": 100}  # None: first line
TIKTOK_MAX_VISIBLE = 150
BURIED_MIN_HASHTAGS = 3
POINTS = {"disclosed": 100.0, "hidden": 50.0, "weak": 25.0, "undisclosed": 0.0}
_ISSUES_IN_REASONS = 5
_TERMS_SHOWN = 20
_MAX_TERMS = 200

# ---- vocabulary -------------------------------------------------------------------------------

_CLEAR_TAGS = frozenset({
    "ad", "ads", "advert", "advertisement", "advertising", "sponsored", "sponsor", "sponsoredpost",
    "sponsoredcontent", "sponsoredad", "sponsorship", "paid", "paidad", "paidpost", "paidpartnership",
    "paidpartner", "paidpromotion", "paidcollab", "paidcollaboration", "commissionlink", "commissionlinks",
    # de
    "anzeige", "werbung", "unbezahltewerbung", "bezahltewerbung", "bezahltepartnerschaft",
    "werbepartnerschaft",
    # es / pt
    "publi", "publicidad", "publicidade", "patrocinado", "patrocinada", "colaboracionpagada",
    "colaboraciónpagada", "parceriapaga", "publipost",
    # fr
    "sponsorisé", "sponsorisée", "sponsorise", "partenariat", "partenariatrémunéré", "partenariatremunere",
    "publicité", "publicite", "collaborationcommerciale",
    # it
    "pubblicità", "pubblicita", "sponsorizzato", "sponsorizzata", "inserzioneapagamento",
})
# "#pr" is left out on purpose: in fitness it means a personal record far more often than PR.
_AMBIGUOUS_TAGS = frozenset({
    "sp", "spon", "spons", "collab", "collaboration", "partner", "partnership", "partnered", "ambassador",
    "brandambassador", "brandpartner", "affiliate", "affiliatelink", "affiliatelinks", "prpackage",
    "prgift", "prhaul", "prproduct", "kooperation", "adv", "supported", "sponsoredby",
})
_GIFT_TAGS = frozenset({"gifted", "giftedby", "gifted_by", "giftedproduct", "giftedproducts", "giftedpr"})
_NEGATION_TAGS = frozenset({
    "notsponsored", "notanad", "notad", "noad", "nonsponsored", "unsponsored", "notpaid", "nospon",
    "keinewerbung", "keinanzeige", "nopatrocinado", "nonsponsorisé", "nonsponsorizzato",
})

_I = re.IGNORECASE


@dataclass(frozen=True)
class _Rx:
    """A pattern run only when one of its needles is in the casefolded caption: most captions hold
    none of these words, and a substring test is far cheaper than a regex scan."""

    needles: tuple[str, ...]
    regex: re.Pattern[str]

    def finditer(self, caption: str, lowered: str) -> Iterator[re.Match[str]]:
        if any(needle in lowered for needle in self.needles):
            yield from self.regex.finditer(caption)


def _rx(needles: str, pattern: str, flags: int = _I) -> _Rx:
    return _Rx(tuple(needles.split()), re.compile(pattern, flags))


_TAG_CHAIN = re.compile(r"(?<![\w&/#])(?:#\w+)+")  # "#fitness#gym#ad" is three tags
_MENTION = re.compile(r"(?<![\w.@/])@([A-Za-z0-9_](?:[\w.]*\w)?)")
_TOKEN = re.compile(r"[^\s<>\"]+")
_URL_START = re.compile(r"(?:https?://|www\.|(?:[a-z0-9-]+\.)+[a-z]{2,6}/)", _I)
_BRAND_WORD = re.compile(r"\b(?:by|from|to|thanks\s+to|thank\s+you|courtesy\s+of|c/o)\s+[A-Z][\w&'’.-]+")

_CLEAR_PHRASES = [
    _rx("sponsor", r"\bsponsored\b|\bsponsorship\b|\bsponsoring\b|\bsponsor(?:ed)?\s+by\b"
                   r"|\b(?:our|my|today'?s|today’s|this\s+video'?s|video)\s+sponsor\b"),
    _rx("advert", r"\badvertisement\b|\badvert\b|\bpaid\s+advertising\b"),
    _rx("paid", r"\bpaid\s+(?:partnership|partner|promotion|post|collab(?:oration)?|ad|endorsement)"
                r"(?:\s+with\s+@?[\w.]+)?|\bpaid\s+(?:me|us)\b|\bpaid\s+for\s+by\b"
                r"|\b(?:i\s+was|i'?m\s+being|i\s+got|we\s+were|we\s+got)\s+paid\b"),
    _rx("commission", r"\b(?:earn|earns|earning|get|gets|make|makes|receive|receives)\b[^\n.]{0,40}?"
                      r"\bcommissions?\b|\bcommissionable\b"),
    _rx("werbung anzeige partnerschaft",
        r"\bwerbung\b|\banzeige\b|\bbezahlte\s+partnerschaft\b|\bwerbepartnerschaft\b"),
    _rx("publi patrocinad colaboraci parceria",
        r"\bpubli\b|\bpublicidad\b|\bpublicidade\b|\bpatrocinad[oa]s?\b|\bcolaboraci[oó]n\s+pagada\b"
        r"|\bparceria\s+paga\b"),
    _rx("sponsoris partenariat publicit commerciale",
        r"\bsponsoris[ée]e?s?\b|\bpartenariat\b|\bpublicit[ée]\b|\bcollaboration\s+commerciale\b"),
    _rx("pubblicit sponsorizzat inserzione",
        r"\bpubblicit[àa]\b|\bsponsorizzat[oaie]\b|\binserzione\s+a\s+pagamento\b"),
]
# Clear only with brand context (who gave it), else ambiguous.
_GIFT_PHRASES = [
    _rx("gifted", r"[\[(*]\s*gifted\s*[\])*]|^[ \t]*gifted\b|\bgifted\s*(?::|\||[-–—](?=\s))"
                  r"|\b(?:was|were|been|kindly|got|get)\s+gifted\b"
                  r"|\bgifted\s+(?:by|from|me|us|to\s+me|to\s+us|products?|items?)\b", _I | re.MULTILINE),
    # "thanks to Brand for the free product": the thanked one is an @handle or a capitalised name
    _rx("free", r"(?-i:\b(?i:thanks|thank\s+you)\s+(?i:so\s+much\s+)?(?i:to\s+)?(?:@[\w.]+|[A-Z][\w&'’.-]*))"
                r"[^\n.!?]{0,40}?\bfor\b[^\n.!?]{0,40}?\bfree\b"
                r"|\b(?:sent|gave|given|gifted|provided)\b[^\n.!?]{0,40}?\b(?:for\s+free|free\s+of\s+charge)\b"
                r"|\bfree\s+(?:products?|samples?|gifts?|stay|trip|items?)\s+(?:from|by|courtesy\s+of)\b"),
]
_AMBIGUOUS_PHRASES = [
    _rx("partner teamed collab", r"\b(?:in\s+)?partnership\s+with\b|\bpartnered\s+with\b"
                                 r"|\bteamed\s+up\s+with\b"
                                 r"|\bcollab(?:oration)?\s+with\b|\bin\s+collaboration\s+with\b"),
    _rx("ambassador", r"\bbrand\s+ambassador\b|\bambassador\s+(?:for|of)\b"),
    _rx("affiliate", r"\baffiliate\s+links?\b|\baffiliate\b"),
    _rx("pr", r"\bpr\s+(?:package|gift|box|products?|samples?|haul)\b|[\[(]\s*pr\s*[\])]"),
    _rx("kooperation collaborazione colaboraci parceria",
        r"\bkooperation\b|\bin\s+collaborazione\s+con\b|\ben\s+colaboraci[oó]n\s+con\b"
        r"|\bem\s+parceria\s+com\b"),
    _rx("c/o courtesy", r"\bc/o\s+@|\bcourtesy\s+of\s+@"),
]
# Thanks without a reason is ambiguous, but alone it is no sign of sponsorship.
_THANKS = _rx("thank thx ty", r"\b(?:thanks|thank\s+you|thx|ty)\s+(?:so\s+much\s+)?(?:to\s+)?@[\w.]+")
_NEGATIONS = [
    _rx("not isn wasn never no", r"\b(?:not|isn'?t|isn’t|wasn'?t|wasn’t|never|no)\s+(?:an?\s+|a\s+paid\s+)?#?"
                                 r"(?:ads?|sponsored|sponsor(?:ship)?|paid(?:\s+partnership)?|advert(?:isement)?"
                                 r"|affiliate|gifted)\b"),
    _rx("unsponsored no", r"\bunsponsored\b|\b(?:no\s*one|nobody)\s+(?:paid|sponsored|asked)\b"),
    _rx("nicht keine no non", r"\bnicht\s+gesponsert\b|\bkeine\s+(?:werbung|anzeige)\b|\bno\s+patrocinado\b"
                              r"|\bnon\s+sponsoris[ée]\b|\bnon\s+sponsorizzat[oa]\b"),
]
_AD_WORD = _rx("ad", r"(?<![\w#@/.&'’-])ad(?![\w'’@-])")

# ---- sponsorship signals that are not disclosures ---------------------------------------------

_CODE_PHRASES = _rx(
    "code codigo código cupon cupón cupom codice",
    r"\b(?:use|using|with|enter|apply)\s+(?:my\s+|the\s+|our\s+)?(?:promo\s+|discount\s+|coupon\s+)?code\b"
    r"|\b(?:promo|discount|coupon|rabatt|gutschein|voucher)[\s-]?codes?\b|\b(?:rabatt|gutschein)code\b"
    r"|\bc[oó]digo\s+(?:de\s+descuento|de\s+desconto|promocional)\b|\bcup[oó]n\b|\bcupom\b"
    r"|\bcode\s+promo\b|\bcodice\s+(?:sconto|promo)\b")
# "code SARAH20", "Code: GLOW": the code itself is upper case or has a digit (so not "code red")
_CODE_TOKEN = _rx("code", r"(?i:\b(code))\s*[:=\-]?\s*[\"“'‘]?"
                          r"([A-Z][A-Z0-9_]{2,}|[A-Za-z]+\d+[A-Za-z0-9]*)\b", 0)
_NOT_A_DISCOUNT = frozenset({"dress", "source", "qr", "zip", "postal", "post", "area", "country", "morse",
                             "bar", "color", "colour", "error", "status", "cheat", "secret", "genetic"})
_AFFILIATE_HOSTS = (
    "amzn.to", "amzn.eu", "a.co", "bit.ly", "geni.us", "rstyle.me", "liketk.it", "shopmy.us", "shop-links.co",
    "howl.link", "howl.me", "sjv.io", "shareasale.com", "awin1.com", "linksynergy.com", "skimresources.com",
    "prf.hn", "tidd.ly", "pxf.io", "anrdoezrs.net", "tkqlhce.com", "jdoqocy.com", "dpbolvw.net", "kqzyfj.com",
)
_TRACKING_QUERY = re.compile(
    r"(?:^|[?&])(?:utm_\w+|ref|ref_id|aff|affid|aff_id|affiliate|afftrack|tag|irclickid|clickid|sscid|"
    r"ranmid|raneaid|cjevent|discount|coupon|promo|code)=", _I)
_LINK_IN_BIO = _rx("link", r"\blinks?\s+(?:is\s+)?in\s+(?:my\s+|the\s+)?(?:bio|description)\b")
_THANKS_FOR = _rx(
    "thank thx shout s/o",
    r"\b(?:thanks|thank\s+you|thx|shout\s*out|s/o)\s+(?:so\s+much\s+)?(?:to\s+)?@[\w.]+\s+for\b[^\n.!]{0,60}?"
    r"\b(?:send\w*|sent|gift\w*|free|products?|package|box|goodies|sponsor\w*|partner\w*|support\w*|"
    r"hav(?:e|ing)\s+me|host\w*|invit\w*|collab\w*|samples?|kit|launch)\b")
_SENT_BY = _rx("sent gifted gave provided given", r"@[\w.]+\s+(?:sent|gifted|gave)\s+(?:me|us)\b"
                                                   r"|\b(?:sent|gifted|provided|given)\s+(?:to\s+(?:me|us)\s+)?by\s+@[\w.]+")


def _urls(caption: str) -> list[tuple[str, int, int]]:
    """Links in a caption, by whitespace-separated token (a regex over the whole caption that allows
    bare domains backtracks badly on "a.a.a.a...")."""
    if "/" not in caption and "www." not in caption.casefold():
        return []
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(caption)
            if _URL_START.match(m.group(0))]


@dataclass(frozen=True)
class _Term:
    text: str
    kind: str  # "clear" | "ambiguous" | "thanks"
    start: int
    end: int


def _hashtags(text: str) -> list[tuple[str, int, int]]:
    """(tag without '#', start, end) for every hashtag, chained ones included."""
    tags = []
    for chain in _TAG_CHAIN.finditer(text):
        for match in re.finditer(r"#(\w+)", chain.group(0)):
            tags.append((match.group(1), chain.start() + match.start(), chain.start() + match.end()))
    return tags


class _Spans:
    """Which characters of a caption are already claimed; linear, so a 5,000-character caption full
    of "ad | ad | ..." stays cheap (a list of spans made that quadratic)."""

    def __init__(self, size: int):
        self._used = bytearray(size)

    def claim(self, start: int, end: int) -> None:
        self._used[start:end] = b"\x01" * (end - start)

    def free(self, start: int, end: int) -> bool:
        return not any(self._used[start:end])


def _alnum(text: str) -> str:
    return re.sub(r"[\W_]", "", text.casefold())


def _ad_reads_as_label(caption: str, start: int, end: int) -> bool:
    """Plain "ad" counts where it reads as a label, not as Latin or Italian ("ad hoc", "ad esempio")."""
    # short windows: the context that matters is a few words away, and long slices would make
    # a caption with thousands of "ad"s quadratic
    before, after, word = caption[max(0, start - 30):start], caption[end:end + 30], caption[start:end]
    if re.search(r"[\[(]\s*$", before) and re.match(r"\s*[\])]", after):
        return True
    if re.match(r"[ \t]*(?:[:|•/]|[-–—](?=\s|$)|\n|$)", after):
        return True
    if re.search(r"\b(?:an|paid|sponsored)\s+$", before, _I) and re.match(
            r"\s*(?:[.,!;:)|–—-]|\n|$)|\s+(?:for|from|with|by|about|featuring)\b", after, _I):
        return True  # "this is an ad.", "an ad for @brand"; not "an ad hoc picnic"
    # upper-case "AD" is a label unless it is a year ("1066 AD", "AD 70")
    return word == "AD" and not re.search(r"\d\s*$", before) and not re.match(r"\s*\d", after)


def _terms(caption: str, lowered: str, urls: list[tuple[str, int, int]],
           mentions: list[str]) -> tuple[list[_Term], list[str]]:
    """Disclosure terms found in a caption, and the negations ("not sponsored") that were set aside."""
    taken = _Spans(len(caption))  # URLs, negations and terms already found
    for _, start, end in urls:
        taken.claim(start, end)
    negated = []
    for pattern in _NEGATIONS:
        for match in pattern.finditer(caption, lowered):
            negated.append(match.group(0))
            taken.claim(*match.span())
    brand_context = bool(mentions) or bool(_BRAND_WORD.search(caption))
    terms: list[_Term] = []

    def add(text: str, kind: str, start: int, end: int) -> None:
        if not taken.free(start, end) or (start > 0 and caption[start - 1] in "@/"):
            return
        terms.append(_Term(text, kind, start, end))
        taken.claim(start, end)

    brands = {_alnum(m) for m in mentions}
    for name, start, end in _hashtags(caption):
        if len(terms) >= _MAX_TERMS:
            break
        tag, text = name.casefold(), caption[start:end]
        brand = re.fullmatch(r"(\w+?)_?(?:partner|ambassador)", tag)
        if tag in _NEGATION_TAGS:
            negated.append(text)
            taken.claim(start, end)
        elif tag in _CLEAR_TAGS:
            add(text, "clear", start, end)
        elif tag in _GIFT_TAGS:
            add(text, "clear" if brand_context else "ambiguous", start, end)
        elif tag in _AMBIGUOUS_TAGS:
            add(text, "ambiguous", start, end)
        elif brand and _alnum(brand.group(1)) in brands:
            add(text, "clear", start, end)  # "#BrandPartner" naming the @brand of the post
    gift = "clear" if brand_context else "ambiguous"
    scans = [(_AD_WORD, "ad"), *((p, "clear") for p in _CLEAR_PHRASES), *((p, gift) for p in _GIFT_PHRASES),
             *((p, "ambiguous") for p in _AMBIGUOUS_PHRASES), (_THANKS, "thanks")]
    for pattern, kind in scans:
        for match in pattern.finditer(caption, lowered):
            if len(terms) >= _MAX_TERMS:  # a caption of nothing but "ad | ad | ..." says no more
                break
            if kind == "ad" and not _ad_reads_as_label(caption, *match.span()):
                continue
            add(match.group(0).strip(), "clear" if kind == "ad" else kind, *match.span())
    terms.sort(key=lambda t: t.start)
    return terms, negated


def _link_signals(urls: list[tuple[str, int, int]]) -> list[str]:
    found = []
    for token, _, _ in urls:
        raw = token.rstrip(".,;:!?)]}'\"")
        try:
            parts = urlsplit(raw if "://" in raw else "https://" + raw)
        except ValueError:  # "http://[" and friends: not a link anyone can follow
            continue
        host = (parts.hostname or "").removeprefix("www.")
        affiliate_host = any(host == h or host.endswith("." + h) for h in _AFFILIATE_HOSTS)
        if affiliate_host or _TRACKING_QUERY.search(parts.query) or re.search(r"/(?:ref|aff)/", parts.path):
            found.append(f"affiliate or tracking link ({host or raw})")
    return found


def _code_signals(caption: str, lowered: str, most: int = 2) -> list[str]:
    found = [match.group(0) for match in islice(_CODE_PHRASES.finditer(caption, lowered), most)]
    for match in _CODE_TOKEN.finditer(caption, lowered):
        if len(found) >= most:
            break
        before = re.search(r"(\w+)\s*$", caption[max(0, match.start() - 30):match.start()])
        if not (before and before.group(1).casefold() in _NOT_A_DISCOUNT):
            found.append(match.group(0))
    return [f"discount code ('{text}')" for text in dict.fromkeys(found)]


def _signals(post: Any, caption: str, lowered: str, urls: list[tuple[str, int, int]], terms: list[_Term],
             mentions: list[str]) -> list[str]:
    signals = []
    if post.paid_partnership:
        signals.append("the platform's paid-partnership label")
    signals += [f"disclosure term '{t.text}'" for t in terms if t.kind == "clear"]
    signals += [f"sponsorship hint '{t.text}'" for t in terms if t.kind == "ambiguous"]
    signals += _code_signals(caption, lowered)
    signals += _link_signals(urls)
    if mentions and (m := next(_LINK_IN_BIO.finditer(caption, lowered), None)):
        signals.append(f"'{m.group(0)}' with @{mentions[0]}")
    said = {t.text.casefold() for t in terms if t.kind != "thanks"}
    for pattern in (_THANKS_FOR, _SENT_BY):
        signals += [f"'{m.group(0)}'" for m in islice(pattern.finditer(caption, lowered), 3)
                    if not any(m.group(0).casefold() in t or t in m.group(0).casefold() for t in said)]
    return list(dict.fromkeys(signals))


_PLATFORM_NAMES = {"instagram": "Instagram", "tiktok": "TikTok", "youtube": "YouTube"}


def _visible(post: Any, platform: str, caption: str) -> tuple[int, str]:
    """How many characters show before "more", and where that number came from."""
    if post.caption_visible_chars is not None:
        return post.caption_visible_chars, "the page's own cutoff"
    name = _PLATFORM_NAMES.get(platform, platform)
    default = VISIBLE_DEFAULTS.get(platform)
    if default is not None:
        return default, f"{name}'s default of ~{default} characters"
    line = caption.find("\n")
    first_line = len(caption) if line < 0 else line
    return (min(first_line, TIKTOK_MAX_VISIBLE),
            f"{name}'s default of the first line, at most {TIKTOK_MAX_VISIBLE} characters")


def _trailing_block(caption: str) -> tuple[int, int]:
    """Start of the closing run of hashtags/mentions/punctuation, and how many hashtags it holds."""
    start = len(caption)
    for token in reversed(list(re.finditer(r"\S+", caption))):
        if re.search(r"\w", re.sub(r"[#@][\w.]+", "", token.group(0))):
            break  # a word that is not a hashtag or mention ends the block
        start = token.start()
    return start, len(re.findall(r"#\w", caption[start:]))


def _quote(texts: Iterable[str], most: int = 5) -> str:
    unique = list(dict.fromkeys(texts))
    more = f" and {len(unique) - most} more" if len(unique) > most else ""
    return ", ".join(f"'{t}'" for t in unique[:most]) + more


def _rule(name: str, passed: bool | None, reason: str) -> dict[str, Any]:
    return {"rule": name, "passed": passed, "reason": reason}


def _placement(caption: str, clear: list[_Term], limit: int, limit_source: str) -> list[dict[str, Any]]:
    """Rules 3 and 4: is a clear term hard to miss, before "more" and outside the closing hashtags?"""
    if not clear:
        return [_rule("visible_before_more", None, "no clear term to place"),
                _rule("not_buried_in_hashtags", None, "no clear term to place")]
    first = clear[0]
    rules = []
    seen = [t for t in clear if t.end <= limit]
    if seen:
        rules.append(_rule("visible_before_more", True, f"'{seen[0].text}' shows before 'more' "
                                                        f"(within {limit} characters: {limit_source})"))
    else:
        rules.append(_rule("visible_before_more", False,
                           f"'{first.text}' starts at character {first.start + 1}, after 'more' "
                           f"(only {limit} characters show: {limit_source})"))
    block_start, block_tags = _trailing_block(caption)
    buried = block_tags >= BURIED_MIN_HASHTAGS
    lead = len(caption) - len(caption.lstrip())  # a term that opens the caption is never buried
    outside = [t for t in clear if not buried or t.start < block_start or t.start <= lead]
    if outside:
        rules.append(_rule("not_buried_in_hashtags", True,
                           f"'{outside[0].text}' stands outside any closing hashtag block"))
    else:
        rules.append(_rule("not_buried_in_hashtags", False,
                           f"'{first.text}' is buried among {block_tags} hashtags at the end"))
    return rules


def _rules(post: Any, caption: str, clear: list[_Term], ambiguous: list[_Term], limit: int,
           limit_source: str) -> list[dict[str, Any]]:
    if clear:
        rules = [_rule("clear_term", True, f"clear disclosure {_quote(t.text for t in clear)}")]
    else:
        rules = [_rule("clear_term", False,
                       "no clear disclosure such as '#ad', 'sponsored' or 'paid partnership'")]
    if clear:
        besides = f" (besides {_quote(t.text for t in ambiguous)})" if ambiguous else ""
        rules.append(_rule("not_only_ambiguous", True, "a clear term is used" + besides))
    elif ambiguous:
        wording = _quote(t.text for t in ambiguous)
        rules.append(_rule("not_only_ambiguous", False,
                           f"only ambiguous wording {wording}: viewers may not read it as an ad"))
    else:
        rules.append(_rule("not_only_ambiguous", None, "no disclosure wording at all"))
    rules += _placement(caption, clear, limit, limit_source)
    if not post.paid_partnership:
        rules.append(_rule("platform_label_not_alone", None, "no platform paid-partnership label seen"))
    elif clear:
        rules.append(_rule("platform_label_not_alone", True,
                           "the platform label is backed by a clear term in the caption"))
    else:
        rules.append(_rule("platform_label_not_alone", False, "warning: only the platform's paid-partnership "
                                                              "label; the caption itself does not disclose"))
    return rules


def _status(rules: list[dict[str, Any]], has_ambiguous: bool, labelled: bool) -> str:
    passed = {r["rule"]: r["passed"] for r in rules}
    if passed["clear_term"] and passed["visible_before_more"] and passed["not_buried_in_hashtags"]:
        return "disclosed"
    if passed["clear_term"] or has_ambiguous or labelled:
        return "weak"
    return "undisclosed"


def _assess_post(post: Any, platform: str, handle: str) -> dict[str, Any]:
    caption = post.caption or ""
    lowered, urls = caption.casefold(), _urls(caption)
    mentions = [m for m in _MENTION.findall(caption) if m.casefold() != handle.casefold()]
    terms, negated = _terms(caption, lowered, urls, mentions)
    signals = _signals(post, caption, lowered, urls, terms, mentions)
    result: dict[str, Any] = {"post_id": post.id, "sponsored": bool(signals), "sponsored_signals": signals,
                              "disclosed": False, "status": "organic", "terms": [], "rules": [], "issues": []}
    if not signals:
        return result

    clear = [t for t in terms if t.kind == "clear"]
    ambiguous = [t for t in terms if t.kind in ("ambiguous", "thanks")]
    limit, limit_source = _visible(post, platform, caption)
    rules = _rules(post, caption, clear, ambiguous, limit, limit_source)
    status = _status(rules, bool(ambiguous), post.paid_partnership)
    issues = [r["reason"] for r in rules if r["passed"] is False]
    if negated and status != "disclosed":
        issues.append(f"says {_quote(negated)} yet shows {signals[0]}")
    points = POINTS["hidden" if status == "weak" and clear else status]
    result.update(status=status, disclosed=status == "disclosed", rules=rules, issues=issues, points=points,
                  terms=[{"text": t.text, "kind": "clear" if t.kind == "clear" else "ambiguous",
                          "at": t.start} for t in terms[:_TERMS_SHOWN]],
                  visible_chars={"value": limit, "source": limit_source})
    return result


def _confidence(n: int) -> str:
    return "high" if n >= 10 else "medium" if n >= 5 else "low"


def assess(snapshot: Any) -> dict[str, Any]:
    """The disclosure section of the score for a ``server.schemas.Snapshot``; each post judged alone."""
    posts = [_assess_post(p, snapshot.platform, snapshot.handle) for p in snapshot.posts]
    sponsored = [p for p in posts if p["sponsored"]]
    disclosed = [p for p in sponsored if p["disclosed"]]
    n, k = len(posts), len(sponsored)
    reasons: list[str] = []
    score: float | None = None
    empty = sum(1 for p in snapshot.posts if not (p.caption or "").strip() and not p.paid_partnership)

    if not n:
        reasons.append("no posts captured: nothing to judge")
    elif not k:
        reasons.append(f"no sponsored posts among the {n} captured: nothing to judge")
    else:
        score = round(sum(p["points"] for p in sponsored) / k, 1)
        reasons.append(f"{k} of {n} posts look sponsored ({100 * k / n:.0f}%)")
        reasons.append(f"{len(disclosed)} of {k} sponsored posts clearly disclosed")
        counts = {s: sum(1 for p in sponsored if p["status"] == s) for s in ("weak", "undisclosed")}
        if counts["weak"]:
            reasons.append(f"{counts['weak']} weakly disclosed (hidden, ambiguous or label only)")
        if counts["undisclosed"]:
            reasons.append(f"{counts['undisclosed']} with no disclosure at all")
        problems = [f"post {p['post_id']}: {p['issues'][0]}" for p in sponsored if p["issues"]]
        reasons += problems[:_ISSUES_IN_REASONS]
        if len(problems) > _ISSUES_IN_REASONS:
            reasons.append(f"... and {len(problems) - _ISSUES_IN_REASONS} more posts with issues")
        if n >= 4 and k / n > 0.5:
            reasons.append("more than half of the posts are sponsored: check the feed stands on its own")
    if empty:
        reasons.append(f"{empty} posts had no caption captured")
    for p in posts:
        p.pop("points", None)
    return {
        "posts": posts,
        "posts_analyzed": n,
        "sponsored_count": k,
        "sponsored_share": (k / n) if n else None,
        "disclosed_count": len(disclosed),
        "disclosed_share": (len(disclosed) / k) if k else None,
        "score": score,
        "confidence": _confidence(n),
        "organic_post_ids": [p["post_id"] for p in posts if not p["sponsored"]],
        "reasons": reasons,
    }
