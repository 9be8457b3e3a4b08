"""Socket-level failures: a server that accepts and never answers, one that drips a byte a second,
and a port that refuses connections. Each runs on its own ephemeral port of the bind address.
"""

from __future__ import annotations

import itertools
import socket
import ssl
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable

_ACCEPT_POLL = 0.2
_MAX_HELD = 512
DRIP_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html>"


def refused_port(bind: str) -> int:
    """A port nobody listens on: bound once to reserve a number, then closed (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((bind, 0))
        return sock.getsockname()[1]


class _Listener(ABC):
    """Accept loop in a daemon thread; subclasses decide what to do with each connection."""

    def __init__(self, bind: str):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((bind, 0))
        self.sock.listen(128)
        self.sock.settimeout(_ACCEPT_POLL)
        self.port: int = self.sock.getsockname()[1]
        self.stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name=f"demo-{type(self).__name__}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _accept_loop(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.handle(conn)

    @abstractmethod
    def handle(self, conn: socket.socket) -> None:
        """Serve one accepted connection (each kind of raw server misbehaves in its own way)."""

    def stop(self) -> None:
        self.stopped.set()
        self._thread.join(timeout=2)
        self.sock.close()


class Blackhole(_Listener):
    """Accepts connections and holds them open without reading or writing: clients time out."""

    def __init__(self, bind: str):
        super().__init__(bind)
        self.held: list[socket.socket] = []
        self._lock = threading.Lock()

    def handle(self, conn: socket.socket) -> None:
        with self._lock:
            self.held.append(conn)
            while len(self.held) > _MAX_HELD:
                self.held.pop(0).close()

    def stop(self) -> None:
        super().stop()
        with self._lock:
            for conn in self.held:
                conn.close()
            self.held.clear()


class Drip(_Listener):
    """Answers with one byte every ``interval`` seconds, for ever (over TLS when given a context)."""

    def __init__(self, bind: str, interval: float = 1.0, tls: Callable[[], ssl.SSLContext] | None = None):
        super().__init__(bind)
        self.interval = interval
        self.tls = tls

    def handle(self, conn: socket.socket) -> None:
        threading.Thread(target=self._drip, args=(conn,), name="demo-drip", daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn.settimeout(10)
                conn = self.tls().wrap_socket(conn, server_side=True)
            for index in itertools.count():
                if self.stopped.wait(self.interval):
                    break
                conn.sendall(DRIP_HEAD[index : index + 1] or b" ")
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()
