"""The comment classifier: genuine, generic or spam, for one comment at a time.

"spam" is learned: logistic-regression heads over the embedder's sentence vector plus cheap lexical
features, over word n-grams and over character n-grams, joined by a logistic regression (the stacker)
fitted on their out-of-fold predictions, so ``spam_probability`` is calibrated. "generic" (low effort) has no
public labels and is decided by the documented rules in ``generic_verdict`` on comments the model
does not call spam.

Platform-aware models (v2 on) hold heads named "<trained on>:<kind>": "all:*" heads trained on every
row, and "youtube:*" / "instagram:*" heads trained on one platform's rows. Each platform with labelled
data has its own stacker, reading the shared heads and its own platform's heads, because the sources
disagree (YouTube labels "check out my channel" spam, ScamSpot's Instagram labels it real). A comment
from any other platform (TikTok has no labelled data) or of unknown platform goes to the pooled
stacker ``ANY``, which reads only the shared heads and was trained on every row. v1 has one stacker
only, which then serves every platform.

The package, by job: ``features`` (lexical cues, folded text), ``rules`` (generic, spam reasons),
``stacking`` (heads and stackers: ``spam_probability``), ``model`` (``CommentModel``) and
``persistence`` (trusted types, version directories).

Training (training/comments) and inference share ``spam_probability`` (training also fits the heads
on ``head_inputs``). Artifacts (``server.scoring.artifacts``) are versioned directories
``<root>/<version>/`` holding ``MODEL_FILE`` (skops), ``METADATA_FILE``, ``CARD_FILE`` and
``PR_CURVE_FILE``; ``<root>/ACTIVE`` names the shipped default (the registry's seed); the registry
keeps every later version.
"""

from server.scoring.artifacts import (
    CARD_FILE,
    FORMAT_VERSION,
    LIBRARIES,
    METADATA_FILE,
    MODEL_FILE,
    ModelVersionWarning,
    library_versions,
    stored_types,
)
from server.scoring.comments.features import (
    CUE_FEATURES,
    FEATURE_SETS,
    LEXICAL_FEATURES,
    embedding_features,
    lexical_features,
    prepare_texts,
)
from server.scoring.comments.model import LABELS, CommentModel, load_active
from server.scoring.comments.persistence import (
    ACTIVE_FILE,
    PR_CURVE_FILE,
    TRUSTED_TYPES,
    ModelLoadError,
    active_version,
    same_weights,
    trained_on,
    versions,
)
from server.scoring.comments.rules import GENERIC_THRESHOLD, generic_verdict, spam_cues
from server.scoring.comments.stacking import (
    ANY,
    SHARED,
    TextPart,
    _logit,
    feature_set,
    head_inputs,
    head_kind,
    read_texts,
    spam_from,
    spam_probability,
    stack_heads,
    stack_inputs,
    stacker_for,
    stackers,
)

__all__ = [
    "ACTIVE_FILE", "ANY", "CARD_FILE", "CUE_FEATURES", "CommentModel", "FEATURE_SETS", "FORMAT_VERSION",
    "GENERIC_THRESHOLD", "LABELS", "LEXICAL_FEATURES", "LIBRARIES", "METADATA_FILE", "MODEL_FILE",
    "ModelLoadError", "ModelVersionWarning", "PR_CURVE_FILE", "SHARED", "TRUSTED_TYPES", "TextPart",
    "_logit", "active_version", "embedding_features", "feature_set", "generic_verdict", "head_inputs",
    "head_kind", "lexical_features", "library_versions", "load_active", "prepare_texts", "read_texts",
    "same_weights", "spam_cues", "spam_from", "spam_probability", "stack_heads", "stack_inputs",
    "stacker_for", "stackers", "stored_types", "trained_on", "versions",
]
