"""Training vectors cached on disk, one file per embedder build, so a run embeds only new texts.

The key is ``embedder.build`` (weights, backend and the ONNX graph's recipe), so vectors of two
embedders never mix: a MiniLM file is never read for e5 and the other way round. Inside a file each
text is keyed by a hash of the text as given (the embedder adds its own prefix). The file is
rewritten whole and atomically when a run embedded something new; a file that does not read is
ignored (and rebuilt).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["cache_file", "cached_encode"]


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def cache_file(directory: str | Path, embedder_version: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", embedder_version).strip("-")
    return Path(directory) / f"{slug}.npz"


def _read(path: Path) -> dict[bytes, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
    except (OSError, ValueError, KeyError, EOFError):
        return {}
    return {k.tobytes(): v for k, v in zip(keys, vectors, strict=True)}


def _write(path: Path, known: dict[bytes, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            # raw digest bytes as uint8 rows: numpy's "S" strings would drop trailing NUL bytes
            np.savez(fh, keys=np.frombuffer(b"".join(known), dtype=np.uint8).reshape(-1, 16),
                     vectors=np.vstack(list(known.values())).astype(np.float32))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cached_encode(embedder: Any, texts: Sequence[str], directory: str | Path | None) -> np.ndarray:
    """``embedder.encode(texts)``, reading and filling the cache of ``embedder.version`` in ``directory``
    (None: no cache)."""
    if directory is None or not texts:
        return np.asarray(embedder.encode(list(texts)), dtype=np.float32)
    path = cache_file(directory, str(embedder.build))
    known = _read(path)
    keys = [_key(t) for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if missing:
        fresh = np.asarray(embedder.encode([t for _, t in missing]), dtype=np.float32)
        known.update({k: v for (k, _), v in zip(missing, fresh, strict=True)})
        _write(path, known)
    return np.vstack([known[k] for k in keys]).astype(np.float32)
