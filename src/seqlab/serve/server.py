"""Running the app with uvicorn: in the foreground (``seqlab serve``) or in a thread (tests,
the load benchmark)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

__all__ = ["running", "serve_forever"]


def _server(app: Any, host: str, port: int, log_level: str):
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False,
                            lifespan="off")  # fmt: skip
    return uvicorn.Server(config)


def serve_forever(app: Any, host: str, port: int, *, log_level: str = "warning") -> None:
    """Serve until Ctrl-C."""
    _server(app, host, port, log_level).run()


@contextlib.contextmanager
def running(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` in a background thread; yields its base URL (port 0: a free port)."""
    server = _server(app, host, port, "error")
    thread = threading.Thread(target=server.run, name="seqlab-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start on {host}:{port}")
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()
    try:
        yield f"http://{bound[0]}:{bound[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
