"""A clock over the whole of one request, headers included: past it, the socket is shut.

Read timeouts only bound the gap between two bytes, so a server (or a stuck proxy) that drips a
byte at a time could hold a request, and the run, for hours: in the status line, the headers or
the body. ``Watch`` is started around each try; when it fires it shuts the connection's socket,
the blocked read returns at once, and the transport reports the request as too slow. The pools
record which connection the current thread took, so the watch knows which socket is its own.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()


class Watch:
    """One try's clock: ``fired`` says whether it cut the connection."""

    def __init__(self) -> None:
        self.conn: Any = None
        self.fired = False
        self._lock = threading.Lock()

    def cut(self) -> None:
        with self._lock:
            self.fired = True
            sock = getattr(self.conn, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError, AttributeError):
                sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def watch(seconds: float) -> Iterator[Watch]:
    """Cut this thread's connection after ``seconds`` unless the block has finished by then."""
    w = Watch()
    _current.watch = w
    timer = threading.Timer(seconds, w.cut)
    timer.daemon = True
    timer.start()
    try:
        yield w
    finally:
        timer.cancel()
        _current.watch = None


class _Recording:
    """Pool mixin: tell the current thread's watch which connection it is using."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        w = getattr(_current, "watch", None)
        if w is not None:
            w.conn = conn
        return conn


class _HTTPPool(_Recording, HTTPConnectionPool):
    pass


class _HTTPSPool(_Recording, HTTPSConnectionPool):
    pass


def _record(manager: Any) -> Any:
    manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
    return manager


class WatchedAdapter(HTTPAdapter):
    """requests' adapter whose pools (direct or through an HTTP proxy) record their connections."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _record(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        return _record(super().proxy_manager_for(proxy, **kwargs))
