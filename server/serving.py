"""Production serving with gunicorn (what `make run` and `microscout serve` use).

Two additions to gunicorn's threaded worker, both about hostile clients:

- :class:`BufferingWorker` reads each request (headers and body) in the worker's event loop, without
  a thread, and hands it to a thread only once it has all arrived. A client that sends a byte every
  few seconds (slowloris) or stalls in its body holds no thread: it is closed when
  ``MICROSCOUT_READ_TIMEOUT`` seconds pass before its request is complete. gunicorn itself bounds
  only the wait for the first byte; this is the buffering a front like nginx would do. At most
  ``MICROSCOUT_MAX_READING`` connections are read at once per worker, each buffering at most the body
  limit (1 MiB) and 64 KiB of headers: a new connection past that closes the oldest one still being
  read (the slowest), so memory stays bounded under any number of slow clients and a new client is
  always read.
- :class:`RedactingLogger` keeps secrets out of the access log: the Basic-auth user, the
  ``Authorization`` and ``Cookie`` headers, and ``token=``-like query arguments.
"""

from __future__ import annotations

import errno
import re
import selectors
import sys
import threading
import time
from collections import deque
from functools import partial
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from gunicorn.workers.gthread import TConn, ThreadWorker

from server.vocab import redact_url

# query arguments whose values never reach a log
_SECRET_ARG = re.compile(r"(?i)((?:^|[?&;])(?:token|api_token|access_token|apikey|api_key|key|password|"
                         r"secret|"
                         r"csrf_token)=)[^&;\s\"]*")
_SECRET_HEADER = re.compile(r"(?i)authorization|cookie|csrf")
_HEADERS_END = b"\r\n\r\n"
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*(\d+)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding[ \t]*:[^\r\n]*chunked", re.IGNORECASE)
_EXPECT_CONTINUE = re.compile(rb"^[^\r\n]* HTTP/1\.1\r\n(?:.*\r\n)?expect[ \t]*:[ \t]*100-continue[ \t]*\r\n",
                              re.IGNORECASE | re.DOTALL)
MAX_HEADER_BYTES = 64 * 1024  # past this the parser answers 400 on its own


def redact(text: str) -> str:
    """``text`` with the values of token-like query arguments replaced by ``[redacted]``."""
    return _SECRET_ARG.sub(r"\1[redacted]", text)


