"""The model registry: every version of every model, which one is served, and loading them.

Names: ``comments`` (the comment classifier) and ``fit-<niche id>`` (a niche's fit model).

Where things live, and why:

- Versions trained by users are kept **in the store** (its settings), as the version directory's
  files (model, ``metadata.json``, model card, plots) in one record. The store is the one place every
  process of a deployment reaches: gunicorn workers on this machine and, for a team on Redis, server
  and RQ worker processes on other machines, which share no data directory. It also makes a trained
  model part of the store's backups and ``microscout export``. The files are small (a fit model is a
  few KB; the comment model a few MB).
- Shipped comment versions stay in ``MODELS_DIR/comments/<version>`` (read-only, from the release).
- A comment model reads one embedder's vectors. The registry knows the server's embedder version
  (``embedder``): the shipped default is the version trained on it, the active choice is kept per
  embedder weights (switching embedders and back keeps each one's choice), and a version trained on
  other weights is never loaded (UnusableModel), so never activated.
- The **active** version of each name is a store setting, read on every call of
  :meth:`Registry.active_model` (one indexed read): activating a version switches what every process
  serves on its next request, and survives restarts. Loaded models are cached per process by
  (name, version), so a switch costs one load per process. A fit model with no active version, or
  with ``zero-shot`` activated, leaves the niche to zero-shot.

Nothing here imports Flask; the API translates :class:`RegistryError` into 404 / 409.
"""

from __future__ import annotations

import base64
import re
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from server.scoring.weights import weights_of

__all__ = ["COMMENTS", "FIT_PREFIX", "ZERO_SHOT", "Registry", "RegistryError", "UnknownModel",
           "UnknownVersion", "UnusableModel", "fit_model_name", "niche_of"]

COMMENTS = "comments"
FIT_PREFIX = "fit-"
ZERO_SHOT = "zero-shot"  # the "version" that means: no trained fit model, score zero-shot
_KEY = "models/{name}/{what}"
_SUMMARY_KEYS = ("version", "created_at", "metrics", "data", "beats_zero_shot", "decision", "train_seconds",
                 "embedder")


class RegistryError(Exception):
    """Base class: a model or version the registry cannot give."""


class UnknownModel(RegistryError, LookupError):
    """No model of that name (names: ``comments`` and ``fit-<niche id>`` of a stored niche)."""


class UnknownVersion(RegistryError, LookupError):
    """The model has no version of that name."""


class UnusableModel(RegistryError):
    """The version's files do not load (corrupt, untrusted types): it is never served."""


def fit_model_name(niche_id: str) -> str:
    return FIT_PREFIX + niche_id


def niche_of(name: str) -> str | None:
    return name[len(FIT_PREFIX):] if name.startswith(FIT_PREFIX) else None


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _version_number(version: str) -> int:
    found = re.findall(r"\d+", version)
    return int(found[-1]) if found else 0


