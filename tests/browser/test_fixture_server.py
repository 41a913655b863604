"""The dashboard suite's HTTP server closes what it serves when the browser drops the connection."""

from __future__ import annotations

import gc
import socket
import struct
import sys
import time
import warnings

from server import create_app
from tests.browser.dashboard_fixtures import serve
from tests.dashboard.conftest import TOKEN


def test_a_dropped_static_file_is_closed_not_left_to_the_garbage_collector(tmp_path):
    """werkzeug's dev server skipped closing a response when the client reset the connection while
    it drained the request (108 files of 150 left open here); a ResourceWarning from the garbage
    collector then failed whichever test was running."""
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": TOKEN, "LOAD_MODELS": False})
    server, _ = serve(app)
    left_open: list[BaseException | None] = []
    hook, sys.unraisablehook = sys.unraisablehook, lambda raised: left_open.append(raised.exc_value)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResourceWarning)
            for i in range(150):
                client = socket.create_connection(("127.0.0.1", server.server_port))
                client.sendall(b"GET /assets/dashboard.js HTTP/1.1\r\nHost: localhost\r\n\r\n")
                time.sleep((i % 15) / 1000)  # reset at a different moment of the response each time
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.close()
            time.sleep(0.5)
            gc.collect()
    finally:
        sys.unraisablehook = hook
        server.shutdown()
    assert left_open == []
