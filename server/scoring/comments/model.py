"""The loaded comment classifier: ``CommentModel.classify`` texts given their vectors."""

from __future__ import annotations

import hashlib
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from server.scoring.artifacts import (
    CARD_FILE,
    MODEL_FILE,
    load_trusted,
    read_metadata,
    warn_if_libraries_changed,
    write_metadata,
)
from server.scoring.comments.persistence import (
    TRUSTED_TYPES,
    ModelLoadError,
    active_version,
    same_weights,
    trained_on,
)
from server.scoring.comments.rules import GENERIC_THRESHOLD, _content_words, generic_verdict, spam_cues
from server.scoring.comments.stacking import (
    ANY,
    TextPart,
    read_texts,
    spam_from,
    spam_probability,
    stacker_for,
    stackers,
)

LABELS = ("genuine", "generic", "spam")


# ---- the model ------------------------------------------------------------------------------

_SEP = "\x00"  # never inside an n-gram: the API strips control characters from text


def _vectorizers(estimators: dict[str, Any]) -> dict[str, Any]:
    """"head/step" -> every fitted n-gram vectorizer in the heads."""
    heads = estimators.get("heads")
    if not isinstance(heads, dict):
        return {}
    return {f"{name}/{step_name}": step for name, head in heads.items()
            for step_name, step in getattr(head, "steps", []) if hasattr(step, "vocabulary_")
            or type(step).__name__ == "TfidfVectorizer"}


VERDICT_CACHE_SIZE = 50_000  # verdicts kept per model (about 15 MB)


def _verdict_key(text: str, caption: str | None, platform: str | None, vector: np.ndarray) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(text.encode())
    digest.update(b"\0" if caption is None else b"\1" + caption.encode())
    digest.update(b"\0" if platform is None else b"\1" + platform.encode())
    digest.update(b"\0")
    digest.update(vector.tobytes())
    return digest.digest()


