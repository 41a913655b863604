"""Trained models: the registry of versions (``registry``) and active-learning suggestions."""

from __future__ import annotations

from server.models.registry import (
    COMMENTS,
    FIT_PREFIX,
    ZERO_SHOT,
    Registry,
    RegistryError,
    UnknownModel,
    UnknownVersion,
    UnusableModel,
    fit_model_name,
    niche_of,
)

__all__ = ["COMMENTS", "FIT_PREFIX", "ZERO_SHOT", "Registry", "RegistryError", "UnknownModel",
           "UnknownVersion", "UnusableModel", "fit_model_name", "niche_of"]
