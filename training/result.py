"""What every trainer returns: ``train(...) -> TrainingResult(model, metadata, card, metrics)``.

A trainer fits and measures; it writes nothing. Whoever keeps the result decides where: the model
registry (``server.registry``, the only writer of model versions) through the training job, or a
directory given on the command line (a release candidate, or a reproduction of the shipped numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

__all__ = ["SavableModel", "TrainingResult"]


class SavableModel(Protocol):
    version: str

    def save(self, path: str | Path, metadata: dict[str, Any], card: str = "") -> Path: ...


@dataclass
class TrainingResult:
    """A fitted model with its ``metadata.json`` content, model card and metrics (nothing saved yet).

    ``files`` are more files of the version directory by name (the PR-curve plot)."""

    model: SavableModel
    metadata: dict[str, Any]
    card: str
    metrics: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.model.version

    def save(self, directory: str | Path) -> Path:
        """Write the version directory: model, metadata, card and the other files."""
        path = self.model.save(directory, self.metadata, self.card)
        for name, data in self.files.items():
            (path / name).write_bytes(data)
        return path
