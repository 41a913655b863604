"""Model artifacts on disk, shared by the comment model and the per-niche fit models.

A version directory holds ``MODEL_FILE`` (skops), ``METADATA_FILE`` (JSON: format version, version,
the library versions it was saved with, metrics) and optionally ``CARD_FILE``. Loading checks every
type the skops file would build against the model's own trusted list *before* building anything:
skops by itself would also accept any scikit-learn estimator.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

__all__ = ["CARD_FILE", "FORMAT_VERSION", "LIBRARIES", "METADATA_FILE", "MODEL_FILE", "ModelVersionWarning",
           "library_versions", "load_trusted", "read_metadata", "stored_types", "warn_if_libraries_changed",
           "write_metadata"]

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
CARD_FILE = "MODEL_CARD.md"
FORMAT_VERSION = 1
LIBRARIES = ("scikit-learn", "skops", "numpy", "scipy")

_PLAIN_TYPES = {f"builtins.{t}" for t in ("dict", "list", "tuple", "str", "int", "float", "bool", "NoneType")}


class ModelVersionWarning(UserWarning):
    """The model was saved with other library versions than the ones running now."""


def library_versions() -> dict[str, str]:
    return {name: importlib_metadata.version(name) for name in LIBRARIES}


def stored_types(path: Path) -> set[str]:
    """Every "module.Class" a skops file would build, read from its schema without building any."""
    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))
    found: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__module__" in node and "__class__" in node:
                found.add(f"{node['__module__']}.{node['__class__']}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def read_metadata(path: Path, kind: str, error: type[Exception]) -> dict[str, Any]:
    """``path/METADATA_FILE`` of a ``kind`` ("fit model"), checked for this format; ``error`` when it is
    missing or of another format."""
    try:
        meta = json.loads((path / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise error(f"{path / METADATA_FILE}: {exc}") from exc
    if not isinstance(meta, dict) or meta.get("format_version") != FORMAT_VERSION:
        found = meta.get("format_version") if isinstance(meta, dict) else None
        raise error(f"{path}: not a {kind} of format {FORMAT_VERSION} (format version {found!r})")
    return meta


def load_trusted(path: Path, trusted: list[str], error: type[Exception]) -> Any:
    """The objects in skops file ``path``, built only when every type in it is in ``trusted``."""
    import skops.io as sio

    try:
        found = stored_types(path) | set(sio.get_untrusted_types(file=path))
        untrusted = sorted(found - set(trusted) - _PLAIN_TYPES)
        if untrusted:
            raise error(f"{path} holds untrusted types: {untrusted}")
        return sio.load(path, trusted=trusted)
    except error:
        raise
    except Exception as exc:  # skops raises a zoo of types for corrupt files
        raise error(f"{path}: {exc!r}") from exc


def warn_if_libraries_changed(kind: str, meta: dict[str, Any]) -> None:
    """A ``ModelVersionWarning`` when the model was saved with other library versions than these."""
    saved, running = meta.get("libraries", {}), library_versions()
    changed = {k: (saved.get(k), v) for k, v in running.items() if saved.get(k) != v}
    if changed:
        warnings.warn(f"{kind} {meta.get('version')} was saved with other library versions "
                      f"(saved, running): {changed}", ModelVersionWarning, stacklevel=3)


def write_metadata(path: Path, version: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """Write ``path/METADATA_FILE`` (format, version, library versions, then ``metadata``); returns it."""
    meta = {"format_version": FORMAT_VERSION, "version": version, "libraries": library_versions(), **metadata}
    (path / METADATA_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return meta
