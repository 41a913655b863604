"""Loaders for the labelled comment datasets copied into training/data (attribution in DATA.md).

Each loader returns ``CommentRow``s with the text as a user would see it on the page: the YouTube
export carries HTML (``<br />``, ``<a href=...>``, ``&#39;``) and a trailing BOM, which the browser
never shows and the extension never captures, so they are removed here, once, for training and
evaluation alike.
"""

from __future__ import annotations

import csv
import hashlib
import html
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
YOUTUBE_FILE = "youtube-spam-collection.csv"
SCAMSPOT_FILE = "scamspot-instagram-comments.csv"
GENERIC_LABELS_FILE = "generic-handlabelled.csv"

YOUTUBE_VIDEOS = ("Youtube01-Psy", "Youtube02-KatyPerry", "Youtube03-LMFAO", "Youtube04-Eminem",
                  "Youtube05-Shakira")
TRAIN_SHARE = 0.7  # the paper's protocol: oldest 70% per video and class


@dataclass(frozen=True)
class CommentRow:
    text: str
    spam: int  # 1 spam (YouTube class=1, ScamSpot scam=1), 0 not spam
    source: str  # "youtube" or "scamspot"
    group: str  # the YouTube video, or "scamspot"
    order: int  # position in the file (file order = time order for YouTube)


_BREAK = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]+>")


def clean_html(text: str) -> str:
    """What the page showed: tags dropped (link text kept), entities decoded, BOM removed."""
    text = _TAG.sub("", _BREAK.sub("\n", text))
    return html.unescape(text).replace("\ufeff", "").strip()


def normalise_text(text: str) -> str:
    """A key for "the same text": case, spacing and punctuation folded."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def load_youtube(path: Path | None = None) -> list[CommentRow]:
    rows = []
    with open(path or DATA_DIR / YOUTUBE_FILE, newline="", encoding="utf-8") as fh:
        for i, rec in enumerate(csv.DictReader(fh)):
            text = clean_html(rec["content"])
            if text:
                rows.append(CommentRow(text, int(rec["class"]), "youtube", rec["video"], i))
    return rows


def load_scamspot(path: Path | None = None) -> list[CommentRow]:
    """ScamSpot rows, de-duplicated by normalised text (first occurrence kept; the labels agree)."""
    rows, seen = [], set()
    with open(path or DATA_DIR / SCAMSPOT_FILE, newline="", encoding="utf-8") as fh:
        for i, rec in enumerate(csv.DictReader(fh)):
            text = rec["text"].strip()
            key = normalise_text(text) or text
            if not text or key in seen:
                continue
            seen.add(key)
            rows.append(CommentRow(text, int(rec["scam"]), "scamspot", "scamspot", i))
    return rows


def youtube_protocol_split(rows: Sequence[CommentRow]) -> tuple[list[int], list[int]]:
    """Indices (into ``rows``) of the oldest 70% and the newest 30% per video and class, in file order."""
    cells: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        if row.source == "youtube":
            cells[(row.group, row.spam)].append(i)
    train, test = [], []
    for idx in cells.values():
        idx.sort(key=lambda i: rows[i].order)
        cut = round(len(idx) * TRAIN_SHARE)
        train += idx[:cut]
        test += idx[cut:]
    return sorted(train), sorted(test)


def file_snapshot(paths: Iterable[Path]) -> list[dict]:
    """File name, sha256 and data row count of each file: what a model was trained on."""
    out = []
    for path in paths:
        data = Path(path).read_bytes()
        with open(path, newline="", encoding="utf-8") as fh:
            count = sum(1 for _ in csv.DictReader(fh))
        out.append({"file": Path(path).name, "sha256": hashlib.sha256(data).hexdigest(), "rows": count})
    return out


@dataclass(frozen=True)
class HandLabel:
    source: str
    row: int
    text: str
    label: str  # "genuine", "generic" or "spam"


def load_generic_labels(path: Path | None = None) -> list[HandLabel]:
    """The hand-labelled comments that measure the generic rules (DATA.md: how they were made)."""
    with open(path or DATA_DIR / GENERIC_LABELS_FILE, newline="", encoding="utf-8") as fh:
        return [HandLabel(rec["source"], int(rec["row"]), rec["text"], rec["label"])
                for rec in csv.DictReader(fh)]


# ---- the multilingual dev set (ours) --------------------------------------------------------------

MULTILINGUAL_DEV_FILE = "multilingual-dev.csv"


@dataclass(frozen=True)
class DevRow:
    text: str
    label: str  # "spam", "generic" or "genuine": our reading (labelled_by says who)
    language: str  # as detected by server.scoring.languages (und: unknown)
    source: str  # "youtube row N", "scamspot row N" (file rows of the datasets) or a tweet's file and row
    dataset_label: str  # what the dataset says ("spam" / "not spam"; empty for posts without one)
    labelled_by: str

    @property
    def spam(self) -> int:
        return int(self.label == "spam")

    @property
    def dataset_row(self) -> tuple[str, int] | None:
        """(source, file row) when the row is one of the comment datasets' rows (so out of training)."""
        name, _, row = self.source.partition(" row ")
        return (name, int(row)) if name in ("youtube", "scamspot") and row.isdigit() else None


def load_multilingual_dev(path: Path | None = None) -> list[DevRow]:
    """The multilingual dev set (DATA.md): real non-English comments and posts, labelled by us."""
    with open(path or DATA_DIR / MULTILINGUAL_DEV_FILE, newline="", encoding="utf-8") as fh:
        return [DevRow(rec["text"], rec["label"], rec["language"], rec["source"], rec["dataset_label"],
                       rec["labelled_by"]) for rec in csv.DictReader(fh)]


# ---- ordinary text: real posts and sentences that are not spam -------------------------------------

ORDINARY_FILE = "ordinary-text.csv"
ORDINARY_SOURCE = "ordinary"


def load_ordinary(part: str = "train", path: Path | None = None) -> list[CommentRow]:
    """Real social posts and encyclopedia sentences in 13 languages, none of them spam (DATA.md): the
    "train" part trains the stackers, the "check" part measures how often ordinary text is called spam."""
    if part not in ("train", "check"):
        raise ValueError(f"part must be 'train' or 'check', not {part!r}")
    with open(path or DATA_DIR / ORDINARY_FILE, newline="", encoding="utf-8") as fh:
        return [CommentRow(rec["text"], 0, ORDINARY_SOURCE, rec["dataset"], i)
                for i, rec in enumerate(csv.DictReader(fh)) if rec["part"] == part]
