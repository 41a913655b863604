"""The documented rules: "generic" (low effort) comments, and the reasons a spam verdict gives."""

from __future__ import annotations

import functools
import re
import unicodedata

from server.scoring.comments.features import (
    _BIO_LINK,
    _COLLAB,
    _CONTACT,
    _DM_ML,
    _EARN_ML,
    _FINANCE,
    _FOLLOW_ML,
    _LINK,
    _MENTION,
    _MONEY,
    _PHONE,
    _SELF_PROMO,
    _SELF_PROMO_ML,
    _SUBSCRIBE,
    _SUBSCRIBE_ML,
    GatedCue,
    _is_emoji,
    caseless,
    fold,
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
# The word lists hold the same generic praise in the languages comments are written in ("que lindo 😍",
# "top!!", "wunderschön", "bellissima", "cantik banget", "かわいい"), and in scripts written without
# spaces (Chinese, Japanese, Thai) every two characters count as a word, so a sentence is not "short".
# The patterns are written in lower case and read ``caseless`` text, as the cues in features.py do.

_BAIT = re.compile(
    r"\b(?:follow|like|sub|comment)s? ?(?:for|4|4a) ?(?:follow|like|sub|comment)s?\b|\bf4f\b|\bl4l\b|\bs4s\b"
    r"|follow ?back|followback|\btag (?:a|your) friends?\b|\bdouble tap\b"
    r"|\bsdv\b|sigo de volta|segue de volta|te sigo|s[ií]gueme y te sigo|seguimi e ti seguo|folback|follback"
    r"|\bfolbek\b|takip(?:e)? takip|abo gegen abo|\bsub ?x ?sub\b|like x like|curtid[ao] x curtid")
_FIRST = re.compile(r"^\W*(?:first|1st|frist|early|early squad|first comment|primeir[oa]|primer[oa]?|erste?r?"
                    r"|premier|premi[èe]re|prim[oa]|pertamax|pertama|ilk|一番|第一|沙发)\W*$")
_CHATTER = re.compile(
    r"\bviews?\b|\blikes?\b|\bsubscribers?\b|\b(?:19|20)\d\d\b|\byears? ago\b|\d+ (?:million|billion)\b"
    r"|\bwho(?:'s| is)? (?:still )?(?:here|watching|listening)"
    r"|\banyone (?:still |else )?(?:here|watching|listening)|\bstill (?:watching|listening)")


def _combining_marks() -> str:
    """A character class of the combining marks (Unicode Mn, Mc, Me) of the Basic Multilingual Plane."""
    ranges: list[list[int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]"


# a word: letters and the combining marks inside it ("बहुत" is not "बह" and "त": its vowel sign is a mark,
# which \w does not match; so are Tamil's, Thai's and Arabic's), or digits
_MARKS = _combining_marks()
_WORD = re.compile(rf"[^\W\d_](?:[^\W\d_]|{_MARKS})*|\d+")
_TAG = re.compile(rf"#(?:\w|{_MARKS})+")  # a hashtag, marks and all ("#सुंदर")
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
top tops topp que qué lindo linda lindos lindas muito muita muy mucho tão tan tao bem bien bonito bonita
bonitos bonitas perfeito perfeita perfecto perfecta perfetto perfetta maravilhoso maravilhosa maravilloso
maravillosa incrível incrivel increíble increible demais amei amo adoro adorei encanta encantó hermoso
hermosa hermosos precioso preciosa preciosos guapa guapo guapísima linduxa gata gato diva divo rainha reina
rey rei deusa diosa show showw genial genia ótimo ótima otimo otima lindeza fofo fofa fofura belo bela
belíssima belissima lindíssima lindissima maravilha divina divino mi mis tu tus su el la los las lo le les
o os as um uma un una uno e y es é está esta eres és sos fica ficou quedó quedo vc você voce te
quiero j c t l d n s
parabéns parabens felicidades felicitaciones enhorabuena obrigado obrigada gracias grazie merci danke
bellissimo bellissima bellissimi bella bello belli stupendo stupenda fantastico fantastica bravo brava
bravissimo bravissima complimenti molto tanto troppo sei sono ti amo adoro che mamma mia wow
magnifique superbe sublime trop beau belle jolie joli génial genial canon magnifique bravo félicitations
très tres c'est cest est je t'adore adore j'adore aime j'aime vraiment vous toi moi
schön schoen wunderschön wunderschoen toll super geil klasse mega krass hübsch huebsch cool stark
sehr so ist du bist sie echt einfach richtig ich liebe es dich wahnsinn hammer traumhaft süß süss
cantik ganteng keren mantap mantul bagus kece banget bgt sekali sangat kak kakak cakep imut lucu
indah luar biasa semangat sukses terus aku suka sayang
güzel harika muhteşem mükemmel çok cok süper bayıldım tebrikler canım
mooi prachtig geweldig leuk heel piękna piękny super śliczna
красиво красота класс супер круто шикарно прекрасно великолепно очень
かわいい 可愛い かっこいい 素敵 すてき 最高 すごい 綺麗 きれい 好き 大好き
예쁘다 예뻐요 예뻐 대박 멋져요 멋있어요 최고 사랑해요 좋아요 귀여워
好看 太美了 漂亮 好美 厉害 好棒 真棒 美 帅 可爱 喜欢 爱了
جميل جميلة رائع رائعة روعة مبدع ماشاء الله ما شاء الله حلو تبارك
बहुत सुंदर सुन्दर प्यारा प्यारी बढ़िया शानदार वाह mashallah masha allah wah bahut sundar nice
""".split())
_PRAISE_WORDS = frozenset("""
love loved loving lovee luv like nice good great cool awesome amazing beautiful beauty gorgeous stunning
lovely cute pretty perfect best fav favorite favourite fave fire lit dope epic super wonderful incredible
fantastic excellent brilliant goals queen king legend goat slay wow omg congrats congratulations
top lindo linda lindos lindas bonito bonita perfeito perfeita perfecto perfecta perfetto perfetta
maravilhoso maravilhosa maravilloso maravillosa incrível incrivel increíble increible demais amei amo adoro
adorei hermoso hermosa precioso preciosa guapa guapo diva rainha reina deusa diosa show genial ótimo ótima
otimo otima fofo fofa belo bela belíssima belissima lindíssima maravilha divina divino parabéns parabens
bellissimo bellissima bella bello stupendo stupenda fantastico fantastica bravo brava bravissimo complimenti
magnifique superbe sublime beau belle jolie joli génial adore j'adore félicitations schön wunderschön toll
super geil klasse mega hübsch stark wahnsinn hammer traumhaft cantik ganteng keren mantap bagus kece cakep
imut indah güzel harika muhteşem mükemmel mooi prachtig geweldig piękna красиво класс супер круто шикарно
かわいい 可愛い かっこいい 素敵 最高 すごい 綺麗 きれい 大好き 예쁘다 예뻐요 대박 멋져요 최고 好看 太美了
漂亮 好美 厉害 好棒 真棒 可爱 جميل جميلة رائع رائعة روعة सुंदर शानदार वाह
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


# scripts written without spaces between words: Thai, Lao, kana, CJK ideographs
_UNSPACED = re.compile("[\u0e00-\u0eff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def _word_count(words: list[str]) -> int:
    """Words, counting two characters as one in scripts written without spaces (CJK, Thai)."""
    return sum(max(1, len(_UNSPACED.findall(w)) // 2) for w in words)


@functools.lru_cache(maxsize=4096)  # a caption is looked at once for every comment under it
def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in (_squeeze(x) for x in _WORD.findall(text)) if len(w) >= 4 and w not in _STOP)


def generic_verdict(text: str, caption: str | None = None) -> tuple[float, str | None]:
    """(confidence that ``text`` is low-effort, the rule's reason or None); see the rules above."""
    stripped = _HEART.sub(" ", text)
    words = [_squeeze(w) for w in _WORD.findall(_TAG.sub(" ", _MENTION.sub(" ", stripped)))]
    if not any(ch.isalnum() for ch in stripped):
        return 0.95, "only emoji or punctuation"
    if not words:
        kind = "tags other accounts" if _MENTION.search(text) else "hashtags"
        return 0.9, f"only {kind}, no words"
    low = caseless(text)
    if _BAIT.search(low):
        return 0.9, "engagement bait (follow/like for follow/like)"
    if _FIRST.match(low):
        return 0.8, '"first"-style comment'
    if len(words) <= 8 and _CHATTER.search(low) and "?" not in text:
        return 0.8, "view-count or date chatter, not about the post"
    if caption and _content_words(text) & _content_words(caption):
        return 0.1, None  # mentions what the post is about
    unknown = [w for w in words if w not in _GENERIC_WORDS and not w.isdigit()]
    count = _word_count(words)
    asks = "?" in text or "¿" in text or "？" in text
    if count <= 10 and not unknown and not asks:
        return 0.85, "generic praise or reaction"
    hearts = bool(_HEART.search(text)) or any(_is_emoji(c) for c in text)
    if count <= 8 and _word_count(unknown) <= 2 and (_PRAISE_WORDS & set(words) or hearts) and not asks:
        return 0.8, "generic praise or reaction"
    if count <= 2 and not asks:
        return 0.6, "very short reaction"
    return 0.05, None


# ---- spam reasons ---------------------------------------------------------------------------

_SPAM_CUES: tuple[tuple[re.Pattern[str] | GatedCue, str], ...] = (
    (_LINK, "contains a link"),
    (_SELF_PROMO, 'self-promotion ("check out my ...")'),
    (_SUBSCRIBE, "asks for subscribes, follows or likes"),
    (_CONTACT, "asks to be contacted privately (DM, WhatsApp, Telegram, phone)"),
    (_FINANCE, "crypto, trading or investment pitch"),
    (_MONEY, "names sums of money"),
    (_COLLAB, "collaboration or promotion offer"),
)
_CUES_ANY_LANGUAGE: tuple[tuple[re.Pattern[str] | GatedCue, str], ...] = (
    (_PHONE, "contains a phone number"),
    (_BIO_LINK, 'points to a link ("link in bio")'),
    (_DM_ML, "asks to be contacted privately (DM, WhatsApp, Telegram, phone)"),
    (_SELF_PROMO_ML, 'self-promotion ("check out my ...")'),
    (_SUBSCRIBE_ML, "asks for subscribes, follows or likes"),
    (_FOLLOW_ML, "asks for subscribes, follows or likes"),
    (_EARN_ML, "crypto, trading or investment pitch"),
)


def spam_cues(text: str) -> list[str]:
    low = caseless(fold(text))
    found = [reason for pattern, reason in _SPAM_CUES if pattern.search(low)]
    for pattern, reason in _CUES_ANY_LANGUAGE:
        if reason not in found and pattern.search(low):
            found.append(reason)
    offer = _offer(low)
    return found + [offer] if offer else found


# ---- offers of followers, likes or promotion (v3 on) -----------------------------------------------
# How self-promotion is labelled on Instagram: a creator's fan pointing at their own page ("check out my
# page") stays the platform's convention (ScamSpot labels it real, and the Instagram stacker learns
# that). An *offer* to the reader - followers, likes, promotion of their page, a paid "collab", money -
# sent through a DM, a link in the bio or a handle is spam on every platform: it is what follower
# sellers and promotion scams write, in every language. ``offer_reason`` recognises it; a model trained
# with ``offer_floor`` gives such a comment at least that spam probability (training/reports/comments.md
# measures what it costs on ScamSpot).
_OFFER_GOODS = re.compile(
    r"seguidor(?:es|as)\b|followers\b|abonnenten|abonnés|iscritti|inscritos|suscriptores|pengikut|takipçi"
    r"|curtidas|me gustas\b|visualiza[cç][õo]es|engajamento|alcance\b"
    r"|promo(?:vemos|vo|vendo|ção|cion|ción|zione|tion|sikan|si)|promov|divulga|impulsa|parceri|colab"
    r"|kooperation|werbung|sponsor|patroc|kerja ?sama|endorse|embaixador|embajador|ambassad"
    r"|renda extra|ganh[eaoi]\w*|gan[ae] dinero|geld verdienen|gagne[rz]|guadagn|penghasilan"
    r"|volgers\b|obserwuj[ąa]cych|obserwator|zarabia|zarobi|подписчик|заработ"
    r"|粉丝|涨粉|赚钱|賺錢|日赚|月入|兼职|副业|フォロワー|稼げ|稼ぐ|副業|팔로워|돈 ?벌|부업"
    r"|متابعين|ربح|أرباح|كسب المال|फॉलोअर्स|पैसे कमा|कमाई")
_OFFER_CHANNEL = re.compile(
    r"(?<![\w])(?:dm|md|pv|inbox|direct|privado|privat|privé|whatsapp|telegram)(?![\w])"
    r"|link\s*(?:in|na|no|en|em|im)\s*(?:la\s+|my\s+|minha\s+)?(?:bio|perfil|profil)|🔗|https?://|www\."
    r"|(?<![\w.])@[\w.]{2,}"
    r"|(?:meu|mi|mein|mon|il mio|my|mijn|mój|moj)"
    r" (?:perfil|profil|profiel|profilo|profile|page|página|pagina)"
    r"|grátis|gratis|kostenlos|gratuit|free\b|mande|manda|chama|escr[ií]beme|schreib|écri|scrivi|hubungi"
    r"|stuur (?:me|ons)|napisz|напиши|пишите|в директ|в личку|yaz bana"
    r"|加我|微信|私信|私聊|ライン|dmください|카톡|카카오톡|텔레그램|واتساب|راسلني|تواصل معي|व्हाट्सएप")


def offer_reason(text: str) -> str | None:
    """Why ``text`` reads as an offer of followers, likes, promotion or money (None: it does not)."""
    return _offer(caseless(fold(text)))


def _offer(low: str) -> str | None:
    if _OFFER_GOODS.search(low) and _OFFER_CHANNEL.search(low):
        return "offers followers, promotion or money through a DM, link or handle"
    return None
