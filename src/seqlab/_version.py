"""seqlab's version, in one place: the package, model folders (``config.json``'s
``"seqlab_version"``), ``seqlab --version`` and pyproject.toml (read statically) all take it
from here.

Imports nothing, so every module may use it without importing the package's public API.
"""

__version__ = "0.1.0"
