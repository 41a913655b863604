"""Comment model training: loaders, the YouTube protocol split, persistence, and the shipped numbers."""

from __future__ import annotations

import csv
import json
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.ensemble import RandomForestClassifier

from server.scoring import comments
from server.scoring.comments import CommentModel, ModelLoadError, ModelVersionWarning
from training import comments as trainer
from training import datasets, niche_eval, ordinary_text
from training.result import TrainingResult

SHIPPED = trainer.MODELS_ROOT
SCAMSPOT_FLOOR = 0.85
VIDEO_FLOOR = 0.85


@pytest.mark.parametrize(("raw", "clean"), [
    ("I don&#39;t know<br />\ufeff", "I don't know"),
    ('best part <a href="http://www.youtube.com/watch?v=x&amp;t=2m19s">2:19</a>\ufeff', "best part 2:19"),
    ("Awsome<br />\ufeff", "Awsome"),
    ("a &amp; b", "a & b"),
])
def test_clean_html(raw, clean):
    assert datasets.clean_html(raw) == clean


def test_loaders_and_counts():
    yt, ss = datasets.load_youtube(), datasets.load_scamspot()
    assert len(yt) == 1365 and sum(r.spam for r in yt) == 701
    assert {r.group for r in yt} == set(datasets.YOUTUBE_VIDEOS)
    assert not any("<br" in r.text or "&#39;" in r.text or "\ufeff" in r.text for r in yt)
    keys = [datasets.normalise_text(r.text) or r.text for r in ss]  # emoji-only texts keep their own key
    assert len(keys) == len(set(keys)) == 2558  # 2,594 rows, 36 repeats once case and punctuation fold


def test_ordinary_text_has_a_training_part_and_a_check_part_apart():
    train, check = datasets.load_ordinary("train"), datasets.load_ordinary("check")
    assert len(train) == 125 and len(check) == 680 and not any(r.spam for r in train + check)
    assert not {r.text for r in train} & {r.text for r in check}
    # every tweet-topic language and every SIB-200 language in both parts
    assert {r.group for r in train} == {r.group for r in check} and len({r.group for r in check}) == 17
    # no post of the multilingual dev set, whatever its line breaks ("\r\n" in the tweet, "\n" in the dev set)
    dev = {r.text.replace("\r\n", "\n") for r in datasets.load_multilingual_dev()}
    assert not {r.text.replace("\r\n", "\n") for r in train + check} & dev
    with pytest.raises(ValueError, match="part"):
        datasets.load_ordinary("test")


