"""Reading CSV files the way German municipalities and statistics offices write them.

One reader for every lab and for uploads (spreadsheets go through the same
German layer, see ``spreadsheets``). It finds out, or takes as declared:

* the encoding (UTF-8 with or without byte order mark, UTF-16 with or without
  BOM, otherwise Windows-1252 via ``charset-normalizer`` limited to western
  code pages, because unrestricted detection often guesses cp1250); text is
  normalised to Unicode NFC, so ``Träger`` typed on macOS matches,
* the delimiter (``;``, ``,``, tab, ``|``) by parsing a sample with each
  candidate and keeping the one whose rows most often share one width (the
  "pattern score" idea of CleverCSV; ``clevercsv`` itself decides when no
  candidate is consistent),
* where the table is: title and "Stand" lines above it, a header of several
  rows (joined into one name per column) and footnotes, copyright and source
  lines below it are skipped and reported (``CsvInfo.skipped``),
* per column: decimal and thousands separators, from the column's values and
  from evidence in the whole file (see ``_decide_number_format``), official
  statistics signs, units and flags (``statsigns``), and date formats.

and cleans what is safe to clean without knowing the meaning of a column:
blank rows, leading/trailing spaces, missing-value markers (``n/a``, ``k.A.``,
``#NV`` …) and header rows repeated in the middle of the file.

``read_csv`` returns every column as text, so a schema decides the types
(``datasets.apply_schema``); ``read_csv(..., convert=True)`` turns
number-like and date-like columns into numbers and dates (large files take a
fast path through pandas' C parser).

A column whose number format stays ambiguous after all evidence (every value
like ``12.500``) is read by the German convention in ``;`` files (``.``
groups thousands) and as decimal point otherwise, and ``CsvInfo.warnings``
says so, naming the column and the ``lesen`` option that overrides it.

Every problem raises ``CsvError`` with a German message that names the problem
and, where possible, what to do about it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CsvError, ParameterError
from .formatting import count

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

MB = 1_000_000
"""One megabyte as file managers count it (decimal, not 2**20)."""

MAX_BYTES = 20 * MB
"""Default size limit of a CSV file (20 MB); staff raise it with ``MAX_MB_ENV``."""

MAX_MB_ENV = "DATENLABOR_MAX_MB"
"""Environment variable with the size limit in MB for files read without an explicit limit
(``datenlabor daten pruefen``, ``run``, ``datenlabor.load``); the app upload keeps its own."""

MAX_LINE_CHARS = 1024 * 1024
MAX_COLUMNS = 5_000
"""Wider tables are refused with a German message (no municipal table has more columns;
reading one field list of 100.000 columns takes minutes)."""
"""Default limit for one line (1 MB); longer lines are almost never a table."""

DELIMITERS = (";", ",", "\t", "|")
"""Candidate delimiters, in order of preference when several fit equally well."""

NA_MARKERS = frozenset(
    {"", "n/a", "n.a.", "na", "nan", "null", "none", "k.a.", "k. a.", "keine angabe", "#nv", "#n/a"}
)
"""Cell texts that mean "no value" (compared after stripping, case-insensitive).

Official statistics signs (``-`` is zero, ``.`` unknown …) are not in this
list; ``statsigns`` handles them in number columns.
"""

STATISTICS_MARKERS = frozenset({"-", "–", "—", ".", "x", "X", "/", "...", "…"})
"""Whole-cell signs of official statistics (see ``statsigns.SIGNS``)."""

DELIMITER_NAMES = {";": "Semikolon", ",": "Komma", "\t": "Tabulator", "|": "senkrechter Strich"}
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 mit BOM",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 (ohne BOM)",
    "utf-16-be": "UTF-16 (ohne BOM)",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO 8859-1)",
    "iso8859-15": "Latin-9 (ISO 8859-15)",
    "xlsx": "Excel-Arbeitsmappe (.xlsx)",
    "ods": "OpenDocument-Tabelle (.ods)",
}
TWO_DIGIT_YEAR_PIVOT = 69
"""Two-digit years ``00``–``68`` are 2000–2068, ``69``–``99`` are 1969–1999.

This is the POSIX rule of ``strptime("%y")`` that Python and pandas use;
``01.01.24`` is the 1st of January 2024.
"""

DATE_FORMATS = {
    "%d.%m.%Y": re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$"),
    "%d.%m.%y": re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2}$"),
    "%Y-%m-%d": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "%d.%m.%Y %H:%M": re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}:\d{2}$"),
    "%d.%m.%Y %H:%M:%S": re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}:\d{2}:\d{2}$"),
    "%d.%m.%y %H:%M": re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2} \d{1,2}:\d{2}$"),
    "ISO8601": re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"),
}
DATE_FORMAT_NAMES = {
    "%d.%m.%Y": "TT.MM.JJJJ",
    "%d.%m.%y": "TT.MM.JJ",
    "%Y-%m-%d": "JJJJ-MM-TT (ISO)",
    "%d.%m.%Y %H:%M": "TT.MM.JJJJ hh:mm",
    "%d.%m.%Y %H:%M:%S": "TT.MM.JJJJ hh:mm:ss",
    "%d.%m.%y %H:%M": "TT.MM.JJ hh:mm",
    "ISO8601": "JJJJ-MM-TTThh:mm (ISO)",
}

# Binary formats people save or rename as .csv by mistake: magic bytes -> German name.
_MAGIC = (
    (b"\x89PNG", "ein PNG-Bild"),
    (b"\xff\xd8\xff", "ein JPEG-Bild"),
    (b"GIF8", "ein GIF-Bild"),
    (b"%PDF", "ein PDF-Dokument"),
    (b"PK\x03\x04", "ein ZIP-Archiv oder eine Excel-Datei (.xlsx)"),
    (b"\xd0\xcf\x11\xe0", "eine ältere Excel- oder Word-Datei (.xls/.doc)"),
    (b"\x1f\x8b", "ein gzip-Archiv"),
)
_HTML_START = re.compile(r"^\s*(<!doctype\s+html|<html|<\?xml|<head|<body|<!--)", re.IGNORECASE)
_SEP_HINT = re.compile(r"^sep=(.)\s*$")  # Excel's "sep=;" first line
_SAMPLE_CHARS = 256 * 1024
_SAMPLE_ROWS = 2000
_TAIL_ROWS = 500
_LAYOUT_ROWS = 60
_FAST_BYTES = 1024 * 1024
"""From this size on ``convert=True`` parses with pandas' C parser after detection."""
_FAST_SAMPLE_ROWS = 600
"""Rows from the start (and a quarter as many from the end) that decide formats on that path."""

# Number evidence: each value is classified by the first pattern it matches.
_EVIDENCE = (
    ("int", re.compile(r"^[-+]?\d+$")),
    ("dot_multi", re.compile(r"^[-+]?\d{1,3}(\.\d{3}){2,}$")),
    ("comma_multi", re.compile(r"^[-+]?\d{1,3}(,\d{3}){2,}$")),
    ("dot_amb", re.compile(r"^[-+]?[1-9]\d{0,2}\.\d{3}$")),
    ("comma_amb", re.compile(r"^[-+]?[1-9]\d{0,2},\d{3}$")),
    ("de_full", re.compile(r"^[-+]?\d{1,3}(\.\d{3})+,\d+$")),
    ("en_full", re.compile(r"^[-+]?\d{1,3}(,\d{3})+\.\d+$")),
    ("de", re.compile(r"^[-+]?\d*,\d+$")),
    ("en", re.compile(r"^[-+]?(\d*\.\d+([eE][-+]?\d+)?|\d+[eE][-+]?\d+)$")),
)
_KEY_NAME = re.compile(
    r"(^|[^a-zäöü])(id|nr|nummer|lfd|plz|postleitzahl|schl(ü|ue)ssel|kennziffer|kennung|"
    r"ags|ars|code|key|jahr|year|kreis|gemeinde)([^a-zäöü]|$)",
    re.IGNORECASE,
)
_FOOTER_START = re.compile(
    r"^\s*(_{3,}|-{3,}|={3,}|\(c\)|©|copyright|quelle\b|quellen\b|anmerkung|hinweis|fußnote|"
    r"fussnote|erläuterung|zeichenerklärung|stand\b|\*|\d\)\s|datenlizenz|lizenz)",
    re.IGNORECASE,
)
_PREAMBLE_KIND = re.compile(r"^\s*(stand|datenstand|abruf|quelle)\b", re.IGNORECASE)


