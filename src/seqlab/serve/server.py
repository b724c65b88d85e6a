"""Running the app with uvicorn: in the foreground (``seqlab serve``) or in a thread (tests,
the load benchmark). The socket is bound first, so a port in use is a clear error before
anything is served, and port 0 gives a free port whose number is known."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

__all__ = ["bind", "running", "serve_forever", "url_of"]


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (0: a free port).

    Raises:
        OSError: naming the address, e.g. when the port is in use.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise OSError(f"cannot listen on {host} port {port}: {error.strerror or error}") from None
    sock.listen(2048)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def _server(app: Any, log_level: str):
    import uvicorn

    config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="off")
    return uvicorn.Server(config)


def serve_forever(app: Any, sock: socket.socket, *, log_level: str = "warning") -> None:
    """Serve on ``sock`` until Ctrl-C."""
    _server(app, log_level).run(sockets=[sock])


@contextlib.contextmanager
def running(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` in a background thread; yields its base URL (port 0: a free port)."""
    sock = bind(host, port)
    server = _server(app, "error")
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="seqlab-serve", daemon=True)  # fmt: skip
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"the server did not start on {url_of(sock)}")
        time.sleep(0.02)
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
