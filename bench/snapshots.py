"""Realistic creator snapshots built from real texts in ../shared/data (nothing here is invented).

A snapshot is what the extension sends for one profile: 1 bio, 12 captions of about 40 words (real
posts of one TweetTopic topic joined until about 40 words), 60 comments of about 12 words (real
YouTube and ScamSpot comments, joined or cut to about 12 words, with the emoji and hashtags those
comments carry). Every text a generator hands out is new, so "new snapshot" really costs embeddings.
"""

from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path
from typing import Any

DATA = Path("/work/shared/data")
CAPTIONS, CAPTION_WORDS = 12, 40
COMMENTS, COMMENT_WORDS = 60, 12
_DECOR = re.compile(r"(#\w+|[\U0001F300-\U0001FAFF\u2600-\u27BF]+)")


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class SnapshotMaker:
    """Deterministic (seeded) source of never-repeating snapshots and their texts."""

    def __init__(self, data: Path = DATA, seed: int = 7):
        self.rng = random.Random(seed)
        posts = [json.loads(line) for line in (data / "tweet-topic-xl/train.jsonl").read_text().splitlines()
                 if line.strip()]
        self.by_topic: dict[str, list[str]] = {}
        for post in posts:
            for topic in post["topics"]:
                self.by_topic.setdefault(topic, []).append(post["text"])
        self.topics = sorted(t for t, texts in self.by_topic.items() if len(texts) >= 8)
        self.comments = [r["content"] for r in _rows(data / "youtube-spam-collection/train.csv")]
        self.comments += [r["text"] for r in _rows(data / "scamspot-instagram-comments/train.csv")]
        self.comments = [c.strip() for c in self.comments if c.strip()]
        self.decor = sorted({m for c in self.comments for m in _DECOR.findall(c)})
        self.seen: set[str] = set()
        self.count = 0

    def _fresh(self, make: Any) -> str:
        for _ in range(1000):
            text = make()
            if text not in self.seen:
                self.seen.add(text)
                return text
        raise RuntimeError("ran out of new texts")

    def _words(self, pool: list[str], target: int) -> str:
        words: list[str] = []
        for text in self.rng.sample(pool, k=min(len(pool), 12)):  # distinct sources, no echoes
            words += text.split()
            if len(words) >= target:
                break
        spread = max(2, target // 4)
        return " ".join(words[: self.rng.randint(target - spread, target + spread)])

    def caption(self, topic: str) -> str:
        return self._fresh(lambda: self._words(self.by_topic[topic], CAPTION_WORDS))

    def comment(self) -> str:
        def make() -> str:
            text = self._words(self.comments, COMMENT_WORDS)
            if not _DECOR.search(text) and self.rng.random() < 0.5:
                text += " " + self.rng.choice(self.decor)
            return text
        return self._fresh(make)

    def texts(self) -> list[str]:
        """The 73 texts of one new snapshot, in the order the scorer embeds them."""
        snap = self.snapshot()
        return [snap["bio"]] + [p["caption"] for p in snap["posts"]] + [c["text"] for c in snap["comments"]]

    def snapshot(self) -> dict[str, Any]:
        """A new snapshot in the wire format of POST /v1/score."""
        self.count += 1
        topic = self.rng.choice(self.topics)
        posts = [{"id": f"p{i}", "caption": self.caption(topic), "likes": self.rng.randint(200, 4000),
                  "comments_count": self.rng.randint(5, 200), "paid_partnership": False}
                 for i in range(CAPTIONS)]
        comments = [{"id": f"c{i}", "post_id": f"p{i % CAPTIONS}", "text": self.comment(),
                     "author": f"user{self.rng.randint(1, 10**6)}", "likes": self.rng.randint(0, 30)}
                    for i in range(COMMENTS)]
        return {"platform": "instagram", "handle": f"bench_creator_{self.count}",
                "bio": self._fresh(lambda: self._words(self.by_topic[topic], 18)),
                "followers": self.rng.randint(10_000, 100_000), "following": 500, "posts_count": 300,
                "posts": posts, "comments": comments}

    @staticmethod
    def with_new_comment(snapshot: dict[str, Any], text: str) -> dict[str, Any]:
        """The same snapshot with one more comment (what a re-capture after a new comment sends)."""
        comments = snapshot["comments"] + [{"id": f"c{len(snapshot['comments'])}", "post_id": "p0",
                                            "author": "newcomer", "text": text, "likes": 0}]
        return {**snapshot, "comments": comments}
