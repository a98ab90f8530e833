"""Reading CSV files the way German municipalities and open-data portals write them.

Minimal first version; the fixture-tested reader replaces it (issue 4).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CsvError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def read_csv(source: str | Path | bytes, name: str | None = None) -> pd.DataFrame:
    """All columns as text; the caller's schema converts types (see datasets.apply_schema)."""
    import pandas as pd

    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    label = name or (Path(source).name if not isinstance(source, bytes) else "Upload")
    if not raw.strip():
        raise CsvError(f"Die Datei „{label}“ ist leer.")
    text = _decode(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=";,\t|")
        sep = dialect.delimiter
    except csv.Error:
        sep = ";" if text.count(";") > text.count(",") else ","
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, ValueError) as exc:
        raise CsvError(f"Die Datei „{label}“ lässt sich nicht als CSV lesen: {str(exc).splitlines()[0]}") from None