class CommentModel:
    """A loaded comment classifier: ``classify`` texts given their embedder vectors."""

    def __init__(self, estimators: dict[str, Any], version: str, metadata: dict[str, Any] | None = None):
        heads = estimators.get("heads")
        stacks = estimators.get("stacks", {ANY: estimators.get("stack")})
        if not isinstance(heads, dict) or not heads or not isinstance(stacks, dict) \
                or stacks.get(ANY) is None:
            raise ModelLoadError("a comment model is {'heads': {name: estimator}, 'stack': estimator} (v1) "
                                 "or {'heads': ..., 'stacks': {platform or 'any': estimator}}")
        self.estimators = estimators
        self.version = version
        self.metadata = metadata or {}
        self.threshold = float(self.metadata.get("parameters", {}).get("threshold", 0.5))
        # Verdicts already given, keyed by everything they depend on (text, caption, vector), so a
        # creator scored again, or with one new comment, costs only the new comments.
        self._verdicts: OrderedDict[bytes, dict[str, Any]] = OrderedDict()
        self._verdicts_lock = threading.Lock()

    @classmethod
    def from_dir(cls, path: str | Path, embedder: str | None = None) -> CommentModel:
        """Load a version directory, trusting only ``TRUSTED_TYPES``; warns on library mismatches.

        ``embedder``: the version of the embedder that will give the vectors; a model trained on other
        weights is refused (ModelLoadError), since its heads would read vectors of another space."""
        path = Path(path)
        meta = read_metadata(path, "comment model", ModelLoadError)
        if embedder is not None:
            source = trained_on(meta)
            if source is None or not same_weights(source, embedder):
                raise ModelLoadError(f"{path.name} was trained on {source or 'unrecorded'} vectors; the "
                                     f"embedder is {embedder}")
        estimators = load_trusted(path / MODEL_FILE, TRUSTED_TYPES, ModelLoadError)
        if not isinstance(estimators, dict):
            raise ModelLoadError(f"{path / MODEL_FILE}: expected a dict of estimators")
        packed = estimators.pop("vocabularies", {})
        vectorizers = _vectorizers(estimators)
        if set(packed) != set(vectorizers) or not all(isinstance(v, str) for v in packed.values()):
            raise ModelLoadError(f"{path / MODEL_FILE}: vocabularies do not match the n-gram heads")
        for key, step in vectorizers.items():
            step.vocabulary_ = {gram: i for i, gram in enumerate(packed[key].split(_SEP))}
        warn_if_libraries_changed("comment model", meta)
        return cls(estimators, str(meta.get("version", path.name)), meta)

    def save(self, path: str | Path, metadata: dict[str, Any], card: str = "") -> Path:
        """Write the model, its metadata and card into the (new) directory ``path``."""
        import skops.io as sio

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        # An n-gram vocabulary stored as a dict costs skops one node per n-gram (60 MB of schema, 10 s
        # to load); stored as one string of n-grams in index order it costs one.
        vectorizers = _vectorizers(self.estimators)
        vocabularies = {key: step.vocabulary_ for key, step in vectorizers.items()}
        packed = {}
        for key, vocabulary in vocabularies.items():
            grams = sorted(vocabulary, key=vocabulary.__getitem__)
            if any(_SEP in g for g in grams) or [vocabulary[g] for g in grams] != list(range(len(grams))):
                raise ValueError(f"{key}: vocabulary cannot be packed")
            packed[key] = _SEP.join(grams)
        try:
            for step in vectorizers.values():
                del step.vocabulary_
            sio.dump({**self.estimators, "vocabularies": packed}, path / MODEL_FILE,
                     compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        finally:
            for key, step in vectorizers.items():
                step.vocabulary_ = vocabularies[key]
        self.metadata = write_metadata(path, self.version, metadata)
        if card:
            (path / CARD_FILE).write_text(card, encoding="utf-8")
        return path

    @property
    def platforms(self) -> list[str]:
        """Platforms with a stacker of their own; every other platform is judged by ``ANY``."""
        return sorted(k for k in stackers(self.estimators) if k != ANY)

    def spam_probability(self, texts: Sequence[str], vectors: np.ndarray,
                         platforms: Sequence[str | None] | str | None = None) -> np.ndarray:
        return spam_probability(self.estimators, texts, vectors, platforms)

    def read(self, texts: Sequence[str], platforms: Sequence[str | None] | str | None = None,
             captions: Sequence[str | None] | None = None) -> TextPart:
        """The text half of classifying ``texts`` (``read_texts``, and the generic rules when the
        captions are given), to do while their vectors are made."""
        part = read_texts(self.estimators, texts, platforms)
        if captions is not None:
            part.generic = [generic_verdict(text, caption)
                            for text, caption in zip(texts, captions, strict=True)]
        return part

    def classify(self, texts: Sequence[str], vectors: np.ndarray,
                 captions: Sequence[str | None] | None = None,
                 platforms: Sequence[str | None] | str | None = None,
                 read: tuple[Sequence[int], TextPart] | None = None) -> list[dict[str, Any]]:
        """One verdict per text: label, spam_probability, generic_probability and reasons.

        ``platforms``: the platform of every text, or one per text (None: unknown). ``read``: rows of
        ``texts`` and ``self.read`` of them, done ahead; used when it covers every row to classify."""
        if captions is not None and len(captions) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(captions)} captions")
        if platforms is None or isinstance(platforms, str):
            platforms = [platforms] * len(texts)
        if len(platforms) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(platforms)} platforms")
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.shape[0] != len(texts):
            raise ValueError(f"{len(texts)} texts but {vectors.shape[0]} vectors")
        # the platform matters only through the stacker it picks
        stacker = [stacker_for(self.estimators, p) for p in platforms]
        keys = [_verdict_key(text, captions[i] if captions is not None else None, stacker[i], vectors[i])
                for i, text in enumerate(texts)]
        with self._verdicts_lock:
            found = {key: self._verdicts[key] for key in keys if key in self._verdicts}
            for key in found:
                self._verdicts.move_to_end(key)
        missing = [i for i, key in enumerate(keys) if key not in found]
        if missing:
            part = None
            if read is not None:
                position = {row: p for p, row in enumerate(read[0])}
                if all(i in position for i in missing):
                    part = read[1].rows([position[i] for i in missing])
            fresh = self._classify([texts[i] for i in missing], vectors[missing],
                                   [captions[i] for i in missing] if captions is not None else None,
                                   [stacker[i] for i in missing], part)
            with self._verdicts_lock:
                for i, verdict in zip(missing, fresh, strict=True):
                    found[keys[i]] = self._verdicts[keys[i]] = verdict
                while len(self._verdicts) > VERDICT_CACHE_SIZE:
                    self._verdicts.popitem(last=False)
        return [{**found[key], "reasons": list(found[key]["reasons"])} for key in keys]

    def _classify(self, texts: Sequence[str], vectors: np.ndarray, captions: Sequence[str | None] | None,
                  stacker: Sequence[str], part: TextPart | None = None) -> list[dict[str, Any]]:
        if part is None:
            part = self.read(texts, [None if k == ANY else k for k in stacker])
        p_spam = spam_from(self.estimators, part, vectors)
        out = []
        for i, text in enumerate(texts):
            caption = captions[i] if captions is not None else None
            p_generic, generic_reason = (part.generic[i] if part.generic is not None
                                         else generic_verdict(text, caption))
            spam = float(p_spam[i])
            reasons: list[str] = []
            if spam >= self.threshold:
                label = "spam"
                reasons.append(f"spam model: {spam:.0%} likely spam")
                reasons += spam_cues(text)
            elif p_generic >= GENERIC_THRESHOLD:
                label = "generic"
                reasons.append(f"low effort: {generic_reason}")
            else:
                label = "genuine"
                if "?" in text:
                    reasons.append("asks a question")
                if caption and _content_words(text) & _content_words(caption):
                    reasons.append("talks about the post")
            out.append({"label": label, "spam_probability": round(spam, 4),
                        "generic_probability": round(p_generic, 4), "reasons": reasons})
        return out


def load_active(models_dir: str | Path, embedder: str | None = None) -> CommentModel:
    """The shipped default for ``embedder``: ``models_dir/comments/<active version>``."""
    root = Path(models_dir) / "comments"
    return CommentModel.from_dir(root / active_version(root, embedder), embedder)