def test_ordinary_text_is_what_its_script_draws_from_the_shared_data():
    # the file is drawn, not picked by hand: the script redraws it byte for byte (from ../shared/data)
    assert ordinary_text.main(["--check"]) == 0
    # and the draw follows the niche evaluation's parts: train rows from development groups only
    with open(datasets.DATA_DIR / datasets.ORDINARY_FILE, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert all(niche_eval.in_development(row["id"]) == (row["part"] == "train") for row in rows)


def test_youtube_protocol_split_is_oldest_70_percent_per_video_and_class():
    rows = datasets.load_youtube() + datasets.load_scamspot()
    train, test = datasets.youtube_protocol_split(rows)
    assert not set(train) & set(test)
    assert len(train) + len(test) == 1365 and all(rows[i].source == "youtube" for i in train + test)
    cells = Counter((rows[i].group, rows[i].spam) for i in train + test)
    train_cells = Counter((rows[i].group, rows[i].spam) for i in train)
    for cell, total in cells.items():
        assert train_cells[cell] == round(0.7 * total)
        newest_train = max(rows[i].order for i in train if (rows[i].group, rows[i].spam) == cell)
        oldest_test = min(rows[i].order for i in test if (rows[i].group, rows[i].spam) == cell)
        assert newest_train < oldest_test


def test_generic_hand_labels_are_a_fixed_random_draw():
    labels = datasets.load_generic_labels()
    assert len(labels) == 200 and Counter(x.source for x in labels) == {"youtube": 100, "scamspot": 100}
    assert set(x.label for x in labels) == {"genuine", "generic", "spam"}
    yt = [r for r in datasets.load_youtube() if r.spam == 0]
    ss = [r for r in datasets.load_scamspot() if r.spam == 0]
    import random

    rng = random.Random(20251125)
    drawn = [r.text for r in rng.sample(yt, 100)] + [r.text for r in rng.sample(ss, 100)]
    assert drawn == [x.text for x in labels]


# ---- a tiny model, saved and loaded -------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny(embedder):
    rows = [r for r in datasets.load_youtube() if r.group == "Youtube01-Psy"][:60]
    rows += [r for r in datasets.load_scamspot()][:60]
    corpus = trainer.Corpus(rows, embedder.encode([r.text for r in rows]))
    args = trainer.TrainingArguments(inner_folds=3, chars_max_features=2000)
    return corpus, args, trainer.fit_corpus(corpus, args)


@pytest.mark.slow
def test_round_trip_with_trusted_types(tiny, tmp_path):
    corpus, args, estimators = tiny
    model = CommentModel(estimators, "v1")
    model.save(tmp_path / "v1", {"parameters": {"threshold": 0.5}})
    stored = comments.stored_types(tmp_path / "v1" / comments.MODEL_FILE)
    assert stored - {"builtins.dict", "builtins.list", "builtins.str", "builtins.tuple"} <= set(
        comments.TRUSTED_TYPES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same library versions: no warning
        loaded = CommentModel.from_dir(tmp_path / "v1")
    before = model.spam_probability(corpus.texts, corpus.vectors)
    after = loaded.spam_probability(corpus.texts, corpus.vectors)
    np.testing.assert_allclose(before, after)
    assert loaded.version == "v1" and 0.0 <= after.min() and after.max() <= 1.0
    verdicts = loaded.classify(corpus.texts[:3], corpus.vectors[:3])
    assert [v["label"] for v in verdicts] == [v["label"] for v in model.classify(corpus.texts[:3],
                                                                                 corpus.vectors[:3])]


@pytest.mark.slow
def test_fit_builds_shared_and_platform_heads_and_stackers(tiny):
    corpus, args, estimators = tiny
    kinds = set(args.heads)
    assert set(estimators["heads"]) == {f"{s}:{k}" for s in ("all", "youtube", "instagram") for k in kinds}
    assert set(estimators["stacks"]) == {comments.ANY, "youtube", "instagram"}
    # each stacker reads the shared heads plus its own platform's, next to the lexical features
    for key, n_heads in ((comments.ANY, 3), ("youtube", 6), ("instagram", 6)):
        assert len(comments.stack_heads(list(estimators["heads"]), key)) == n_heads
        lexical = comments.FEATURE_SETS[estimators["features"]]
        assert estimators["stacks"][key].n_features_in_ == n_heads + len(lexical)
    model = CommentModel(estimators, "t")
    p_any = model.spam_probability(corpus.texts, corpus.vectors)
    np.testing.assert_allclose(p_any, model.spam_probability(corpus.texts, corpus.vectors, "tiktok"))
    assert not np.allclose(p_any, model.spam_probability(corpus.texts, corpus.vectors, "youtube"))
    mixed = model.spam_probability(corpus.texts[:2], corpus.vectors[:2], ["youtube", "instagram"])
    first = model.spam_probability(corpus.texts[:1], corpus.vectors[:1], "youtube")[0]
    assert mixed[0] == pytest.approx(first)
    assert mixed[1] == pytest.approx(model.spam_probability(corpus.texts[1:2], corpus.vectors[1:2],
                                                            "instagram")[0])
    with pytest.raises(ValueError, match="platforms"):
        model.spam_probability(corpus.texts[:2], corpus.vectors[:2], ["youtube"])


@pytest.mark.slow
def test_the_fit_chooses_its_design_on_its_own_rows(tiny):
    """Every fit scores each candidate design by cross-validation on its own rows and keeps the best."""
    _, args, estimators = tiny
    design = json.loads(estimators["design"])
    assert set(design["inner_mcc"]) == {f"{f}, stacker C {c:g}" for f, c in args.designs}
    assert design["inner_mcc"][f"{design['features']}, stacker C {design['stack_C']:g}"] == max(
        design["inner_mcc"].values())
    assert estimators["features"] == design["features"]


@pytest.mark.slow
def test_no_platforms_is_the_pooled_v1_design(tiny):
    corpus, args, _ = tiny
    from dataclasses import replace

    estimators = trainer.fit_corpus(corpus, replace(args, platforms=()))
    assert set(estimators["heads"]) == {f"all:{k}" for k in args.heads}
    assert set(estimators["stacks"]) == {"any"}
    model = CommentModel(estimators, "t")
    np.testing.assert_allclose(model.spam_probability(corpus.texts, corpus.vectors, "youtube"),
                               model.spam_probability(corpus.texts, corpus.vectors))


@pytest.mark.slow
def test_a_platform_with_too_few_rows_falls_back_to_the_pooled_stacker(embedder):
    rows = [r for r in datasets.load_youtube() if r.group == "Youtube01-Psy"][:60]
    rows += [r for r in datasets.load_scamspot() if r.spam == 0][:2] + [r for r in datasets.load_scamspot()
                                                                        if r.spam == 1][:1]
    corpus = trainer.Corpus(rows, embedder.encode([r.text for r in rows]))
    estimators = trainer.fit_corpus(corpus, trainer.TrainingArguments(inner_folds=3, chars_max_features=2000))
    assert set(estimators["stacks"]) == {"any", "youtube"}
    assert comments.stacker_for(estimators, "instagram") == "any"


@pytest.mark.slow
def test_untrusted_type_is_refused(tiny, tmp_path):
    _, _, estimators = tiny
    model = CommentModel(estimators, "v1")
    model.save(tmp_path / "v1", {})
    forest = RandomForestClassifier(n_estimators=2).fit(np.eye(4), [0, 1, 0, 1])
    sio.dump({**estimators, "extra": forest}, tmp_path / "v1" / comments.MODEL_FILE)
    with pytest.raises(ModelLoadError, match="untrusted types.*RandomForestClassifier"):
        CommentModel.from_dir(tmp_path / "v1")


@pytest.mark.slow
def test_library_version_mismatch_warns(tiny, tmp_path):
    _, _, estimators = tiny
    CommentModel(estimators, "v1").save(tmp_path / "v1", {})
    meta_path = tmp_path / "v1" / comments.METADATA_FILE
    meta = json.loads(meta_path.read_text())
    meta["libraries"]["scikit-learn"] = "0.0.1"
    meta_path.write_text(json.dumps(meta))
    with pytest.warns(ModelVersionWarning, match="scikit-learn"):
        CommentModel.from_dir(tmp_path / "v1")


@pytest.mark.slow
def test_corrections_train_the_model(embedder, tiny):
    corpus, args, _ = tiny
    odd = "purple elephants juggle quietly on tuesdays"
    corrections = [(f"{odd} {i}", "spam") for i in range(8)]
    added = [datasets.CommentRow(t, 1, trainer.EXTRA_SOURCE, trainer.EXTRA_SOURCE, i)
             for i, (t, _) in enumerate(corrections)]
    extra = trainer.Corpus(corpus.rows + added,
                           np.vstack([corpus.vectors, embedder.encode([t for t, _ in corrections])]))
    test = [f"{odd} again"]
    vec = embedder.encode(test)
    # corrections carry no platform: they teach the shared heads and every platform's stacker
    for platform in (None, "youtube", "instagram"):
        before = CommentModel(trainer.fit_corpus(corpus, args), "a").spam_probability(test, vec, platform)[0]
        after = CommentModel(trainer.fit_corpus(extra, args), "b").spam_probability(test, vec, platform)[0]
        assert after > before + 0.2, platform


@pytest.mark.slow
def test_ordinary_text_trains_every_stacker_and_no_head(embedder, tiny):
    """Ordinary rows teach the stackers that plain text is not spam; the heads learn from comments only
    (as "genuine" corrections, other languages became a sign of genuine text: ORDINARY_STUDY)."""
    corpus, args, _ = tiny
    ordinary = datasets.load_ordinary("train")[:20]
    marked = [datasets.CommentRow(f"{r.text} zebraquill", 0, datasets.ORDINARY_SOURCE, r.group, r.order)
              for r in ordinary]
    extra = trainer.Corpus(corpus.rows + marked,
                           np.vstack([corpus.vectors, embedder.encode([r.text for r in marked])]))
    estimators = trainer.fit_corpus(extra, args)
    heads, stacks = estimators["heads"], estimators["stacks"]
    assert "zebraquill" not in heads["all:words"].named_steps["tfidf"].vocabulary_
    assert heads["all:embedding"].named_steps["scale"].n_samples_seen_ == len(corpus.rows)
    platforms = Counter(corpus.platforms)
    seen = {key: stack.named_steps["scale"].n_samples_seen_ for key, stack in stacks.items()}
    assert seen == {"any": len(corpus.rows) + 20, "youtube": platforms["youtube"] + 20,
                    "instagram": platforms["instagram"] + 20}


# ---- the shipped model's numbers ----------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped_meta():
    version = comments.active_version(SHIPPED)
    return json.loads((SHIPPED / version / comments.METADATA_FILE).read_text())


def test_shipped_model_was_trained_on_the_default_backend(shipped_meta):
    from server import settings
    from server.scoring.weights import embedder_version

    default = {s.name: s.default for s in settings.SETTINGS}
    assert shipped_meta["embedder"] == embedder_version(default["EMBED_MODEL"], default["EMBED_BACKEND"])
    assert shipped_meta["parameters"]["platforms"] == ["youtube", "instagram"]


def test_shipped_metadata_records_data_and_parameters(shipped_meta):
    assert shipped_meta["data"]["files"] == datasets.file_snapshot(
        [datasets.DATA_DIR / datasets.YOUTUBE_FILE, datasets.DATA_DIR / datasets.SCAMSPOT_FILE,
         datasets.DATA_DIR / datasets.MULTILINGUAL_DEV_FILE, datasets.DATA_DIR / datasets.ORDINARY_FILE])
    assert shipped_meta["final_fit"]["rows"] == 1365 + 2558 + 125
    assert shipped_meta["final_fit"]["ordinary"] == 125
    assert shipped_meta["training_seconds"] > 0
    assert set(shipped_meta["libraries"]) == set(comments.LIBRARIES)


def mcc_from(confusion: list[list[int]]) -> float:
    (tn, fp), (fn, tp) = confusion
    den = ((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)) ** 0.5
    return (tp * tn - fp * fn) / den


def test_shipped_scamspot_cv_numbers(shipped_meta):
    ss = shipped_meta["metrics"]["scamspot"]
    assert ss["n"] == 2558 and ss["spam"] == 916 and len(ss["fold_mcc"]) == 5
    assert sum(map(sum, ss["confusion"])) == ss["n"]
    assert ss["mcc"] == pytest.approx(mcc_from(ss["confusion"]), abs=1e-4)
    # the goal is 0.88 (the report says whether it is met); v1 reached 0.850, v2 must stay above it
    assert ss["mcc"] >= 0.865 and ss["roc_auc"] >= 0.97, ss
    # the platform's own stacker is what wins: the pooled one (TikTok's) scores lower on the same folds
    assert ss["pooled"]["mcc"] < ss["mcc"]


def test_shipped_youtube_protocol_numbers(shipped_meta):
    yt = shipped_meta["metrics"]["youtube"]
    assert set(yt["per_video"]) == set(datasets.YOUTUBE_VIDEOS) and yt["test_rows"] == 411
    assert sum(m["n"] for m in yt["per_video"].values()) == 411
    for video, m in yt["per_video"].items():
        assert m["paper"]["mcc"] == trainer.PAPER_BEST[video][2]
        assert m["mcc"] == pytest.approx(mcc_from(m["confusion"]), abs=1e-4)
        assert yt["beats_paper_mcc"][video] == (m["mcc"] > m["paper"]["mcc"])
        # floors against regressions of v3-e5 (KatyPerry .814); the paper's bar is not met everywhere
        assert m["mcc"] >= 0.80, video
    assert yt["overall"]["mcc"] >= 0.92  # v1: 0.909, v2 (MiniLM, design chosen on these splits) 0.935
    assert sum(yt["beats_paper_mcc"].values()) >= 2  # v1 beat the paper on 1 video
    assert yt["pooled_overall"]["mcc"] < yt["overall"]["mcc"]


def test_shipped_model_does_not_call_ordinary_text_spam(shipped_meta):
    """v4-e5's YouTube stacker called about a fifth of plain posts and sentences spam (ORDINARY_STUDY)."""
    ordinary = shipped_meta["metrics"]["ordinary_text"]
    assert ordinary["n"] == 680 and set(ordinary["per_stacker"]) == {"youtube", "instagram", "any"}
    for key, m in ordinary["per_stacker"].items():
        assert m["spam_share"] <= 0.05, key
        assert len(m["per_dataset"]) == 17


def report_of(meta: dict) -> str:
    return (trainer.REPORTS_DIR / trainer.report_names(meta["embedder"])[0]).read_text()


def test_report_states_the_goals_honestly(shipped_meta):
    report = report_of(shipped_meta)
    line = trainer.goals_line(shipped_meta["metrics"])
    assert line in report
    beaten = sum(shipped_meta["metrics"]["youtube"]["beats_paper_mcc"].values())
    assert f"met on {beaten} of 5" in line
    met = shipped_meta["metrics"]["scamspot"]["mcc"] >= trainer.SCAMSPOT_GOAL_MCC
    assert ("- met (" if met else "- not met (") in line


def test_generic_rules_numbers_are_current(shipped_meta):
    """The rules only grew (generic praise in every language) since the shipped model was measured."""
    measured, shipped = trainer.evaluate_generic(), shipped_meta["metrics"]["generic_rules"]
    assert measured["n"] == shipped["n"] == 192 and measured["precision"] >= 0.9
    assert measured["recall"] >= shipped["recall"]


def test_report_matches_metadata(shipped_meta):
    report = report_of(shipped_meta)
    assert f"model {shipped_meta['version']}" in report
    for m in shipped_meta["metrics"]["youtube"]["per_video"].values():
        assert f"| {m['mcc']:.3f} |" in report
    assert f"{shipped_meta['metrics']['scamspot']['mcc']:.3f}" in report
    assert (trainer.REPORTS_DIR / trainer.report_names(shipped_meta["embedder"])[1]).stat().st_size > 10_000


@pytest.mark.slow
def test_youtube_protocol_reproduces(shipped_meta):
    """Recompute the YouTube protocol with the shipped parameters: the same numbers come out, up to
    the comments that int8 arithmetic moves across the threshold.

    On the backend the shipped model was trained on (v2: onnx-int8). ONNX Runtime's int8 kernels differ
    between CPUs (with or without AVX-512 VNNI), so the vectors are not bit-identical from machine to
    machine, and a borderline comment can flip: each video may differ by up to two comments of its
    test part (MCC moves about 0.025 per comment on a video of 74)."""
    from server.scoring.embedder import Embedder

    backend = shipped_meta.get("embedder", "+torch").rsplit("+", 1)[1]
    embedder = Embedder(backend=backend, store_url="")
    params = shipped_meta["parameters"]
    v2_meaning = {"features": "base", "offer_floor": 0.0, "designs": ()}  # keys v2's metadata predates
    args = trainer.TrainingArguments(**{**v2_meaning, **{k: tuple(v) if isinstance(v, list) else v
                                                         for k, v in params.items()}})
    corpus = trainer.load_corpus(embedder)
    result = trainer.evaluate_youtube(corpus, args)
    for video, m in shipped_meta["metrics"]["youtube"]["per_video"].items():
        got = result["per_video"][video]
        flipped = abs(got["accuracy"] - m["accuracy"]) * got["n"]  # accuracies are rounded to 4 places
        assert flipped <= 2.01, (video, got["accuracy"], m["accuracy"])
        assert got["mcc"] == pytest.approx(m["mcc"], abs=0.06), video


def test_the_multilingual_dev_set_is_real_rows_labelled_by_us():
    rows = datasets.load_multilingual_dev()
    assert len(rows) >= 90 and {r.labelled_by for r in rows} == {"us"}
    assert {r.label for r in rows} == {"spam", "generic", "genuine"}
    assert len({r.language for r in rows} - {"und", "en"}) >= 12
    # a dataset row is quoted exactly, so its label can be checked against the dataset's
    by_source = {"youtube": {r.order: r for r in datasets.load_youtube()},
                 "scamspot": {r.order: r for r in datasets.load_scamspot()}}
    for row in rows:
        if row.dataset_row:
            source, order = row.dataset_row
            original = by_source[source][order]
            assert original.text == row.text
            assert row.dataset_label == ("spam" if original.spam else "not spam")


def test_training_never_imports_the_web_layer():
    files = [*Path(trainer.__file__).parent.glob("*.py"), Path(datasets.__file__)]
    source = "".join(f.read_text() for f in files)
    assert "flask" not in source.lower()


@pytest.mark.slow
def test_the_trainer_returns_a_result_that_the_registry_keeps_and_serves(embedder, tmp_path):
    """One trainer shape: ``train(...) -> TrainingResult``; nothing is written until it is kept."""
    from server.registry import COMMENTS, Registry
    from server.storage.sqlite import SQLiteStore

    rows = [r for video in datasets.YOUTUBE_VIDEOS
            for r in [r for r in datasets.load_youtube() if r.group == video][:40]]
    rows += datasets.load_scamspot()[:120]
    corpus = trainer.Corpus(rows, embedder.encode([r.text for r in rows]))
    args = trainer.TrainingArguments(inner_folds=3, cv_folds=3, chars_max_features=2000)
    result = trainer.train("local-1", corpus=corpus, args=args, embedder=embedder)
    assert isinstance(result, TrainingResult) and isinstance(result.model, CommentModel)
    assert result.version == result.metadata["version"] == "local-1"
    assert "_curve" not in str(result.metadata["metrics"]) and result.metrics["youtube"]["_curve"]
    assert result.card.startswith("#") and result.files[comments.PR_CURVE_FILE][:4] == b"\x89PNG"
    assert list(tmp_path.iterdir()) == []

    registry = Registry(SQLiteStore(tmp_path / "store.db"), trainer.MODELS_ROOT.parent)
    summary = registry.keep(COMMENTS, "local-1", result)
    assert summary["version"] == "local-1" and summary["metrics"] == result.metadata["metrics"]
    files = registry.files(COMMENTS, "local-1")
    names = {comments.MODEL_FILE, comments.METADATA_FILE, comments.CARD_FILE, comments.PR_CURVE_FILE}
    assert names <= set(files)
    assert registry.active_version(COMMENTS) == comments.active_version(trainer.MODELS_ROOT)  # not yet served
    registry.activate(COMMENTS, "local-1")
    served = registry.active_model(COMMENTS)
    np.testing.assert_allclose(served.spam_probability(corpus.texts, corpus.vectors),
                               result.model.spam_probability(corpus.texts, corpus.vectors))
