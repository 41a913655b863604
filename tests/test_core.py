"""The Scout (server/core.py) without Flask: scoring straight from Python, and what a score reads."""

from __future__ import annotations

import pytest

from server import settings
from server.core import NotReady, Scout, UnknownNiche
from server.schemas import NicheBrief, Snapshot
from server.scoring.score import Score
from server.storage import StoreUnavailable
from tests.samples import RUNNING_NICHE, snapshot

READS = ("list_niches", "get_niche", "get_setting", "get_settings", "follower_jump", "peer_rates",
         "commenter_links", "get_creator", "list_creators", "history", "list_labels")


class CountingStore:
    """The real store, counting the calls that read it."""

    def __init__(self, store):
        self.store = store
        self.reads: list[str] = []

    def __getattr__(self, name):
        attribute = getattr(self.store, name)
        if name in READS:
            def counted(*args, **kwargs):
                self.reads.append(name)
                return attribute(*args, **kwargs)
            return counted
        return attribute


def config(tmp_path):
    return {**settings.load(), "DATA_DIR": str(tmp_path), "STORE_URL": ""}


def test_a_scout_that_has_not_loaded_says_so(tmp_path):
    scout = Scout(config(tmp_path))
    with pytest.raises(NotReady):
        scout.score(Snapshot.model_validate(snapshot()))
    assert scout.health()["status"] == "loading"


def test_prepare_store_reads_the_listing_and_a_failure_only_logs(tmp_path, caplog):
    """What start runs on a thread: the first watchlist page then finds the listing read."""
    scout = Scout(config(tmp_path))
    scout.store.save_creator("instagram", "alpha", {}, by="t")
    scout.prepare_store()
    assert scout.store._listed is not None and scout.store._listed[1].keys == ["instagram/alpha"]

    class Away:
        def prepare(self):
            raise StoreUnavailable("connection refused")

    scout.store = Away()
    scout.prepare_store()  # the server serves on; the first page reads for itself
    assert "readying the store at start failed" in caplog.text


@pytest.fixture
def scout(tmp_path, embedder):
    scout = Scout(config(tmp_path))
    scout.embedder = embedder
    scout.start()
    assert scout.wait(120), scout.health()
    return scout


@pytest.mark.slow
def test_store_reads_per_score_do_not_grow_with_the_niches(scout):
    """Stored niches (1 read), every active model version (1) and the score context (3)."""
    counted = CountingStore(scout.store)
    scout.store = scout.registry.store = counted
    snap = Snapshot.model_validate(snapshot())
    reads = {}
    for n in (0, 1, 4):
        while (have := len(counted.store.list_niches())) < n:
            counted.store.create_niche({**RUNNING_NICHE, "name": f"Running {have}"})
        counted.reads.clear()
        score = scout.score(snap)
        assert isinstance(score, Score) and len(score.niche_fit) == n
        reads[n] = list(counted.reads)
    assert reads[0] == reads[1] == reads[4]
    assert sorted(reads[4]) == ["commenter_links", "follower_jump", "get_settings", "list_niches",
                                "peer_rates"]


@pytest.mark.slow
def test_inline_briefs_and_stored_ids_mix_and_an_unknown_id_is_named(scout):
    scout.store.create_niche(RUNNING_NICHE)
    snap = Snapshot.model_validate(snapshot())
    score = scout.score(snap, ["running", NicheBrief(name="Baking", keywords=["bread"])])
    assert [f.niche for f in score.niche_fit] == ["running", "baking"]
    with pytest.raises(UnknownNiche) as caught:
        scout.score(snap, [NicheBrief(name="Baking"), "no-such-niche"])
    assert caught.value.field == "niches.1"
