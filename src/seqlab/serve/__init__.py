"""``seqlab serve``: try trained models in a web page, and over an HTTP JSON API.

    from seqlab.serve import build_app, load_served, running
    app = build_app(load_served(["dates-model", "glove"]))
    with running(app) as url:        # a free port on 127.0.0.1
        ...                          # POST {url}/api/dates-model/run {"text": "3 March 1997"}

The optional extra ``seqlab[serve]`` (Starlette + uvicorn) is needed. One module per concept:
``options`` (a request's checked options and the server's limits), ``served`` (a loaded model
and its verbs), ``text`` and ``media`` (the verbs of each task), ``models`` (loading),
``figures`` (pictures as data URLs), ``app`` (the routes), ``server`` (uvicorn), ``static/``
(the page). It sits at the top of the layers, beside ``cli``; both use the
task packages' public functions and figures.
"""

from __future__ import annotations

from seqlab._lazy import lazy_exports

__all__ = [
    "Limits",
    "RequestError",
    "bind",
    "build_app",
    "extra_missing",
    "load_served",
    "running",
    "serve_forever",
    "url_of",
]

# the app imports starlette and torch: only when a name is asked for
_EXPORTS = {
    "Limits": "options",
    "RequestError": "options",
    "build_app": "app",
    "load_served": "models",
    "bind": "server",
    "running": "server",
    "serve_forever": "server",
    "url_of": "server",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


def extra_missing() -> str | None:
    """None when the serve extra (Starlette, uvicorn) imports; else the line saying what to
    install."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        return (
            "seqlab serve needs the serve extra: pip install 'seqlab[serve]' "
            "(Starlette and uvicorn)"
        )
    return None