@dataclass
class CsvInfo:
    """What the reader found out about a file; ``describe()`` says it in German."""

    name: str
    encoding: str
    delimiter: str
    decimal: str = ","
    thousands: str | None = None
    date_format: str | None = None
    bom: bool = False
    rows: int = 0
    columns: int = 0
    number_columns: list[str] = field(default_factory=list)
    date_columns: list[str] = field(default_factory=list)
    repeated_headers: int = 0
    blank_rows: int = 0
    stripped_cells: int = 0
    missing_markers: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    column_formats: dict[str, dict[str, str | None]] = field(default_factory=dict)
    date_formats: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    header_line: int = 1
    header_rows: int = 1
    sheet: str | None = None
    normalized: bool = False
    accounting: bool = False
    dashes: str = "null"  # "-" in number columns: "null" (Destatis: genau null) or "luecke"

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (stored in ``DataFrame.attrs["csv_info"]``)."""
        return asdict(self)

    def number_format(self, column: str) -> tuple[str, str | None]:
        """Decimal and thousands separator of one column (the file's if not decided)."""
        fmt = self.column_formats.get(column) or {}
        return fmt.get("decimal") or self.decimal, fmt.get("thousands", self.thousands)

    def pandas_options(self) -> dict[str, Any]:
        """The ``pd.read_csv`` arguments that read this file, for teaching and reuse."""
        options: dict[str, Any] = {"sep": self.delimiter, "encoding": self.encoding}
        if self.header_line > 1 or self.header_rows > 1:
            options["skiprows"] = self.header_line - 1
        if self.header_rows > 1:
            options["header"] = list(range(self.header_rows))
        options["decimal"] = self.decimal
        if self.thousands:
            options["thousands"] = self.thousands
        return options

    def describe(self) -> list[str]:
        """German lines for people: how the file is written and what was cleaned."""
        if self.encoding in ("xlsx", "ods"):
            lines = [f"Dateiart: {ENCODING_NAMES[self.encoding]}"]
            if self.sheet:
                lines.append(f"Tabellenblatt: {self.sheet}")
        else:
            lines = [
                f"Zeichenkodierung: {ENCODING_NAMES.get(self.encoding, self.encoding)}",
                f"Trennzeichen: {DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))}",
                f"Dezimalzeichen: {_SEP_NAMES[self.decimal]}"
                + (
                    f", Tausendertrennzeichen: {_SEP_NAMES.get(self.thousands, self.thousands)}"
                    if self.thousands
                    else ""
                ),
            ]
        if self.date_format:
            lines.append(
                f"Datumsformat: {DATE_FORMAT_NAMES.get(self.date_format, self.date_format)}"
            )
        lines.append(
            f"{count(self.rows, 'Zeile', 'Zeilen')}, {count(self.columns, 'Spalte', 'Spalten')}"
        )
        lines.extend(self.skipped)
        if self.header_rows > 1:
            lines.append(
                f"Kopfzeile aus {self.header_rows} Zeilen zu einem Namen je Spalte zusammengefügt"
            )
        if self.normalized:
            lines.append("Umlaute in zerlegter Schreibweise (macOS) vereinheitlicht (NFC)")
        if self.repeated_headers:
            lines.append(f"Wiederholte Kopfzeilen entfernt: {self.repeated_headers}")
        if self.blank_rows:
            lines.append(f"Leere Zeilen übersprungen: {self.blank_rows}")
        if self.stripped_cells:
            lines.append(f"Zellen mit Leerzeichen am Rand bereinigt: {self.stripped_cells}")
        if self.missing_markers:
            found = ", ".join(f"„{k}“ ({v}×)" for k, v in self.missing_markers.items())
            lines.append(f"Als fehlend erkannt: {found}")
        return lines + list(self.notes) + list(self.warnings)


_SEP_NAMES = {",": "Komma", ".": "Punkt", " ": "Leerzeichen", "'": "Apostroph"}


# --------------------------------------------------------------------------- options

READ_OPTIONS = {
    "kopfzeile": "Zeile, in der die Spaltennamen stehen (1 = erste Zeile)",
    "zeilen_ueberspringen": "so viele Zeilen am Anfang überspringen",
    "dezimal": "Dezimalzeichen: komma oder punkt",
    "tausender": "Tausendertrennzeichen: punkt, komma, leerzeichen oder keins",
    "kodierung": "Zeichenkodierung, z. B. utf-8, cp1252, utf-16",
    "trennzeichen": "Trennzeichen: semikolon, komma, tab oder strich",
    "blatt": "Name des Tabellenblatts einer Excel- oder ODS-Datei",
    "striche": "„-“ in Zahlenspalten: null (Vorgabe, amtliche Statistik: genau null) oder luecke (fehlt)",
}
"""The ``lesen`` options every lab with own data shares: name -> German help."""

_WORDS = {
    "dezimal": {"komma": ",", ",": ",", "punkt": ".", ".": "."},
    "tausender": {
        "punkt": ".",
        ".": ".",
        "komma": ",",
        ",": ",",
        "leerzeichen": " ",
        "keins": "",
        "kein": "",
        "keine": "",
        "": "",
    },
    "trennzeichen": {
        "semikolon": ";",
        ";": ";",
        "komma": ",",
        ",": ",",
        "tab": "\t",
        "tabulator": "\t",
        "strich": "|",
        "|": "|",
    },
    "striche": {"null": "null", "0": "null", "luecke": "luecke", "lücke": "luecke"},
}
_OPTION_ARGS = {
    "kopfzeile": "header_row",
    "zeilen_ueberspringen": "skiprows",
    "dezimal": "decimal",
    "tausender": "thousands",
    "kodierung": "encoding",
    "trennzeichen": "sep",
    "blatt": "sheet",
    "striche": "dashes",
}


def parse_read_options(text: str | None) -> dict[str, Any]:
    """Keyword arguments for ``read_csv`` from a ``lesen`` text such as ``kopfzeile=4; dezimal=komma``.

    Pairs ``name=wert`` are separated by ``;`` (names in ``READ_OPTIONS``).
    Raises ``ParameterError`` with a German message listing the allowed names
    and values; an empty text gives ``{}``.
    """
    result: dict[str, Any] = {}
    problems: list[str] = []
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        name, eq, value = part.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not eq or name not in READ_OPTIONS:
            known = ", ".join(READ_OPTIONS)
            problems.append(f"„{part.strip()}“ ist keine Leseoption (möglich: {known}).")
            continue
        if name in ("kopfzeile", "zeilen_ueberspringen"):
            low = 1 if name == "kopfzeile" else 0
            if not value.isdigit() or int(value) < low:
                problems.append(f"„{name}“ braucht eine ganze Zahl ab {low}, nicht „{value}“.")
                continue
            result[_OPTION_ARGS[name]] = int(value)
        elif name in _WORDS:
            word = _WORDS[name].get(value.lower())
            if word is None:
                allowed = ", ".join(k for k in _WORDS[name] if k.isalpha() and k.isascii())
                problems.append(f"„{name}“ kennt „{value}“ nicht (möglich: {allowed}).")
                continue
            result[_OPTION_ARGS[name]] = word
        elif name == "kodierung":
            try:
                codecs.lookup(value)
            except LookupError:
                problems.append(f"Die Zeichenkodierung „{value}“ ist unbekannt.")
                continue
            result["encoding"] = value
        else:
            if not value:
                problems.append(f"„{name}“ braucht einen Wert.")
                continue
            result[_OPTION_ARGS[name]] = value
    if problems:
        raise ParameterError(
            "Leseoptionen: "
            + " ".join(problems)
            + " Aufbau: name=wert, mehrere durch „;“ getrennt, z. B. „kopfzeile=4; dezimal=komma“."
        )
    if result.get("decimal") and result.get("decimal") == result.get("thousands"):
        raise ParameterError(
            "Leseoptionen: Dezimal- und Tausendertrennzeichen müssen verschieden sein."
        )
    return result


# --------------------------------------------------------------------------- reading

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods")
"""File name endings read as spreadsheets (first sheet, or ``sheet``/``blatt``)."""


def read_csv(
    source: str | Path | bytes,
    name: str | None = None,
    *,
    encoding: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    date_format: str | None = None,
    skiprows: int = 0,
    header_row: int | None = None,
    sheet: str | None = None,
    dashes: str | None = None,
    lesen: str | None = None,
    min_columns: int = 1,
    max_bytes: int | None = None,
    max_line_chars: int = MAX_LINE_CHARS,
    convert: bool = False,
) -> pd.DataFrame:
    """Read a CSV file, or an ``.xlsx``/``.ods`` spreadsheet (path or bytes); text unless ``convert``.

    Every option left as ``None`` is detected (``thousands=""``: no thousands
    separator). ``header_row`` is the 1-based line of the column names
    (default: detected, skipping titles above the table); ``skiprows`` lines
    are dropped first; ``sheet`` names a spreadsheet's sheet (default: the
    first). ``dashes="luecke"`` reads a ``-`` in number columns as missing
    (default ``"null"``: 0, as in official statistics). ``lesen`` is the labs' read-options text (``parse_read_options``);
    its values fill options not given here. ``name`` is used in messages
    (default: the file name, or "Upload" for bytes). ``max_bytes`` limits the
    file size (default: ``configured_max_bytes()``, 20 MB or ``DATENLABOR_MAX_MB``).

    Returns a DataFrame of text (``convert=False``) or with ``float64``/``int64``
    number and ``datetime64`` date columns (``convert=True``). The findings are in
    ``df.attrs["csv_info"]`` (see ``CsvInfo.as_dict``). Raises ``CsvError``
    (German message) for anything that is not a readable table, and
    ``ParameterError`` for a wrong ``lesen`` text.
    """
    options: dict[str, Any] = {
        "encoding": encoding,
        "sep": sep,
        "decimal": decimal,
        "thousands": thousands,
        "date_format": date_format,
        "skiprows": skiprows,
        "header_row": header_row,
        "sheet": sheet,
        "dashes": dashes,
    }
    for key, value in parse_read_options(lesen).items():
        if options.get(key) in (None, 0):
            options[key] = value
    df, info = _read(
        source,
        name,
        typed=convert,
        min_columns=min_columns,
        max_bytes=max_bytes,
        max_line_chars=max_line_chars,
        **options,
    )
    df.attrs["csv_info"] = info.as_dict()
    return df


def read_spreadsheet(source: str | Path | bytes, name: str | None = None, **options: Any):
    """``read_csv``'s sibling for ``.xlsx``/``.ods`` files; the same options and German layer."""
    return read_csv(source, name, **options)


def sniff(source: str | Path | bytes, name: str | None = None, **options: Any) -> CsvInfo:
    """Only the findings about a file (encoding, delimiter, separators, dates, cleaning)."""
    return read_csv_info(source, name, **options)[1]


def read_csv_info(
    source: str | Path | bytes,
    name: str | None = None,
    *,
    encoding: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    date_format: str | None = None,
    skiprows: int = 0,
    header_row: int | None = None,
    sheet: str | None = None,
    min_columns: int = 1,
    max_bytes: int | None = None,
    max_line_chars: int = MAX_LINE_CHARS,
) -> tuple[pd.DataFrame, CsvInfo]:
    """``read_csv`` plus the ``CsvInfo``; the text-only table, not converted."""
    return _read(
        source,
        name,
        typed=False,
        encoding=encoding,
        sep=sep,
        decimal=decimal,
        thousands=thousands,
        date_format=date_format,
        skiprows=skiprows,
        header_row=header_row,
        sheet=sheet,
        min_columns=min_columns,
        max_bytes=max_bytes,
        max_line_chars=max_line_chars,
    )


def _read(
    source: str | Path | bytes,
    name: str | None,
    *,
    typed: bool,
    encoding: str | None,
    sep: str | None,
    decimal: str | None,
    thousands: str | None,
    date_format: str | None,
    skiprows: int,
    header_row: int | None,
    sheet: str | None,
    min_columns: int,
    max_bytes: int | None,
    max_line_chars: int,
    dashes: str | None = None,
) -> tuple[pd.DataFrame, CsvInfo]:
    raw, label = _read_bytes(source, name, max_bytes)
    dashes = dashes or "null"
    suffix = Path(label).suffix.lower()
    from .spreadsheets import kind_of, read_rows

    kind = kind_of(raw, suffix)
    if kind:
        records, sheet_name = read_rows(raw, label, kind, sheet)
        del raw
        info = CsvInfo(
            name=label, encoding=kind, delimiter=";", decimal=".", sheet=sheet_name, dashes=dashes
        )
        records = [(i, row) for i, row in enumerate(records, start=1)][skiprows:]
        layout = _find_table(records, [], info, header_row, label)
        header = layout.header
        rows = _records_to_rows(records, layout, info, label)
        df = _finish_frame(header, rows, info, label, min_columns)
        _detect_formats(
            df, info, decimal=decimal, thousands=thousands, date_format=date_format, sheet=True
        )
        return (convert_types(df, info) if typed else df), info
    if sheet:
        raise CsvError(
            f"„{label}“ ist keine Excel- oder ODS-Datei; die Leseoption „blatt“ gilt nur dort."
        )
    _check_binary(raw, label)
    text, enc, bom = _decode(raw, encoding, label)
    if enc not in ("utf-8", "utf-8-sig"):
        raw = b""  # only UTF-8 bytes can be handed to pandas as they are
    normalized = False
    # Combining marks (U+0300–U+036F) start with byte 0xCC or 0xCD in UTF-8; without
    # them a UTF-8 text is NFC for Latin script, and the full check can be skipped.
    may_be_decomposed = not raw or b"\xcc" in raw or b"\xcd" in raw
    if enc in ("cp1252", "latin-1", "iso8859-15"):
        may_be_decomposed = False
    if may_be_decomposed and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
        normalized = True
        raw = b""
    _check_text(text, label, max_line_chars, raw or None)
    untouched = bool(raw)
    offset_lines = 0
    hint = _SEP_HINT.match(text[:10].split("\n", 1)[0].strip())
    if hint:
        sep = sep or hint.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
        offset_lines = 1
        untouched = False
    if skiprows:
        untouched = False
        parts = text.split("\n", skiprows)
        text = parts[skiprows] if len(parts) > skiprows else ""
        offset_lines += skiprows
    if header_row is not None:
        header_row -= offset_lines
        if header_row < 1:
            raise CsvError(
                f"Die Kopfzeile {header_row + offset_lines} von „{label}“ liegt in den "
                "übersprungenen Zeilen."
            )
    if not text.strip():
        raise CsvError(f"Die Datei „{label}“ enthält keine Tabelle (nur leere Zeilen).")
    if sep is None:
        sep = _detect_delimiter(text, label)
    elif len(sep) != 1:
        raise CsvError(f"Das Trennzeichen muss genau ein Zeichen sein, nicht „{sep}“.")
    info = CsvInfo(
        name=label, encoding=enc, delimiter=sep, bom=bom, normalized=normalized, dashes=dashes
    )
    first_lines = [ln.rstrip("\r") for ln in text[:8192].split("\n")[:20] if ln.strip()]
    if (
        sep != "\t"
        and first_lines
        and sum(ln.endswith(("\t", " ")) for ln in first_lines) * 2 > len(first_lines)
    ):
        # Portal exports that end every line with a tab: after a closing quote it breaks CSV.
        text = re.sub(r"[ \t]+(?=\r?\n|\Z)", "", text)
        untouched = False
        info.notes.append("Tabulatoren und Leerzeichen am Zeilenende entfernt")
    head, tail, _ = _head_and_tail(text, sep, offset_lines)
    layout = _find_table(head, tail, info, header_row, label, offset_lines)
    start = _line_offset(text, layout.data_line)
    end = len(text) if layout.footer_line is None else _line_offset(text, layout.footer_line)
    if typed and len(text) >= _FAST_BYTES and len(layout.header) >= min_columns:
        body_bytes = None
        if untouched:
            lead = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
            body_bytes = memoryview(raw)[
                lead + len(text[:start].encode("utf-8")) : len(raw)
                - len(text[end:].encode("utf-8"))
            ]
        fast = _fast_typed(
            text, start, end, layout, info, label, decimal, thousands, date_format, body_bytes
        )
        if fast is not None:
            return fast, info
        info = CsvInfo(
            name=label, encoding=enc, delimiter=sep, bom=bom, normalized=normalized, dashes=dashes
        )
        _find_table(head, tail, info, header_row, label, offset_lines)
    body = text[start:end]
    del text, raw
    rows = _parse(
        body,
        sep,
        label,
        info,
        offset_lines + layout.data_line - 1,
        len(layout.header),
        layout.raw_header,
    )
    del body
    df = _finish_frame(layout.header, rows, info, label, min_columns)
    _detect_formats(df, info, decimal=decimal, thousands=thousands, date_format=date_format)
    return (convert_types(df, info) if typed else df), info


def _finish_frame(
    header: list[str], rows: list[list[str]], info: CsvInfo, label: str, min_columns: int
) -> pd.DataFrame:
    if len(header) < min_columns:
        raise CsvError(
            f"In „{label}“ wurde nur {count(len(header), 'Spalte', 'Spalten')} gefunden, erwartet werden mindestens "
            f"{min_columns}. Ist das Trennzeichen richtig? "
            f"Gefundene Kopfzeile: „{_short(info.delimiter.join(header))}“"
        )
    df = _frame(header, rows, info)
    info.rows, info.columns = df.shape
    if info.columns == 1:
        info.warnings.append(
            "Die Datei hat nur eine Spalte. Wenn mehrere Spalten erwartet wurden, "
            "stimmt wahrscheinlich das Trennzeichen nicht."
        )
    return df


def configured_max_bytes() -> int:
    """The size limit for files read without an explicit one: ``DATENLABOR_MAX_MB`` or 20 MB.

    Raises ``ParameterError`` (German) for a value that is no positive number.
    """
    import os

    text = os.environ.get(MAX_MB_ENV, "").strip()
    if not text:
        return MAX_BYTES
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = 0
    if not value > 0 or value != value or value == float("inf"):
        raise ParameterError(
            f"Die Umgebungsvariable {MAX_MB_ENV} muss eine Zahl größer 0 sein "
            f"(Grenze in MB, z. B. {MAX_MB_ENV}=100), nicht „{text}“."
        )
    return int(value * MB)


def _too_large(label: str, size: int, max_bytes: int, configurable: bool) -> CsvError:
    message = (
        f"Die Datei „{label}“ ist zu groß ({_megabytes(size)}). "
        f"Erlaubt sind höchstens {_megabytes(max_bytes)}."
    )
    if configurable:
        suggestion = max(10, -(-size // (10 * MB)) * 10)  # the next multiple of 10 MB
        message += (
            f" Auf dem eigenen Rechner lässt sich die Grenze anheben: Umgebungsvariable "
            f"{MAX_MB_ENV} setzen, z. B. „export {MAX_MB_ENV}={suggestion}“ und den Befehl "
            "wiederholen (braucht etwa das Zehnfache der Dateigröße an Arbeitsspeicher)."
        )
    return CsvError(message)


def _read_bytes(
    source: str | Path | bytes, name: str | None, max_bytes: int | None
) -> tuple[bytes, str]:
    configurable = max_bytes is None
    limit = configured_max_bytes() if max_bytes is None else max_bytes
    if isinstance(source, bytes | bytearray | memoryview):
        label = name or "Upload"
        if len(source) > limit:
            raise _too_large(label, len(source), limit, configurable)
        return bytes(source), label
    path = Path(source)
    label = name or path.name
    if not path.is_file():
        raise CsvError(f"Die Datei „{path}“ gibt es nicht (oder es ist ein Ordner).")
    size = path.stat().st_size
    if size > limit:
        raise _too_large(label, size, limit, configurable)
    try:
        return path.read_bytes(), label
    except OSError as exc:
        raise CsvError(
            f"Die Datei „{label}“ lässt sich nicht öffnen ({exc.strerror or exc})."
        ) from None


def _megabytes(n: int) -> str:
    """Bytes as decimal megabytes, like file managers: 38 000 000 -> ``38 MB``, ``1,2 MB``."""
    mb = n / MB
    text = f"{mb:.1f}" if mb < 10 and round(mb, 1) != round(mb) else f"{mb:.0f}"
    return text.replace(".", ",") + " MB"


def _check_binary(raw: bytes, label: str) -> None:
    if not raw[:4096].strip() and not raw.strip():
        raise CsvError(f"Die Datei „{label}“ ist leer.")
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            hint = (
                " Bitte in Excel „Speichern unter“ → "
                "„CSV UTF-8 (durch Trennzeichen getrennt)“ wählen."
                if "Excel" in what
                else ""
            )
            raise CsvError(f"Die Datei „{label}“ ist keine CSV-Datei, sondern {what}.{hint}")


def _decode(raw: bytes, encoding: str | None, label: str) -> tuple[str, str, bool]:
    """Text, encoding name and whether a byte order mark was present."""
    if encoding:
        try:
            text = raw.decode(encoding)
        except LookupError:
            raise CsvError(f"Die Zeichenkodierung „{encoding}“ ist unbekannt.") from None
        except UnicodeDecodeError as exc:
            raise CsvError(
                f"Die Datei „{label}“ lässt sich nicht als "
                f"{ENCODING_NAMES.get(encoding, encoding)} lesen "
                f"(ungültiges Byte an Stelle {exc.start}). Ist die Zeichenkodierung richtig?"
            ) from None
        bom = text.startswith("\ufeff")
        return text.lstrip("\ufeff"), encoding, bom
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig", True
        except UnicodeDecodeError:
            raise CsvError(
                f"Die Datei „{label}“ beginnt wie eine UTF-8-Datei, "
                "enthält aber ungültige Zeichen. "
                "Bitte die Datei erneut als „CSV UTF-8“ speichern."
            ) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16", True
        except UnicodeDecodeError:
            raise CsvError(
                f"Die Datei „{label}“ ist als UTF-16 markiert, aber beschädigt."
            ) from None
    utf16 = _utf16_without_bom(raw) if b"\x00" in raw[:8192] else None
    if utf16:
        try:
            return raw.decode(utf16), utf16, False
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:8192]:
        raise CsvError(
            f"Die Datei „{label}“ ist keine Textdatei (sie enthält Binärdaten). "
            "Bitte eine CSV-Datei wählen, z. B. aus Excel mit „Speichern unter“ → „CSV UTF-8“."
        )
    try:
        return raw.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # German files that are not UTF-8 are Windows-1252 in practice; limiting the
    # candidates keeps charset-normalizer from choosing e.g. cp1250 for umlauts.
    best = from_bytes(raw[:_SAMPLE_CHARS], cp_isolation=["cp1252", "iso8859_15", "latin_1"]).best()
    enc = (
        {"iso8859_15": "iso8859-15", "latin_1": "latin-1"}.get(best.encoding, "cp1252")
        if best
        else "cp1252"
    )
    try:
        return raw.decode(enc), enc, False
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1", False


def _has_long_line(data: bytes | str, limit: int) -> bool:
    """Whether a line is longer than ``limit``: one ``rfind`` per ``limit`` characters."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    pos, n = 0, len(data)
    while n - pos > limit:
        last = data.rfind(newline, pos, pos + limit + 1)  # type: ignore[arg-type]
        if last < 0:
            return True
        pos = last + 1
    return False


def _check_text(text: str, label: str, max_line_chars: int, raw: bytes | None = None) -> None:
    head = text[:2048]
    if _HTML_START.match(head) or re.search(r"<html[\s>]", head, re.IGNORECASE):
        raise CsvError(
            f"Die Datei „{label}“ ist eine Webseite (HTML), keine CSV-Datei. Wahrscheinlich wurde "
            "die Seite des Datenportals gespeichert statt der Datei selbst – bitte den "
            "Download-Link der CSV-Datei verwenden."
        )
    if len(text) <= max_line_chars or not _has_long_line(raw or text, max_line_chars):
        return
    start = 0
    n = len(text)
    while start < n:
        end = text.find("\n", start)
        end = n if end < 0 else end
        if end - start > max_line_chars:
            line_no = text.count("\n", 0, start) + 1
            raise CsvError(
                f"Zeile {line_no} in „{label}“ ist länger als {_megabytes(max_line_chars)}. "
                "So lange Zeilen kommen in Tabellen praktisch nicht vor; "
                "ist es wirklich eine CSV-Datei?"
            )
        start = end + 1


def _utf16_without_bom(raw: bytes) -> str | None:
    """``utf-16-le``/``-be`` if every other byte of the start is zero (text without BOM)."""
    head = raw[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd > 0.4 and zeros_even < 0.05:
        return "utf-16-le"
    if zeros_even > 0.4 and zeros_odd < 0.05:
        return "utf-16-be"
    return None


def _sample(text: str) -> str:
    if len(text) <= _SAMPLE_CHARS:
        return text
    cut = text.rfind("\n", 0, _SAMPLE_CHARS)
    if cut <= 0:  # one very long first line (a table with very many columns): keep it whole
        cut = text.find("\n", _SAMPLE_CHARS)
        if cut < 0 or cut > MAX_LINE_CHARS:
            cut = _SAMPLE_CHARS
    return text[:cut]


def _rows_for(sample: str, sep: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample), delimiter=sep, strict=False)
    rows = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
            if len(rows) >= 200:
                break
    except csv.Error:
        return rows
    return rows


def _trim(row: list[str]) -> list[str]:
    end = len(row)
    while end > 1 and not row[end - 1].strip():
        end -= 1
    return row[:end]


def _filled(row: list[str]) -> int:
    return sum(1 for cell in row if cell.strip())


def _detect_delimiter(text: str, label: str) -> str:
    """The candidate whose rows most often share one width (> 1); ``clevercsv`` if none is clear."""
    sample = _sample(text)
    best, best_score = None, 0.0
    for sep in DELIMITERS:
        rows = _rows_for(sample, sep)
        widths = Counter(len(r) for r in rows)
        if not widths:
            continue
        width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
        if width < 2:
            continue
        score = count / len(rows) * (width - 1) / width  # more columns: more evidence
        if score > best_score + 1e-9:  # ties keep the earlier (preferred) delimiter
            best, best_score = sep, score
    if best is not None and best_score >= 0.33:
        return best
    try:
        import clevercsv

        dialect = clevercsv.Detector().detect(sample[:20000], delimiters=list(DELIMITERS))
    except Exception:  # noqa: BLE001 - detection is a hint; our own choice stands
        dialect = None
    if dialect is not None and dialect.delimiter in DELIMITERS:
        return dialect.delimiter
    return best or DELIMITERS[0]


def _head_and_tail(
    text: str, sep: str, offset_lines: int
) -> tuple[list[tuple[int, list[str]]], list[tuple[int, list[str]]], int]:
    """First records and last lines, each with its 1-based line number in ``text``."""
    head: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(_sample(text), newline=""), delimiter=sep, strict=False)
    line = 1
    try:
        for row in reader:
            head.append((line, row))
            line = reader.line_num + 1
            if len(head) >= _LAYOUT_ROWS:
                break
    except csv.Error:
        pass
    tail_text = text[-64 * 1024 :]
    lines = tail_text.split("\n")
    if len(tail_text) < len(text):
        lines = lines[1:]
    lines = lines[-40:]
    total = text.count("\n") + 1
    first = total - len(lines) + 1
    tail = []
    for i, raw_line in enumerate(lines):
        try:
            row = next(csv.reader([raw_line.rstrip("\r")], delimiter=sep, strict=False), [])
        except csv.Error:
            row = [raw_line]
        tail.append((first + i, row))
    return head, tail, first


def _line_offset(text: str, line: int) -> int:
    """Character offset where 1-based ``line`` of ``text`` starts."""
    if line <= 1:
        return 0
    if line < 10_000:
        pos = -1
        for _ in range(line - 1):
            pos = text.find("\n", pos + 1)
            if pos < 0:
                return len(text)
        return pos + 1
    newlines = text.count("\n")
    if line - 1 <= newlines - (line - 1):
        pos = -1
        for _ in range(line - 1):
            pos = text.find("\n", pos + 1)
        return pos + 1
    pos = len(text)
    for _ in range(newlines - line + 2):
        pos = text.rfind("\n", 0, pos)
    return pos + 1


@dataclass
class _Layout:
    header: list[str]
    raw_header: list[str]
    header_line: int
    data_line: int
    footer_line: int | None = None
    levels: int = 1


def _span(first: int, last: int) -> str:
    return f"Zeile {first}" if first == last else f"Zeilen {first}–{last}"


def _find_table(
    head: list[tuple[int, list[str]]],
    tail: list[tuple[int, list[str]]],
    info: CsvInfo,
    header_row: int | None,
    label: str,
    offset_lines: int = 0,
) -> _Layout:
    """Where the header is, how many rows it has, where data and footnotes start."""
    nonblank = [(ln, row) for ln, row in head if _filled(row)]
    if not nonblank:
        raise CsvError(f"Die Datei „{label}“ enthält keine Tabelle (nur leere Zeilen).")
    widest = max(len(row) for _, row in nonblank)
    if widest > MAX_COLUMNS:
        raise CsvError(
            f"In „{label}“ hat eine Zeile {count(widest, 'Feld', 'Felder')}; das Datenlabor liest "
            f"Tabellen mit höchstens {count(MAX_COLUMNS, 'Spalte', 'Spalten')}. Ist das "
            "Trennzeichen richtig erkannt (Leseoption „trennzeichen“)?"
        )
    widths = Counter(len(_trim(row)) for _, row in nonblank)
    wide = Counter({w: n for w, n in widths.items() if w >= 2 and n >= 2})
    width = max((wide or widths).items(), key=lambda item: (item[1], item[0]))[0]
    if header_row is not None:
        found = [i for i, (ln, _) in enumerate(nonblank) if ln >= header_row]
        if not found:
            raise CsvError(
                f"In „{label}“ gibt es ab Zeile {header_row + offset_lines} keine Tabelle "
                "(Leseoption „kopfzeile“ prüfen)."
            )
        h = found[0]
    elif width < 2:
        h = 0
    else:
        h = next(
            (
                i
                for i, (_, row) in enumerate(nonblank)
                if _filled(row) >= 2
                and len(_trim(row)) * 2 >= width
                and not _PREAMBLE_KIND.match(row[0])
            ),
            0,
        )
    header_line, raw = nonblank[h]
    raw = _trim([c.strip() for c in raw])
    names = list(raw)
    levels = 1
    nxt = nonblank[h + 1] if h + 1 < len(nonblank) else None
    if header_row is None and nxt is not None and width >= 2:
        sub = _trim([c.strip() for c in nxt[1]])
        span = max(len(raw), len(sub))
        top = raw + [""] * (span - len(raw))
        sub = sub + [""] * (span - len(sub))
        gaps = [i for i in range(1, span) if not top[i]]
        values = [v for v in sub if v]
        numeric = [v for v in values if re.fullmatch(r"[-+]?[\d.,\s]+", v)]
        if gaps and all(sub[i] for i in gaps) and (len(set(values)) < len(values) or not numeric):
            group, names = "", []
            for a, b in zip(top, sub, strict=False):
                group = a or (group if b else "")
                names.append(" ".join(part for part in (group, b) if part))
            levels = 2
    data_index = h + levels
    data_line = nonblank[data_index][0] if data_index < len(nonblank) else header_line + levels
    skipped: list[str] = []
    if header_line > 1:
        kinds = [row[0] for ln, row in head if ln < header_line and _filled(row)]
        what = "Titel und Stand" if any(_PREAMBLE_KIND.match(k) for k in kinds) else "Titel"
        skipped.append(f"{_span(1 + offset_lines, header_line - 1 + offset_lines)} ({what})")
    footer_line = None
    if width >= 2 and header_row is None:
        block_top, seen_start = None, False
        for ln, row in reversed(tail):
            if ln < data_line:
                break
            filled = _filled(row)
            if not filled:
                continue
            first = next(c for c in row if c.strip())
            if _FOOTER_START.match(first) or filled <= 1:
                block_top = ln
                seen_start = seen_start or bool(_FOOTER_START.match(first))
                continue
            break
        if block_top is not None:
            above = [row for ln, row in tail if ln == block_top - 1]
            if seen_start or (above and not _filled(above[0])):
                footer_line = block_top
                last = max(ln for ln, row in tail if _filled(row))
                skipped.append(
                    f"{_span(block_top + offset_lines, last + offset_lines)} "
                    "(Fußnoten und Quellenangaben)"
                )
    if skipped:
        info.skipped.append(" und ".join(skipped) + " übersprungen")
    while len(names) > 1 and names[-1] == "":
        names.pop()  # trailing delimiters (Excel) are not columns
    info.header_line = header_line + offset_lines
    info.header_rows = levels
    return _Layout(names, raw, header_line, data_line, footer_line, levels)


def _records_to_rows(
    records: list[tuple[int, list[str]]], layout: _Layout, info: CsvInfo, label: str
) -> list[list[str]]:
    width = len(layout.header)
    stripped_header = layout.raw_header
    rows = []
    for ln, row in records:
        if ln < layout.data_line or (layout.footer_line and ln >= layout.footer_line):
            continue
        if not _filled(row):
            info.blank_rows += 1
            continue
        row = (row + [""] * width)[:width] if len(row) < width else row
        if len(row) > width and not any(c.strip() for c in row[width:]):
            row = row[:width]
        if len(row) > width:
            raise CsvError(
                f"Die Zeilen in „{label}“ sind ungleich lang: Die Kopfzeile hat {count(width, 'Feld', 'Felder')}, "
                f"aber Zeile {ln} hat {len(_trim(row))}. Stehen unter der Tabelle Anmerkungen?"
            )
        if _trim([c.strip() for c in row]) == stripped_header:
            info.repeated_headers += 1
            continue
        rows.append(row)
    return rows


def _parse(
    text: str,
    sep: str,
    label: str,
    info: CsvInfo,
    lines_skipped: int,
    width: int,
    raw_header: list[str] | None = None,
) -> list[list[str]]:
    """Data rows; repeated headers and blank rows dropped, ragged rows rejected."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_CHARS * 2))
    # strict: an unclosed quote fails instead of swallowing the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    rows: list[list[str]] = []
    ragged: list[tuple[int, int]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                info.blank_rows += 1
                continue
            if len(row) > width and not any(c.strip() for c in row[width:]):
                row = row[:width]
            if len(row) != width:
                ragged.append((reader.line_num + lines_skipped, len(row)))
                if len(ragged) >= 3:
                    break
                continue
            if raw_header is not None and [c.strip() for c in row] == raw_header:
                info.repeated_headers += 1
                continue
            rows.append(row)
    except csv.Error:
        raise CsvError(
            f"„{label}“ lässt sich ab Zeile {reader.line_num + lines_skipped} nicht als CSV lesen: "
            "Die Anführungszeichen passen nicht zusammen (oft ist eines nicht geschlossen)."
        ) from None
    if ragged:
        where = "; ".join(f"Zeile {line} hat {n}" for line, n in ragged)
        raise CsvError(
            f"Die Zeilen in „{label}“ sind ungleich lang: Die Kopfzeile hat {count(width, 'Feld', 'Felder')} "
            f"(Trennzeichen: {DELIMITER_NAMES.get(sep, sep)}), aber {where}. "
            "Stehen unter der Tabelle Anmerkungen, oder fehlen Anführungszeichen "
            "um Texte mit Trennzeichen? Die Leseoptionen „kopfzeile“ und "
            "„zeilen_ueberspringen“ helfen, wenn die Tabelle woanders beginnt."
        )
    return rows


def _unique_names(header: list[str], info: CsvInfo) -> tuple[list[str], list[str]]:
    names: list[str] = []
    for i, col in enumerate(header, start=1):
        col = col or f"Spalte {i}"
        if col in names:
            new = f"{col} ({names.count(col) + 1})"
            while new in names:
                new += "'"
            info.warnings.append(
                f"Der Spaltenname „{col}“ kommt mehrmals vor; umbenannt in „{new}“."
            )
            col = new
        names.append(col)
    empty_names = [names[i] for i, c in enumerate(header) if not c]
    return names, empty_names


def _frame(header: list[str], rows: list[list[str]], info: CsvInfo) -> pd.DataFrame:
    import pandas as pd

    names, empty_names = _unique_names(header, info)
    df = (
        pd.DataFrame(rows, columns=names, dtype=str)
        if rows
        else pd.DataFrame(columns=names, dtype=str)
    )
    for col in df.columns:
        values = df[col]
        stripped = values.str.strip()
        info.stripped_cells += int((stripped != values).sum())
        lowered = stripped.str.lower()
        is_na = lowered.isin(NA_MARKERS)
        for marker in stripped[is_na & (stripped != "")].unique():
            info.missing_markers[marker] = info.missing_markers.get(marker, 0) + int(
                (stripped == marker).sum()
            )
        df[col] = stripped.mask(is_na)
    for col in empty_names:
        if df[col].isna().all():
            df = df.drop(columns=col)
        else:
            info.warnings.append(f"Eine Spalte hat keinen Namen; sie heißt jetzt „{col}“.")
    return df


def _fast_typed(
    text: str,
    start: int,
    end: int,
    layout: _Layout,
    info: CsvInfo,
    label: str,
    decimal: str | None,
    thousands: str | None,
    date_format: str | None,
    body_bytes: memoryview | None = None,
) -> pd.DataFrame | None:
    """Typed table of a large file through pandas' C parser; None means: take the careful path.

    Formats are decided on a sample (the first 2,000 and the last rows); columns
    in the file's main number format without signs or units are parsed by
    pandas itself, all others are read as text and converted like in
    ``convert_types``. Anything unexpected (uneven rows, a number column that
    pandas could not parse, repeated headers) falls back to the careful path.
    """
    import pandas as pd

    from .statsigns import needs_cleaning

    sep = info.delimiter
    width = len(layout.header)
    head_text = text[start : min(end, start + _SAMPLE_CHARS // 4)]
    if start + len(head_text) < end:
        head_text = head_text[: head_text.rfind("\n") + 1]
    tail_text = text[max(start + len(head_text), end - 64 * 1024) : end]
    if tail_text:
        tail_text = tail_text.split("\n", 1)[1] if "\n" in tail_text else ""
    scratch = CsvInfo(name=label, encoding=info.encoding, delimiter=sep)
    lines_before = info.header_line - layout.header_line + layout.data_line - 1
    rows = _parse(head_text, sep, label, scratch, lines_before, width, layout.raw_header)
    rows = rows[:_FAST_SAMPLE_ROWS]
    try:
        rows += _parse(tail_text, sep, label, scratch, 0, width, layout.raw_header)[
            -_FAST_SAMPLE_ROWS // 4 :
        ]
    except CsvError:
        return None
    sample = _frame(layout.header, rows, scratch)
    names = list(sample.columns)
    info.warnings.extend(scratch.warnings)
    _detect_formats(sample, info, decimal=decimal, thousands=thousands, date_format=date_format)
    formats = Counter(info.number_format(c) for c in info.number_columns)
    main = formats.most_common(1)[0][0] if formats else (info.decimal, None)

    def fits_main(col: str) -> bool:
        dec, thou = info.number_format(col)
        if dec != main[0] or needs_cleaning(sample[col].dropna()):
            return False
        if thou == main[1]:
            return True
        # no separator declared for the column: pandas' thousands must not occur in it
        return thou is None and not sample[col].str.contains(main[1] or "\0", regex=False).any()

    native = [c for c in info.number_columns if fits_main(c)]
    padded = {c for c in sample.columns if c not in native}
    padded = {
        c
        for c in padded
        if (text_rows := [r[names.index(c)] for r in rows[:200] if names.index(c) < len(r)])
        and any(v != v.strip() for v in text_rows)
    }
    all_names, _ = _unique_names(layout.header, CsvInfo(name="", encoding="", delimiter=sep))
    dtypes: dict[str, str] = {c: "str" for c in all_names if c not in native}
    for col in info.date_columns:  # dates repeat: the parser collects the distinct ones in C
        dtypes[col] = "category"
    markers = sorted({m for v in NA_MARKERS for m in (v, v.upper(), v.title(), v.capitalize())})
    markers += ["k.A.", "K.A.", "#NV", "#N/A", "N/A", "n/a"]
    try:
        df = pd.read_csv(
            io.BytesIO(body_bytes if body_bytes is not None else text[start:end].encode("utf-8")),
            encoding="utf-8",
            sep=sep,
            header=None,
            names=all_names,
            usecols=range(width),
            index_col=False,
            dtype=dtypes,
            decimal=main[0],
            thousands=main[1] or None,
            na_values=markers,
            keep_default_na=False,
            skip_blank_lines=True,
            engine="c",
        )
    except Exception:  # noqa: BLE001 - pandas' message is English; the careful path explains
        return None
    df = df[[c for c in all_names if c in names]]
    maybe_blank = df[names[0]].isna()  # a blank row has no first cell: check only those
    blank = maybe_blank.copy()
    if maybe_blank.any():
        blank[maybe_blank] = df[maybe_blank].isna().all(axis=1)
    if blank.any():
        info.blank_rows += int(blank.sum())
        df = df[~blank].reset_index(drop=True)
    for col in native:
        if df[col].dtype.kind not in "iuf":
            return None
    first = names[0]
    if df[first].dtype.kind not in "iuf" and (df[first] == layout.header[0]).any():
        return None
    for col in names:
        if col in padded and col not in info.number_columns and col not in info.date_columns:
            df[col] = _on_uniques(df[col], lambda u: u.str.strip().replace("", None))
    info.missing_markers = dict(scratch.missing_markers)
    if info.missing_markers:
        info.notes.append("Fehlende Werte in einer Stichprobe der ersten 2.000 Zeilen gezählt.")
    info.rows, info.columns = df.shape
    return _convert_columns(df, info, skip=set(native))


# --------------------------------------------------------------------------- types


def _classify(values: pd.Series) -> Counter[str]:
    """Counts of number evidence kinds; ``bad`` for values that are no number."""
    counts: Counter[str] = Counter()
    rest = values
    for kind, pattern in _EVIDENCE:
        if rest.empty:
            break
        hit = rest.str.match(pattern)
        n = int(hit.sum())
        if n:
            counts[kind] = n
            if kind == "int":
                digits = rest[hit].str.lstrip("+-").str.len()
                counts["bigint"] = int((digits >= 4).sum())
                counts["smallint"] = int((digits <= 3).sum())
            rest = rest[~hit]
    if len(rest):
        counts["bad"] = len(rest)
    return counts


def _is_key_or_year(name: str, values: pd.Series) -> bool:
    if _KEY_NAME.search(name):
        return True
    ints = values[values.str.fullmatch(r"\d{4}")]
    if len(ints) == len(values):
        years = ints.astype(int)
        return bool(((years >= 1800) & (years <= 2199)).all())
    return False


def _detect_formats(
    df: pd.DataFrame,
    info: CsvInfo,
    *,
    decimal: str | None,
    thousands: str | None,
    date_format: str | None,
    sheet: bool = False,
) -> None:
    """Date and number columns with their formats; warnings for the ambiguous ones."""
    from .statsigns import needs_cleaning, strip_decorations

    if decimal is not None and decimal not in (",", "."):
        raise CsvError(f"Als Dezimalzeichen sind nur Komma und Punkt möglich, nicht „{decimal}“.")
    sample = df.head(_SAMPLE_ROWS) if len(df) > _SAMPLE_ROWS + _TAIL_ROWS else df
    if len(df) > _SAMPLE_ROWS + _TAIL_ROWS:
        import pandas as pd

        sample = pd.concat([sample, df.tail(_TAIL_ROWS)])
    evidence: dict[str, Counter[str]] = {}
    cleaned: dict[str, pd.Series] = {}
    formats: Counter[str] = Counter()
    info.number_columns, info.date_columns = [], []
    for col in df.columns:
        values = sample[col].dropna()
        values = values[values != ""]
        if values.empty:
            continue
        if not values.str.contains(r"\d", regex=True).all() and not (
            values.isin(list(STATISTICS_MARKERS)).any()
        ):
            # a cell without any digit that is no statistics sign: text, no number or date
            continue
        fmt = _date_format_of(values, [date_format] if date_format else None)
        if fmt:
            info.date_columns.append(col)
            info.date_formats[col] = fmt
            formats[fmt] += 1
            continue
        if needs_cleaning(values):
            values, _ = strip_decorations(values)
            values = values.dropna()
            if values.empty:
                continue
        if values.str.match(r"^[-+]?0\d").any():  # leading zeros: postcodes, keys
            continue
        counts = _classify(values.astype(str))
        if counts["bad"]:
            continue
        if not sheet and counts["bigint"] and not _is_key_or_year(str(col), values.astype(str)):
            counts["ungrouped"] = counts["bigint"]
        evidence[col] = counts
        cleaned[col] = values.astype(str)
    info.date_format = date_format or (max(formats, key=formats.get) if formats else None)
    info.accounting = any(
        bool(sample[c].dropna().astype(str).str.contains(r"\d-\s*$|€|EUR", regex=True).any())
        for c in evidence
    )
    total: Counter[str] = Counter()
    for counts in evidence.values():
        for kind in ("de", "de_full", "dot_multi", "en", "en_full", "comma_multi", "ungrouped"):
            total[kind] += counts[kind]
        if counts["dot_amb"] and counts["smallint"] and not (counts["en"] or counts["de"]):
            total["dot_groups"] += 1
        if counts["comma_amb"] and counts["smallint"] and not (counts["en"] or counts["de"]):
            total["comma_groups"] += 1
    for col, counts in evidence.items():
        ambiguous = cleaned[col][cleaned[col].str.match(_EVIDENCE[3][1])]
        example = str(ambiguous.iloc[0]) if len(ambiguous) else "12.500"
        decided = _decide_number_format(
            str(col), counts, total, info, decimal, thousands, sheet, example
        )
        if decided is not None and not cleaned[col].str.match(_number_pattern(*decided)).all():
            decided = None
        if decided is not None:
            info.number_columns.append(col)
            info.column_formats[col] = {"decimal": decided[0], "thousands": decided[1]}
    fractional = Counter(
        info.column_formats[c]["decimal"]
        for c in info.number_columns
        if set(evidence[c]) - {"int", "bigint", "smallint", "ungrouped"}
    )
    if decimal:
        info.decimal = decimal
    elif fractional:
        ranked = fractional.most_common()
        info.decimal = (
            ranked[0][0]
            if len(ranked) == 1 or ranked[0][1] > ranked[1][1]
            else ("," if info.delimiter != "," else ".")
        )
    else:
        info.decimal = "," if info.delimiter != "," else "."
    groups = Counter(
        info.column_formats[c]["thousands"]
        for c in info.number_columns
        if info.column_formats[c]["decimal"] == info.decimal and info.column_formats[c]["thousands"]
    )
    info.thousands = (
        (thousands or None)
        if thousands is not None
        else (groups.most_common(1)[0][0] if groups else None)
    )
    grouped: dict[str, list[str]] = {}
    for note in [n for n in info.notes if n.startswith("\0")]:
        _, reason, col = note.split("\0")
        grouped.setdefault(reason, []).append(col)
    info.notes = [n for n in info.notes if not n.startswith("\0")]
    for reason, cols in grouped.items():
        names = ", ".join(f"„{c}“" for c in cols)
        info.notes.append(
            f"{'Spalten' if len(cols) > 1 else 'Spalte'} {names}: Punkt als Dezimalzeichen "
            f"gelesen, weil {reason}. Falls das nicht stimmt: Leseoption „dezimal=komma“ "
            "angeben (Parameter „lesen“)."
        )
    for c in info.number_columns:  # whole-number columns follow the file
        if set(evidence[c]) <= {"int", "bigint", "smallint", "ungrouped"}:
            info.column_formats[c] = {"decimal": info.decimal, "thousands": info.thousands}
    if decimal:
        info.notes.append(
            f"Dezimalzeichen wie angegeben: {_SEP_NAMES[decimal]}"
            + (
                f", Tausendertrennzeichen: {_SEP_NAMES.get(thousands, thousands)}"
                if thousands
                else ""
            )
        )


def _decide_number_format(
    col: str,
    c: Counter[str],
    total: Counter[str],
    info: CsvInfo,
    decimal: str | None,
    thousands: str | None,
    sheet: bool,
    example: str = "12.500",
) -> tuple[str, str | None] | None:
    """(decimal, thousands) of one column, or None if it is no number column.

    Evidence, strongest first: the column's own unambiguous values (``0.125``,
    ``1,5``, ``1.234,5``, 1–2 or ≥ 4 decimals, several groups); ungrouped
    integers of ≥ 4 digits in the column (its writer does not group); small
    integers next to ``d.ddd`` values (a fixed-decimals writer never writes
    ``850``, a grouping one does); a decimal comma elsewhere in the file;
    ungrouped integers elsewhere (not in key or year columns); grouped values
    elsewhere. What stays ambiguous follows the delimiter's convention, with a
    warning that names the column and the override.
    """
    if decimal:
        groups = "." if decimal == "," else ","
        has_groups = (
            c["dot_multi"] + c["dot_amb"] + c["de_full"]
            if decimal == ","
            else (c["comma_multi"] + c["comma_amb"] + c["en_full"])
        )
        thou = (thousands or None) if thousands is not None else (groups if has_groups else None)
        if (decimal == "," and (c["en"] or c["en_full"] or c["comma_multi"])) or (
            decimal == "." and (c["de"] or c["de_full"] or c["dot_multi"])
        ):
            if thou is None or (decimal == "," and c["en"]) or (decimal == "." and c["de"]):
                return None
        return decimal, thou
    de = c["de"] + c["de_full"] + c["dot_multi"]
    en = c["en"] + c["en_full"] + c["comma_multi"]
    if sheet and c["dot_amb"] and not (de or en or c["comma_amb"]):
        # Number cells are written unambiguously (spreadsheets._text), so "21.892" here is a
        # text cell ("Zahl als Text gespeichert") typed by a person: German grouping.
        if not (total["de"] + total["de_full"] + total["dot_multi"]):
            info.warnings.append(
                f"Spalte „{col}“: Zellen mit Text wie „{example}“ sind mehrdeutig. Gelesen "
                "mit Punkt als Tausendertrennzeichen (deutsche Schreibweise, z. B. 12.500 = "
                "zwölftausendfünfhundert). Falls der Punkt ein Dezimalzeichen ist: "
                "Leseoption „dezimal=punkt“ angeben (Parameter „lesen“)."
            )
        return ",", "."
    if sheet and not de:
        return ".", "," if c["comma_multi"] or c["en_full"] else None
    if de and en:
        info.warnings.append(
            f"Spalte „{col}“ mischt Zahlen mit Dezimalkomma und mit Dezimalpunkt; sie bleibt Text. "
            "Mit der Leseoption „dezimal=komma“ oder „dezimal=punkt“ festlegen (Parameter „lesen“)."
        )
        return None
    if de:
        return ",", "." if c["dot_multi"] or c["de_full"] or c["dot_amb"] else None
    if en:
        return ".", "," if c["comma_multi"] or c["en_full"] or c["comma_amb"] else None
    if c["dot_amb"] and c["comma_amb"]:
        info.warnings.append(
            f"Spalte „{col}“ enthält „1.234“ und „1,234“ nebeneinander; sie bleibt Text. "
            "Mit der Leseoption „dezimal=…“ und „tausender=…“ festlegen (Parameter „lesen“)."
        )
        return None
    if c["dot_amb"]:
        if c["ungrouped"] or c["bigint"]:
            reason = "die Spalte ganze Zahlen ab 1.000 ohne Tausenderpunkt enthält"
            choice = (".", None)
        elif c["smallint"]:
            return ",", "."
        elif total["de"] + total["de_full"]:
            return ",", "."
        elif total["ungrouped"]:
            reason = "die Datei ganze Zahlen ab 1.000 ohne Tausenderpunkt enthält"
            choice = (".", None)
        elif total["dot_multi"] + total["dot_groups"]:
            return ",", "."
        else:
            if info.delimiter == ";":
                choice = (",", ".")
                info.warnings.append(
                    f"Spalte „{col}“: Werte wie „{example}“ sind mehrdeutig. Gelesen mit Punkt "
                    "als Tausendertrennzeichen (deutsche Schreibweise, z. B. 12.500 = zwölftausend"
                    "fünfhundert). Falls der Punkt ein Dezimalzeichen ist: Leseoption "
                    "„dezimal=punkt“ angeben (Parameter „lesen“)."
                )
            else:
                choice = (".", None)
                info.warnings.append(
                    f"Spalte „{col}“: Werte wie „{example}“ sind mehrdeutig. Gelesen mit Punkt "
                    "als Dezimalzeichen (z. B. 12.500 = zwölfeinhalb). Falls der Punkt Tausender "
                    "trennt: Leseoption „dezimal=komma“ angeben (Parameter „lesen“)."
                )
            return choice
        info.notes.append(f"\0{reason}\0{col}")  # grouped by reason in _detect_formats
        return choice
    if c["comma_amb"]:
        if c["bigint"] or c["ungrouped"]:
            return ",", None
        if c["smallint"] or total["en"] + total["en_full"] + total["comma_multi"]:
            return ".", ","
        if info.delimiter != ",":
            return ",", None
        info.warnings.append(
            f"Spalte „{col}“: Werte wie „1,234“ sind mehrdeutig. Gelesen mit Komma als "
            "Tausendertrennzeichen. Falls das Komma ein Dezimalzeichen ist: Leseoption "
            "„dezimal=komma“ angeben (Parameter „lesen“)."
        )
        return ".", ","
    return (info.delimiter != "," and "," or "."), None


def _date_format_of(values: pd.Series, candidates: list[str] | None = None) -> str | None:
    if values.empty:  # a header without rows: nothing to recognise
        return None
    for fmt in candidates or list(DATE_FORMATS):
        pattern = DATE_FORMATS.get(fmt)
        if pattern is None:  # declared format we have no pattern for: trust pandas
            import pandas as pd

            parsed = pd.to_datetime(values, format=fmt, errors="coerce")
            return fmt if parsed.notna().all() else None
        if not pattern.match(str(values.iloc[0])):  # cheap look at one value first
            continue
        if values.str.match(pattern).all():
            return fmt
    return None


def _number_pattern(decimal: str, thousands: str | None) -> re.Pattern[str]:
    d = re.escape(decimal)
    if thousands and thousands != " ":
        t = re.escape(thousands)
        return re.compile(rf"^[-+]?(\d{{1,3}}({t}\d{{3}})+|\d+)({d}\d+)?([eE][-+]?\d+)?$")
    return re.compile(rf"^[-+]?(\d+({d}\d*)?|{d}\d+)([eE][-+]?\d+)?$")


def parse_dates(values: pd.Series, fmt: str | None = None, name: str | None = None) -> pd.Series:
    """Dates from German or ISO text; ``fmt`` is detected if not given.

    Two-digit years follow ``TWO_DIGIT_YEAR_PIVOT``; date-times whose time is
    always midnight (Excel's ``01.04.2020 00:00:00``) are dates. Raises
    ``CsvError`` naming the column and an example for text that is no date.
    """
    import numpy as np
    import pandas as pd

    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories.astype(str)
    else:  # dates repeat: work on each distinct value once
        codes, uniques = pd.factorize(values.astype("string"))
    text = pd.Series(uniques, dtype="string").str.strip()
    text = text.mask(text.str.lower().isin(NA_MARKERS))
    present = text.dropna()
    fmt = fmt or _date_format_of(present) or "ISO8601"
    label = name or values.name or "?"
    try:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    except (ValueError, TypeError):
        parsed = pd.Series(pd.NaT, index=text.index)
    bad = text.notna() & parsed.isna()
    taken = parsed.to_numpy()[codes]
    taken[codes < 0] = np.datetime64("NaT")
    result = pd.Series(taken, index=values.index)
    if bad.any():
        examples = ", ".join(f"„{v}“" for v in text[bad].unique()[:3])
        raise CsvError(
            f"Spalte „{label}“ enthält "
            + _values_that(
                int(bad.sum()),
                f"kein gültiges Datum im Format {DATE_FORMAT_NAMES.get(fmt, fmt)}",
                f"keine gültigen Daten im Format {DATE_FORMAT_NAMES.get(fmt, fmt)}",
            )
            + f", z. B. {examples}."
        )
    result.name = values.name
    return result


def _on_uniques(values: pd.Series, func: Any) -> pd.Series:
    """``func`` applied to the distinct values only, then spread back (for repeating text)."""
    import pandas as pd

    codes, uniques = pd.factorize(values)
    mapped = func(pd.Series(uniques, dtype=values.dtype))
    out = pd.Series(mapped.to_numpy()[codes], index=values.index, dtype=values.dtype)
    return out.mask(codes < 0)


def to_numbers(
    values: pd.Series,
    decimal: str = ",",
    thousands: str | None = ".",
    *,
    errors: str = "raise",
    name: str | None = None,
    info: CsvInfo | None = None,
) -> pd.Series:
    """Numbers from text such as ``1.234,5`` (German) or ``1,234.5`` (``decimal="."``).

    Missing-value markers become NaN; official-statistics signs, flags and
    units are handled by ``statsigns.strip_decorations`` (``-`` becomes 0
    unless ``info.dashes == "luecke"``,
    ``.``/``x``/``/``/``…`` gaps; ``1.310p`` is 1310). With ``info``, units and
    notes are recorded there. Text that is no number raises ``CsvError``
    naming the column and examples as written in the file, or becomes NaN with
    ``errors="coerce"``. Returns ``float64``.
    """
    import pandas as pd

    from .statsigns import needs_cleaning, strip_decorations

    label = name or values.name or "?"
    original = values.astype("string").str.strip()
    text = original.mask(original.str.lower().isin(NA_MARKERS))
    if needs_cleaning(text.dropna()):
        compact, deco = strip_decorations(
            text,
            accounting=bool(info and info.accounting),
            dashes_zero=info is None or info.dashes != "luecke",
        )
        if info is not None:
            if deco.unit:
                info.units[str(label)] = deco.unit
            info.notes.extend(deco.describe(str(label)))
    else:
        compact = text
    if thousands == " ":
        thousands = None
    valid = compact.str.match(_number_pattern(decimal, thousands)).fillna(False).astype(bool)
    bad = compact.notna() & ~valid
    if bad.any() and errors == "raise":
        examples = ", ".join(f"„{v}“" for v in original[bad].unique()[:3])
        raise CsvError(
            f"Spalte „{label}“ enthält "
            + _values_that(int(bad.sum()), "keine Zahl", "keine Zahlen")
            + f", z. B. {examples}."
        )
    if thousands:
        compact = compact.str.replace(thousands, "", regex=False)
    if decimal == ",":
        compact = compact.str.replace(",", ".", regex=False)
    result = pd.to_numeric(compact.mask(bad).astype(object), errors="coerce").astype("float64")
    result.name = values.name
    return result


def convert_types(df: pd.DataFrame, info: CsvInfo | dict[str, Any] | None = None) -> pd.DataFrame:
    """Number-like columns to numbers, date-like columns to dates; other columns stay text.

    Whole numbers without gaps become ``int64``, other numbers ``float64``.
    Without ``info`` the settings are detected from the table. Units and
    notes found while converting are added to ``info`` when it is a ``CsvInfo``.
    """
    if info is None:
        info = CsvInfo(name="Tabelle", encoding="utf-8", delimiter=";")
        _detect_formats(df, info, decimal=None, thousands=None, date_format=None)
    if isinstance(info, dict):
        known = set(CsvInfo.__dataclass_fields__)
        info = CsvInfo(**{k: v for k, v in info.items() if k in known})
    out = df.copy()
    out = _convert_columns(out, info)
    out.attrs = dict(df.attrs)
    return out


def _convert_columns(
    out: pd.DataFrame, info: CsvInfo, skip: set[str] | None = None
) -> pd.DataFrame:
    skip = skip or set()
    for col in info.number_columns:
        if col not in out.columns or col in skip:
            continue
        dec, thou = info.number_format(col)
        numbers = to_numbers(out[col], dec, thou, name=col, info=info)
        # beyond 2**53 a float is no longer an exact whole number and int64 would wrap
        if numbers.notna().all() and (numbers % 1 == 0).all() and (numbers.abs() <= 2**53).all():
            numbers = numbers.astype("int64")
        out[col] = numbers
    for col in info.date_columns:
        if col not in out.columns:
            continue
        fmt = info.date_formats.get(col) or info.date_format
        out[col] = parse_dates(out[col], fmt, name=col)
    return out


def _values_that(n: int, one: str, other: str) -> str:
    """``1 Wert, der keine Zahl ist`` / ``3 Werte, die keine Zahlen sind``."""
    if n == 1:
        return f"1 Wert, der {one} ist"
    return f"{count(n, 'Wert', 'Werte')}, die {other} sind"


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
