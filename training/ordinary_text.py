"""Draw training/data/ordinary-text.csv: real posts and sentences, none of them spam (DATA.md).

The comment model's two labelled datasets are half spam and mostly English, so on their own they teach
the stackers that plain text in an unfamiliar language looks like spam. This file gives them real
ordinary text in 17 datasets (13 languages) to learn otherwise:

- the datasets exactly as training/niche_eval.py evaluates them (SIB-200 cut to its share), with the
  multilingual dev set's texts left out, so that set still measures something the model never saw;
- in each dataset the posts are ordered by a hash of their id (``SALT``) and taken in that order:
  ``TRAIN_PER_DATASET`` from the niche evaluation's development part (``part`` = train: trains every
  stacker, no head) and ``CHECK_PER_DATASET`` from its evaluation part (``part`` = check: only measures
  how often ordinary text is called spam).

``python -m training.ordinary_text`` rewrites the file; ``--check`` only says whether it is current.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys

from training import niche_eval
from training.datasets import DATA_DIR, ORDINARY_FILE, load_multilingual_dev

SALT = "ordinary-text"
TRAIN_PER_DATASET = {"tweet_topic": 15, "sib": 5}  # 60 posts and 65 sentences: 125 rows
CHECK_PER_DATASET = 40  # 680 rows


def _lines(text: str) -> str:
    """The text with its line breaks as the csv module reads them back ("\r\n" in a tweet -> "\n"), so
    a dev-set row matches the post it was copied from."""
    return text.replace("\r\n", "\n")


def _order(post: niche_eval.Post) -> bytes:
    return hashlib.blake2b(f"{SALT}:{post.group}".encode(), digest_size=8).digest()


def draw(datasets: list[niche_eval.Dataset], leave_out: set[str]) -> list[tuple[str, str, str, str]]:
    """(text, part, dataset, id) rows, each dataset's train rows then its check rows; a post whose text
    is in ``leave_out`` (line breaks aside) is not taken."""
    leave_out = {_lines(text) for text in leave_out}
    rows = []
    for ds in datasets:
        posts = sorted((p for p in ds.posts if _lines(p.text) not in leave_out), key=_order)
        train = [p for p in posts if niche_eval.in_development(p.group)][:TRAIN_PER_DATASET[ds.family]]
        check = [p for p in posts if not niche_eval.in_development(p.group)][:CHECK_PER_DATASET]
        rows += [(p.text, "train", ds.name, p.group) for p in train]
        rows += [(p.text, "check", ds.name, p.group) for p in check]
    return rows


def render(rows: list[tuple[str, str, str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "part", "dataset", "id"])
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether the file is current")
    args = parser.parse_args(argv)
    path = DATA_DIR / ORDINARY_FILE
    rows = draw(niche_eval.evaluation_datasets(), {row.text for row in load_multilingual_dev()})
    text = render(rows)
    if args.check:
        current = path.exists() and path.read_bytes() == text.encode()
        print(f"{path}: {'current' if current else 'differs from what the script draws'}")
        return 0 if current else 1
    path.write_bytes(text.encode())
    print(f"wrote {path}: {len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
