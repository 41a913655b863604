"""The model registry: every version of every model (comments and fit-<niche>), and which is served."""

from __future__ import annotations

from server.registry.registry import (
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
