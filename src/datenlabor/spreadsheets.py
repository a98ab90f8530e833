"""Spreadsheets (``.xlsx``, ``.ods``) as rows of text for the German layer of ``csvfiles``.

Staff keep their data in Excel or LibreOffice. The cells are read with
``python-calamine`` (Rust, reads both formats without starting an office
suite) and turned into the text a CSV export would contain, so titles above
the table, signs of official statistics, units and dates are handled exactly
as in CSV files. Numbers stored as numbers are written with a decimal point
and no grouping (unambiguous); dates become ISO text (``2024-03-01``, with the
time only if it is not midnight).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from typing import Any

from .errors import CsvError

KINDS = {"xlsx": "Excel-Arbeitsmappe", "ods": "OpenDocument-Tabelle"}
_THREE_DECIMALS = re.compile(r"-?\d{1,3}\.\d{3}")


def kind_of(raw: bytes, suffix: str = "") -> str | None:
    """``"xlsx"``, ``"ods"`` or None, from the file's content (a ZIP with a workbook inside)."""
    if not raw.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "content.xml" in names and b"opendocument.spreadsheet" in archive.read("mimetype"):
                return "ods"
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)
        # "21.892" would look like a German thousands group; a number cell is never one, so
        # it is written "21.8920". Then only text cells can hold "d.ddd" (see csvfiles).
        return text + "0" if _THREE_DECIMALS.fullmatch(text) else text
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.timedelta):
        return str(value)
    return unicodedata.normalize("NFC", str(value))


def read_rows(
    raw: bytes, label: str, kind: str, sheet: str | None = None
) -> tuple[list[list[str]], str]:
    """All rows of one sheet as text, and the sheet's name (the first sheet by default).

    Raises ``CsvError`` with German text if the file is damaged or the sheet
    does not exist (listing the sheets there are).
    """
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        names = list(book.sheet_names)
    except Exception:  # noqa: BLE001 - calamine's messages are English
        raise CsvError(
            f"Die Datei „{label}“ sieht aus wie eine {KINDS[kind]}, lässt sich aber nicht lesen. "
            "Ist sie beschädigt oder mit einem Kennwort geschützt?"
        ) from None
    if not names:
        raise CsvError(f"Die Datei „{label}“ enthält kein Tabellenblatt.")
    if sheet is None:
        name = names[0]
    else:
        matches = [n for n in names if n == sheet] or [
            n for n in names if n.strip().casefold() == sheet.strip().casefold()
        ]
        if not matches:
            raise CsvError(
                f"Die Datei „{label}“ hat kein Tabellenblatt „{sheet}“. "
                f"Vorhanden: {', '.join(names)}."
            )
        name = matches[0]
    try:
        cells = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001
        raise CsvError(f"Das Tabellenblatt „{name}“ in „{label}“ lässt sich nicht lesen.") from None
    rows = [[_text(v) for v in row] for row in cells]
    if not any(any(c.strip() for c in row) for row in rows):
        raise CsvError(f"Das Tabellenblatt „{name}“ in „{label}“ ist leer.")
    return rows, name