class RedactingLogger(Logger):
    """gunicorn's logger, with the access log's secrets taken out (see the module docstring)."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["u"] = "-"
        for key, value in list(atoms.items()):
            if key.endswith(("}i", "}e")) and _SECRET_HEADER.search(key):  # request headers, environ
                atoms[key] = "[redacted]"
            elif isinstance(value, str):
                atoms[key] = redact(value)
        return atoms


def request_complete(buf: bytes | bytearray, max_body: int) -> bool:
    """Whether ``buf`` holds a whole request, or enough that the application can refuse it.

    True once the headers and the body they announce (Content-Length, or the last chunk) are in,
    when the headers are over MAX_HEADER_BYTES, or when the body is over ``max_body`` (413).
    """
    end = buf.find(_HEADERS_END)
    if end < 0:
        return len(buf) > MAX_HEADER_BYTES
    head, body = bytes(buf[:end + 2]), buf[end + 4:]
    if (match := _CONTENT_LENGTH.search(head)) is not None:
        length = int(match.group(1))
        return length > max_body or len(body) >= length
    if _CHUNKED.search(head):
        return len(body) > max_body + 64 * 1024 or body.endswith(b"0\r\n\r\n") and (
            body.startswith(b"0") or b"\r\n0\r\n" in body or b"\r\n0;" in body)
    return True  # no body


class BufferingWorker(ThreadWorker):
    """gthread, except that a thread gets a connection only when its request has fully arrived."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        env = self.cfg.env or {}
        self.read_timeout = float(env.get("MICROSCOUT_READ_TIMEOUT") or 10)
        self.max_body = int(env.get("MICROSCOUT_MAX_BODY_BYTES") or 1024 * 1024)
        self.max_reading = max(1, int(env.get("MICROSCOUT_MAX_READING") or 64))
        self.reading: deque[TConn] = deque()  # ordered by deadline: every one gets the same timeout

    def get_thread_pool(self) -> Any:
        """gthread's pool with all its threads started now, not one more each time concurrency peaks
        higher: a worker's thread count is its bound from the start."""
        pool = super().get_thread_pool()
        barrier = threading.Barrier(self.cfg.threads)  # none goes idle (and is reused) before all start
        for _ in range(self.cfg.threads):
            pool.submit(barrier.wait, 10)
        return pool

    def accept(self, listener: Any) -> None:
        if self.cfg.is_ssl:  # TLS needs its handshake in a thread; serve it as gthread does
            super().accept(listener)
            return
        try:
            client_sock, client_addr = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client_sock, client_addr, listener.getsockname())  # non-blocking
        self._start_reading(conn)

    def on_client_socket_readable(self, conn: TConn, client: Any) -> None:
        """A kept-alive connection's next request: buffered like a new one."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._start_reading(conn)

    def _start_reading(self, conn: TConn) -> None:
        while len(self.reading) >= self.max_reading:  # full: the oldest (slowest) gives way
            self._drop(self.reading.popleft())
        conn.buffer = bytearray()  # type: ignore[attr-defined]
        conn.continued = False  # type: ignore[attr-defined]
        conn.timeout = time.monotonic() + self.read_timeout
        self.reading.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn: TConn, client: Any) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._stop_reading(conn)
            self.nr_conns -= 1
            conn.close()
            return
        conn.buffer += data  # type: ignore[attr-defined]
        self._continue_if_expected(conn)
        if request_complete(conn.buffer, self.max_body):  # type: ignore[attr-defined]
            self._stop_reading(conn)
            conn.sock.setblocking(True)
            conn.data_ready = True
            conn.init()
            conn.parser.unreader.unread(bytes(conn.buffer))  # type: ignore[attr-defined]
            conn.buffer = bytearray()  # type: ignore[attr-defined]
            self.enqueue_req(conn)

    def _continue_if_expected(self, conn: TConn) -> None:
        """A client that sent ``Expect: 100-continue`` waits for it before sending its body (curl does,
        for bodies over 1 KiB): answer from here, once, or it would wait a second for nothing."""
        buf = conn.buffer  # type: ignore[attr-defined]
        if getattr(conn, "continued", False) or (end := buf.find(_HEADERS_END)) < 0:
            return
        conn.continued = True  # type: ignore[attr-defined]
        if _EXPECT_CONTINUE.match(bytes(buf[:end + 2])) and len(buf) == end + 4:
            try:
                conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            except OSError:
                pass

    def _stop_reading(self, conn: TConn) -> None:
        self.poller.unregister(conn.sock)
        self.reading.remove(conn)

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        while self.reading and self.reading[0].timeout <= now:
            self._drop(self.reading.popleft())

    def _drop(self, conn: TConn) -> None:
        """Close a connection taken off ``reading`` before its request was whole."""
        try:
            self.poller.unregister(conn.sock)
        except (OSError, KeyError, ValueError):
            pass
        self.nr_conns -= 1
        conn.close()


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


def gunicorn_options(config: dict[str, Any]) -> dict[str, Any]:
    """gunicorn's settings for ``config`` (the microscout settings)."""
    return {
        "bind": f"{config['HOST']}:{config['PORT']}",
        "workers": config["WORKERS"],
        "threads": config["THREADS"],
        "worker_class": "server.serving.BufferingWorker",
        "logger_class": "server.serving.RedactingLogger",
        # the buffering worker reads these; the app reads the same variables itself
        "raw_env": [f"MICROSCOUT_READ_TIMEOUT={config['READ_TIMEOUT']}",
                    f"MICROSCOUT_MAX_BODY_BYTES={config['MAX_BODY_BYTES']}",
                    f"MICROSCOUT_MAX_READING={config['MAX_READING']}"],
        "timeout": 120,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": "-",
    }


def run_gunicorn(config: dict[str, Any]) -> None:
    print(f"microscout: serving on http://{config['HOST']}:{config['PORT']} "
          f"(store: {redact_url(config['STORE_URL']) or 'sqlite in ' + config['DATA_DIR']})", flush=True)
    _Gunicorn(gunicorn_options(config)).run()
