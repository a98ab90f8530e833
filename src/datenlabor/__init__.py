"""Datenlabor: experiment spaces for data and AI in a German municipality.

Notebooks import only what they need from here; heavy libraries are imported
lazily so a kernel that is pre-started for the app server stays small.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["load", "record", "read_csv", "pruefe", "table", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from .csvfiles import read_csv
    from .datasets import load
    from .formatting import table
    from .recording import record
    from .selfcheck import pruefe


def __getattr__(name: str) -> Any:
    # Lazy re-exports keep `import datenlabor` cheap in every kernel.
    if name == "load":
        from .datasets import load

        return load
    if name == "record":
        from .recording import record

        return record
    if name == "read_csv":
        from .csvfiles import read_csv

        return read_csv
    if name == "pruefe":
        from .selfcheck import pruefe

        return pruefe
    if name == "table":
        from .formatting import table

        return table
    raise AttributeError(name)
