"""Production serving with gunicorn (what `make run` and `microscout serve` use)."""

from __future__ import annotations

import sys
from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from server import create_app

        # The embedder's lanes (server/scoring/backends/ort.py) take the GIL back after every batch,
        # while a request thread reads comments ahead (server/scoring/scorer.py). At Python's default
        # 5 ms switch interval that thread keeps the lanes waiting; at 0.5 ms a new snapshot scores in
        # 155 ms instead of 168 ms (p50 of 80, in process, 2 cores).
        sys.setswitchinterval(0.0005)
        return create_app()


def run_gunicorn(config: dict[str, Any]) -> None:
    print(f"microscout: serving on http://{config['HOST']}:{config['PORT']} "
          f"(store: {config['STORE_URL'] or 'sqlite in ' + config['DATA_DIR']})", flush=True)
    _Gunicorn({
        "bind": f"{config['HOST']}:{config['PORT']}",
        "workers": config["WORKERS"],
        "threads": config["THREADS"],
        "worker_class": "gthread",
        "timeout": 120,
        "graceful_timeout": 10,
        "accesslog": "-",
    }).run()