class Registry:
    """Versions, activation and loading over one store (see the module docstring)."""

    def __init__(self, store: Any, models_dir: str | Path, embedder: str | None = None):
        self.store = store
        self.models_dir = Path(models_dir)
        self.embedder = embedder  # the served embedder's version (None: comment models of any embedder)
        self._loaded: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._comments_default: tuple[tuple[int, ...], str | None] | None = None  # (stamp, comments default)

    # -- names ----------------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [COMMENTS] + [fit_model_name(n["id"]) for n in self.store.list_niches()]

    def check(self, name: str) -> None:
        """Raise UnknownModel unless ``name`` is the comment model or a stored niche's fit model."""
        niche = niche_of(name)
        if name == COMMENTS or (niche and self.store.get_niche(niche) is not None):
            return
        raise UnknownModel(f"no model named {name!r}: models are 'comments' and 'fit-<niche id>' "
                           "of a stored niche")

    # -- versions -------------------------------------------------------------------------------
    def _shipped(self, name: str) -> list[str]:
        if name != COMMENTS:
            return []
        from server.scoring import comments

        return comments.versions(self.models_dir / COMMENTS)

    def _stored(self, name: str) -> list[dict[str, Any]]:
        return list(self.store.get_setting(_KEY.format(name=name, what="versions"), []))

    def versions(self, name: str) -> list[dict[str, Any]]:
        """Every version, oldest first: version, source (shipped/trained), created_at, metrics, data size."""
        out = []
        for version in self._shipped(name):
            meta = self._shipped_metadata(name, version)
            out.append({"source": "shipped", **{k: meta.get(k) for k in _SUMMARY_KEYS if k in meta},
                        "version": version})
        out += [{"source": "trained", **summary} for summary in self._stored(name)]
        return out

    def _shipped_metadata(self, name: str, version: str) -> dict[str, Any]:
        import json

        try:
            path = self.models_dir / name / version / "metadata.json"
            return dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}

    def next_version(self, name: str) -> str:
        taken = [v["version"] for v in self.versions(name)]
        number = max((_version_number(v) for v in taken), default=0) + 1
        # trained comment versions get their own prefix: a later release may ship its own "v<N>"
        return f"local-{number}" if name == COMMENTS else f"v{number}"

    def metadata(self, name: str, version: str) -> dict[str, Any]:
        if version in self._shipped(name):
            return self._shipped_metadata(name, version)
        return dict(self._record(name, version)["metadata"])

    def files(self, name: str, version: str) -> dict[str, bytes]:
        """The version directory's files by name (the model card is ``MODEL_CARD.md``)."""
        if version in self._shipped(name):
            root = self.models_dir / name / version
            return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file()}
        record = self._record(name, version)
        return {fname: base64.b64decode(data) for fname, data in record["files"].items()}

    def _record(self, name: str, version: str) -> dict[str, Any]:
        record = self.store.get_setting(_KEY.format(name=name, what=f"version/{version}"))
        if record is None:
            raise UnknownVersion(f"{name} has no version {version!r}")
        return dict(record)

    def add(self, name: str, version: str, directory: str | Path,
            metadata: Mapping[str, Any]) -> dict[str, Any]:
        """Keep the files of ``directory`` as ``version`` of ``name``; returns the version's summary.

        Callers hold the model's training lock (server.jobs), so the read-modify-write of the
        version list never races another writer of the same name.
        """
        directory = Path(directory)
        files = {p.name: base64.b64encode(p.read_bytes()).decode("ascii")
                 for p in sorted(directory.iterdir()) if p.is_file()}
        if version in {v["version"] for v in self.versions(name)}:
            raise RegistryError(f"{name} already has a version {version!r}")
        meta = dict(metadata)
        self.store.set_setting(_KEY.format(name=name, what=f"version/{version}"),
                               {"metadata": meta, "files": files})
        summary = {k: meta.get(k) for k in _SUMMARY_KEYS}
        summary["version"] = version
        summary["created_at"] = summary["created_at"] or _now()
        self.store.set_setting(_KEY.format(name=name, what="versions"), [*self._stored(name), summary])
        return summary

    def keep(self, name: str, version: str, result: Any) -> dict[str, Any]:
        """Keep a trainer's result (``training.result.TrainingResult``: it saves its own directory) as
        ``version`` of ``name``; the metadata kept is what the saved metadata.json says."""
        import json

        with tempfile.TemporaryDirectory(prefix="microscout-keep-") as tmp:
            path = Path(result.save(Path(tmp) / version))
            metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
            return self.add(name, version, path, metadata)

    # -- the active version ---------------------------------------------------------------------
    def _active_key(self, name: str) -> str:
        """Where the choice is kept: per embedder weights for the comment model."""
        if name == COMMENTS and self.embedder:
            slug = re.sub(r"[^A-Za-z0-9._=@-]+", "-", weights_of(self.embedder))
            return _KEY.format(name=name, what=f"active/{slug}")
        return _KEY.format(name=name, what="active")

    def active(self, name: str) -> dict[str, Any] | None:
        """``{"version", "activated_at", "by"}`` as stored, or None (shipped default / zero-shot)."""
        value = self.store.get_setting(self._active_key(name))
        return dict(value) if value else None

    def active_version(self, name: str) -> str | None:
        """The served version: the stored choice, else the shipped default (comments; None when nothing
        is shipped) or zero-shot (fit)."""
        return self.active_versions([name])[name]

    def active_versions(self, names: list[str]) -> dict[str, str | None]:
        """``active_version`` of each name, from one read of the store."""
        keys = {name: self._active_key(name) for name in names}
        chosen = self.store.get_settings(list(keys.values()))
        return {name: str(chosen[key]["version"]) if chosen.get(key) else self._default_version(name)
                for name, key in keys.items()}

    def _default_version(self, name: str) -> str | None:
        return self._shipped_comments() if name == COMMENTS else ZERO_SHOT

    def _shipped_comments(self) -> str | None:
        """The shipped comment model for this embedder: read from models/comments again only when its
        ACTIVE file or its list of versions changed (it took 2 ms of every score, reading metadata)."""
        from server.scoring import comments

        root = self.models_dir / COMMENTS
        stamp = tuple(_mtime(p) for p in (root, root / comments.ACTIVE_FILE))
        if self._comments_default is None or self._comments_default[0] != stamp:
            try:
                version = comments.active_version(root, self.embedder)
            except comments.ModelLoadError:
                version = None
            self._comments_default = (stamp, version)
        return self._comments_default[1]

    def activate(self, name: str, version: str, *, by: str = "") -> dict[str, Any]:
        """Serve ``version`` of ``name`` from every process's next request on; it must load first."""
        self.check(name)
        if not (version == ZERO_SHOT and niche_of(name)):
            if version not in {v["version"] for v in self.versions(name)}:
                raise UnknownVersion(f"{name} has no version {version!r}")
            self.load(name, version)  # a version that does not load is never served
        value = {"version": version, "activated_at": _now(), "by": by}
        self.store.set_setting(self._active_key(name), value)
        return value

    # -- loading --------------------------------------------------------------------------------
    def load(self, name: str, version: str) -> Any:
        """The loaded model (cached per process); UnusableModel when its files do not load."""
        key = (name, version)
        with self._lock:
            if key in self._loaded:
                return self._loaded[key]
        model = self._load_uncached(name, version)
        with self._lock:
            return self._loaded.setdefault(key, model)

    def _load_uncached(self, name: str, version: str) -> Any:
        from server.scoring.comments import CommentModel, ModelLoadError
        from server.scoring.fit_model import FitModel, FitModelError

        def loader(path: str | Path) -> Any:
            if name == COMMENTS:
                return CommentModel.from_dir(path, self.embedder)
            return FitModel.from_dir(path)

        try:
            if version in self._shipped(name):
                return loader(self.models_dir / name / version)
            files = self.files(name, version)
            with tempfile.TemporaryDirectory(prefix="microscout-model-") as tmp:
                for fname, data in files.items():
                    (Path(tmp) / Path(fname).name).write_bytes(data)
                return loader(tmp)
        except (ModelLoadError, FitModelError) as exc:
            raise UnusableModel(f"{name} {version} does not load: {exc}") from exc

    def active_model(self, name: str) -> Any:
        """What to serve for ``name`` now: a loaded model, or None for zero-shot (fit models)."""
        return self.model(name, self.active_version(name))

    def model(self, name: str, version: str | None) -> Any:
        """The loaded ``version`` of ``name``; None for no version or zero-shot."""
        if version is None or version == ZERO_SHOT:
            return None
        return self.load(name, version)

    def describe(self, name: str) -> dict[str, Any]:
        """What GET /v1/models shows for one name."""
        versions = self.versions(name)
        active = self.active_version(name)
        chosen = self.active(name) or {}
        embedder = {"embedder": self.embedder} if name == COMMENTS else {}  # the vectors it must read
        return {"name": name, "kind": "comments" if name == COMMENTS else "fit", "niche": niche_of(name),
                **embedder, "active": active, "activated_at": chosen.get("activated_at"),
                "activated_by": chosen.get("by"),
                "versions": [{**v, "active": v["version"] == active} for v in versions]}


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1
