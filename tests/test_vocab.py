"""The shared vocabulary: tiers, slugs, store URLs and the 0600 secret files."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from server import vocab


@pytest.mark.parametrize(("followers", "expected"), [
    (None, None), (0, "nano"), (1, "nano"), (9_999, "nano"), (10_000, "micro"), (10_001, "micro"),
    (99_999, "micro"), (100_000, "mid"), (499_999, "mid"), (500_000, "macro"), (999_999, "macro"),
    (1_000_000, "mega"), (250_000_000, "mega"), (10**11, "mega"),
])
def test_tier_boundaries_match_design(followers, expected):
    assert vocab.tier(followers) == expected


@pytest.mark.parametrize(("name", "slug"), [
    ("Vegan Baking", "vegan-baking"), ("Running & Trail", "running-trail"), ("--x--", "x"),
    ("Café culture", "cafe-culture"), ("Ünïcödé  Ñame", "unicode-name"), ("a" * 80, "a" * 60),
])
def test_slugify(name, slug):
    assert vocab.slugify(name) == slug


def test_slugify_keeps_names_in_other_scripts_apart():
    ids = {vocab.slugify(name) for name in ("跑步", "烘焙", "бег", "###", "!!!")}
    assert len(ids) == 5
    assert all(i.startswith("niche-") and len(i) == len("niche-") + 8 for i in ids)


@pytest.mark.parametrize(("url", "expected"), [
    ("redis://localhost:6379/0", True), ("rediss://host/1", True), ("unix:///tmp/redis.sock", True),
    ("", False), (None, False), ("sqlite:///var/x.db", False), ("http://redis", False),
])
def test_is_redis_url(url, expected):
    assert vocab.is_redis_url(url) is expected


def test_a_secret_file_is_made_once_with_mode_0600_and_shared_by_racing_workers(tmp_path):
    path = tmp_path / "sub" / "secret"
    results: list[tuple[str, bool]] = []
    threads = [threading.Thread(target=lambda: results.append(vocab.read_or_create_secret(path)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({value for value, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert vocab.read_or_create_secret(path) == (results[0][0], False)
