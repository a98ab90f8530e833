"""Reading CSV files the way German municipalities and open-data portals write them.

One reader for every lab and for uploads. It finds out, or takes as declared:

* the encoding (UTF-8, UTF-8 with byte order mark, UTF-16 from Excel's
  "Unicode-Text", otherwise Windows-1252 via ``charset-normalizer`` limited to
  western code pages, because unrestricted detection often guesses cp1250),
* the delimiter (``;``, ``,``, tab, ``|``) by parsing a sample with each
  candidate and keeping the one whose rows have the header's number of fields
  (the "pattern score" idea of CleverCSV; ``csv.Sniffer`` misreads files with
  decimal commas),
* decimal and thousands separators and the date format of date-like columns,

and cleans what is safe to clean without knowing the meaning of a column:
blank rows, leading/trailing spaces, missing-value markers (``n/a``, ``k.A.``,
``#NV`` …) and header rows repeated in the middle of the file (two exports
pasted together).

``read_csv`` returns every column as text, so a schema decides the types
(``datasets.apply_schema``); ``read_csv(..., convert=True)`` or ``convert_types``
turns number-like and date-like columns into numbers and dates.

A file with a single column is accepted (it is a valid CSV); ``CsvInfo.warnings``
says so, and a caller that needs several columns passes ``min_columns``. A
single-column file whose rows split into several fields fails with a message
about the uneven rows instead.

Every problem raises ``CsvError`` with a German message that names the problem
and, where possible, what to do about it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CsvError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

MAX_BYTES = 20 * 1024 * 1024
"""Default size limit of a CSV file (20 MB)."""

MAX_LINE_CHARS = 1024 * 1024
"""Default limit for one line (1 MB); longer lines are almost never a table."""

DELIMITERS = (";", ",", "\t", "|")
"""Candidate delimiters, in order of preference when several fit equally well."""

NA_MARKERS = frozenset(
    {"", "n/a", "n.a.", "na", "nan", "null", "none", "k.a.", "k. a.", "keine angabe", "#nv", "#n/a"}
)
"""Cell texts that mean "no value" (compared after stripping, case-insensitive).

``-`` and ``.`` are not in the list: in German official statistics ``-`` means
"exactly zero" and ``.`` "unknown or confidential"; a schema decides about them.
"""

STATISTICS_MARKERS = frozenset({"-", "–", ".", "x", "...", "…"})
"""Signs of official statistics in number columns (zero, unknown, confidential, later).

``to_numbers`` and ``convert_types`` treat them as missing numbers; the text
table keeps them, so a lesson can show them.
"""

DELIMITER_NAMES = {";": "Semikolon", ",": "Komma", "\t": "Tabulator", "|": "senkrechter Strich"}
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 mit BOM",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO 8859-1)",
    "iso8859-15": "Latin-9 (ISO 8859-15)",
}
DATE_FORMATS = {
    "%d.%m.%Y": re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$"),
    "%Y-%m-%d": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "%d.%m.%Y %H:%M": re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}:\d{2}$"),
    "ISO8601": re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$"),
}
DATE_FORMAT_NAMES = {
    "%d.%m.%Y": "TT.MM.JJJJ",
    "%Y-%m-%d": "JJJJ-MM-TT (ISO)",
    "%d.%m.%Y %H:%M": "TT.MM.JJJJ hh:mm",
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

# Number patterns; "1.234" alone is ambiguous and decided by the rest of the file.
_NUM_DE = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_NUM_DE_PLAIN = re.compile(r"^[-+]?\d+(,\d+)?$")
_NUM_EN = re.compile(r"^(?=.*\d)[-+]?(\d{1,3}(,\d{3})+|\d*)(\.\d+)?([eE][-+]?\d+)?$")
_NUM_EN_PLAIN = re.compile(r"^(?=.*\d)[-+]?\d*(\.\d+)?([eE][-+]?\d+)?$")
_EVIDENCE_DE = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+,\d+|\d+,(\d{1,2}|\d{4,}))$")
_EVIDENCE_EN = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+\.\d+|\d+\.(\d{1,2}|\d{4,}))$")
_THOUSANDS_DOT = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


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

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (stored in ``DataFrame.attrs["csv_info"]``)."""
        return asdict(self)

    def pandas_options(self) -> dict[str, Any]:
        """The ``pd.read_csv`` arguments that read this file, for teaching and reuse."""
        options: dict[str, Any] = {"sep": self.delimiter, "encoding": self.encoding}
        options["decimal"] = self.decimal
        if self.thousands:
            options["thousands"] = self.thousands
        return options

    def describe(self) -> list[str]:
        """German lines for people: how the file is written and what was cleaned."""
        lines = [
            f"Zeichenkodierung: {ENCODING_NAMES.get(self.encoding, self.encoding)}",
            f"Trennzeichen: {DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))}",
            f"Dezimalzeichen: {'Komma' if self.decimal == ',' else 'Punkt'}"
            + (
                f", Tausendertrennzeichen: {'Punkt' if self.thousands == '.' else 'Komma'}"
                if self.thousands
                else ""
            ),
        ]
        if self.date_format:
            lines.append(
                f"Datumsformat: {DATE_FORMAT_NAMES.get(self.date_format, self.date_format)}"
            )
        lines.append(f"{self.rows} Zeilen, {self.columns} Spalten")
        if self.repeated_headers:
            lines.append(f"Wiederholte Kopfzeilen entfernt: {self.repeated_headers}")
        if self.blank_rows:
            lines.append(f"Leere Zeilen übersprungen: {self.blank_rows}")
        if self.stripped_cells:
            lines.append(f"Zellen mit Leerzeichen am Rand bereinigt: {self.stripped_cells}")
        if self.missing_markers:
            found = ", ".join(f"„{k}“ ({v}×)" for k, v in self.missing_markers.items())
            lines.append(f"Als fehlend erkannt: {found}")
        return lines + list(self.warnings)


# --------------------------------------------------------------------------- reading


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
    min_columns: int = 1,
    max_bytes: int = MAX_BYTES,
    max_line_chars: int = MAX_LINE_CHARS,
    convert: bool = False,
) -> pd.DataFrame:
    """Read a CSV file (path or bytes); all columns as text unless ``convert``.

    Every option left as ``None`` is detected (``thousands=""``: no thousands separator). ``name`` is used in messages
    (default: the file name, or "Upload" for bytes). The detected settings are
    in ``df.attrs["csv_info"]`` (see ``CsvInfo.as_dict``); ``sniff`` returns them
    as a ``CsvInfo``.
    """
    df, info = read_csv_info(
        source,
        name,
        encoding=encoding,
        sep=sep,
        decimal=decimal,
        thousands=thousands,
        date_format=date_format,
        skiprows=skiprows,
        min_columns=min_columns,
        max_bytes=max_bytes,
        max_line_chars=max_line_chars,
    )
    if convert:
        df = convert_types(df, info)
    df.attrs["csv_info"] = info.as_dict()
    return df


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
    min_columns: int = 1,
    max_bytes: int = MAX_BYTES,
    max_line_chars: int = MAX_LINE_CHARS,
) -> tuple[pd.DataFrame, CsvInfo]:
    """``read_csv`` plus the ``CsvInfo``; the text-only table, not converted."""
    raw, label = _read_bytes(source, name, max_bytes)
    _check_binary(raw, label)
    text, enc, bom = _decode(raw, encoding, label)
    del raw
    _check_text(text, label, max_line_chars)
    lines_skipped = 0
    hint = _SEP_HINT.match(text[:10].split("\n", 1)[0].strip())
    if hint:
        sep = sep or hint.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
        lines_skipped = 1
    if skiprows:
        parts = text.split("\n", skiprows)
        text = parts[skiprows] if len(parts) > skiprows else ""
        lines_skipped += skiprows
    if not text.strip():
        raise CsvError(f"Die Datei „{label}“ enthält keine Tabelle (nur leere Zeilen).")
    if sep is None:
        sep = _detect_delimiter(text, label)
    elif len(sep) != 1:
        raise CsvError(f"Das Trennzeichen muss genau ein Zeichen sein, nicht „{sep}“.")
    info = CsvInfo(name=label, encoding=enc, delimiter=sep, bom=bom)
    header, rows = _parse(text, sep, label, info, lines_skipped)
    del text
    if len(header) < min_columns:
        raise CsvError(
            f"In „{label}“ wurde nur {len(header)} Spalte gefunden, erwartet werden mindestens "
            f"{min_columns}. Ist das Trennzeichen richtig? "
            f"Gefundene Kopfzeile: „{_short(sep.join(header))}“"
        )
    df = _frame(header, rows, info)
    info.rows, info.columns = df.shape
    if info.columns == 1:
        info.warnings.append(
            "Die Datei hat nur eine Spalte. Wenn mehrere Spalten erwartet wurden, "
            "stimmt wahrscheinlich das Trennzeichen nicht."
        )
    _detect_formats(df, info, decimal=decimal, thousands=thousands, date_format=date_format)
    return df, info


def _read_bytes(source: str | Path | bytes, name: str | None, max_bytes: int) -> tuple[bytes, str]:
    limit = _megabytes(max_bytes)
    if isinstance(source, bytes | bytearray | memoryview):
        label = name or "Upload"
        if len(source) > max_bytes:
            raise CsvError(
                f"Die Datei „{label}“ ist zu groß ({_megabytes(len(source))}). "
                f"Erlaubt sind höchstens {limit}."
            )
        return bytes(source), label
    path = Path(source)
    label = name or path.name
    if not path.is_file():
        raise CsvError(f"Die Datei „{path}“ gibt es nicht (oder es ist ein Ordner).")
    size = path.stat().st_size
    if size > max_bytes:
        raise CsvError(
            f"Die Datei „{label}“ ist zu groß ({_megabytes(size)}). Erlaubt sind höchstens {limit}."
        )
    try:
        return path.read_bytes(), label
    except OSError as exc:
        raise CsvError(
            f"Die Datei „{label}“ lässt sich nicht öffnen ({exc.strerror or exc})."
        ) from None


def _megabytes(n: int) -> str:
    mb = n / (1024 * 1024)
    text = f"{mb:.1f}" if mb < 10 and not float(mb).is_integer() else f"{mb:.0f}"
    return text.replace(".", ",") + " MB"


def _check_binary(raw: bytes, label: str) -> None:
    if not raw.strip():
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


def _check_text(text: str, label: str, max_line_chars: int) -> None:
    head = text[:2048]
    if _HTML_START.match(head) or re.search(r"<html[\s>]", head, re.IGNORECASE):
        raise CsvError(
            f"Die Datei „{label}“ ist eine Webseite (HTML), keine CSV-Datei. Wahrscheinlich wurde "
            "die Seite des Datenportals gespeichert statt der Datei selbst – bitte den "
            "Download-Link der CSV-Datei verwenden."
        )
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


def _sample(text: str) -> str:
    if len(text) <= _SAMPLE_CHARS:
        return text
    cut = text.rfind("\n", 0, _SAMPLE_CHARS)
    return text[: cut if cut > 0 else _SAMPLE_CHARS]


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


def _detect_delimiter(text: str, label: str) -> str:
    """The candidate whose rows most often have the header's number of fields (> 1)."""
    sample = _sample(text)
    best, best_score = None, 0.0
    for sep in DELIMITERS:
        rows = _rows_for(sample, sep)
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = sum(len(r) == width for r in rows) / len(rows)
        if score > best_score:  # ties keep the earlier (preferred) delimiter
            best, best_score = sep, score
    if best is not None:
        return best
    # No delimiter splits the first line: a single column, or a title line above the table.
    for sep in DELIMITERS:
        rows = _rows_for(sample, sep)[1:]
        if len(rows) >= 2 and len(rows[0]) > 1 and all(len(r) == len(rows[0]) for r in rows):
            raise CsvError(
                f"Die erste Zeile von „{label}“ sieht nicht wie eine Kopfzeile aus: "
                f"Die Zeilen darunter haben {len(rows[0])} Felder "
                f"(getrennt durch {DELIMITER_NAMES[sep]}), die erste nur eines. "
                "Steht über der Tabelle ein Titel? "
                "Dann diese Zeilen überspringen (Option skiprows)."
            )
    return DELIMITERS[0]


def _parse(
    text: str, sep: str, label: str, info: CsvInfo, lines_skipped: int
) -> tuple[list[str], list[list[str]]]:
    """Header and data rows; repeated headers and blank rows dropped, ragged rows rejected."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_CHARS * 2))
    # strict: an unclosed quote fails instead of swallowing the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    ragged: list[tuple[int, int]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                if header is not None:
                    info.blank_rows += 1
                continue
            if header is None:
                header = [cell.strip() for cell in row]
                while len(header) > 1 and header[-1] == "":
                    header.pop()  # trailing delimiters (Excel) are not columns
                width = len(header)
                stripped_header = header
                continue
            if len(row) > width and not any(c.strip() for c in row[width:]):
                row = row[:width]
            if len(row) != width:
                ragged.append((reader.line_num + lines_skipped, len(row)))
                if len(ragged) >= 3:
                    break
                continue
            if [c.strip() for c in row] == stripped_header:
                info.repeated_headers += 1
                continue
            rows.append(row)
    except csv.Error:
        raise CsvError(
            f"„{label}“ lässt sich ab Zeile {reader.line_num + lines_skipped} nicht als CSV lesen: "
            "Die Anführungszeichen passen nicht zusammen (oft ist eines nicht geschlossen)."
        ) from None
    if header is None:
        raise CsvError(f"Die Datei „{label}“ enthält keine Tabelle (nur leere Zeilen).")
    if ragged:
        where = "; ".join(f"Zeile {line} hat {n}" for line, n in ragged)
        raise CsvError(
            f"Die Zeilen in „{label}“ sind ungleich lang: Die Kopfzeile hat {width} Felder "
            f"(Trennzeichen: {DELIMITER_NAMES.get(sep, sep)}), aber {where}. "
            "Stehen unter der Tabelle Anmerkungen, oder fehlen Anführungszeichen "
            "um Texte mit Trennzeichen?"
        )
    return header, rows


def _frame(header: list[str], rows: list[list[str]], info: CsvInfo) -> pd.DataFrame:
    import pandas as pd

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


# --------------------------------------------------------------------------- types


def _detect_formats(
    df: pd.DataFrame,
    info: CsvInfo,
    *,
    decimal: str | None,
    thousands: str | None,
    date_format: str | None,
) -> None:
    sample = df.head(_SAMPLE_ROWS)
    values = [v for col in sample.columns for v in sample[col].dropna().tolist()]
    if decimal is None:
        de = sum(1 for v in values if _EVIDENCE_DE.match(v))
        en = sum(1 for v in values if _EVIDENCE_EN.match(v))
        decimal = "," if de > en or (de == en and info.delimiter != ",") else "."
    if decimal not in (",", "."):
        raise CsvError(f"Als Dezimalzeichen sind nur Komma und Punkt möglich, nicht „{decimal}“.")
    info.decimal = decimal
    if thousands is None:  # "" declares "no thousands separator"
        pattern = _THOUSANDS_DOT if decimal == "," else _THOUSANDS_COMMA
        thousands = (
            ("." if decimal == "," else ",") if any(pattern.match(v) for v in values) else None
        )
    info.thousands = thousands or None
    formats: dict[str, int] = {}
    for col in df.columns:
        col_values = sample[col].dropna()
        if col_values.empty:
            continue
        fmt = date_format or _date_format_of(col_values)
        if fmt and _date_format_of(col_values, [fmt]) == fmt:
            info.date_columns.append(col)
            formats[fmt] = formats.get(fmt, 0) + 1
        elif _numbers_ok(df[col], decimal, info.thousands):
            info.number_columns.append(col)
    info.date_format = date_format or (max(formats, key=formats.get) if formats else None)


def _date_format_of(values: pd.Series, candidates: list[str] | None = None) -> str | None:
    for fmt in candidates or list(DATE_FORMATS):
        pattern = DATE_FORMATS.get(fmt)
        if pattern is None:  # declared format we have no pattern for: trust pandas
            import pandas as pd

            parsed = pd.to_datetime(values, format=fmt, errors="coerce")
            return fmt if parsed.notna().all() else None
        if values.str.match(pattern).all():
            return fmt
    return None


def _number_pattern(decimal: str, thousands: str | None) -> re.Pattern[str]:
    if decimal == ",":
        return _NUM_DE if thousands == "." else _NUM_DE_PLAIN
    return _NUM_EN if thousands == "," else _NUM_EN_PLAIN


def _numbers_ok(values: pd.Series, decimal: str, thousands: str | None) -> bool:
    text = values.dropna().str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    text = text[(text != "") & ~text.isin(STATISTICS_MARKERS)]
    if not len(text) or text.str.match(r"^0\d").any():  # leading zeros: postcodes, keys
        return False
    return bool(text.str.match(_number_pattern(decimal, thousands)).all())


def to_numbers(
    values: pd.Series,
    decimal: str = ",",
    thousands: str | None = ".",
    *,
    errors: str = "raise",
    name: str | None = None,
) -> pd.Series:
    """Numbers from text such as ``1.234,5`` (German) or ``1,234.5`` (``decimal="."``).

    Missing-value markers become NaN. Text that is no number raises ``CsvError``
    naming the column and examples, or becomes NaN with ``errors="coerce"``.
    """
    import pandas as pd

    text = values.astype("string").str.strip()
    text = text.mask(text.str.lower().isin(NA_MARKERS) | text.isin(STATISTICS_MARKERS))
    compact = text.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    valid = compact.str.match(_number_pattern(decimal, thousands)).fillna(False).astype(bool)
    bad = compact.notna() & ~valid
    if bad.any() and errors == "raise":
        examples = ", ".join(f"„{v}“" for v in compact[bad].unique()[:3])
        label = name or values.name or "?"
        raise CsvError(
            f"Spalte „{label}“ enthält {int(bad.sum())} Werte, die keine Zahlen sind, "
            f"z. B. {examples}."
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
    Without ``info`` the settings are detected from the table.
    """
    import pandas as pd

    if info is None:
        info = CsvInfo(name="Tabelle", encoding="utf-8", delimiter=";")
        _detect_formats(df, info, decimal=None, thousands=None, date_format=None)
    if isinstance(info, dict):
        info = CsvInfo(**info)
    out = df.copy()
    for col in info.number_columns:
        if col not in out.columns:
            continue
        numbers = to_numbers(out[col], info.decimal, info.thousands, name=col)
        if numbers.notna().all() and (numbers % 1 == 0).all():
            numbers = numbers.astype("int64")
        out[col] = numbers
    for col in info.date_columns:
        if col not in out.columns:
            continue
        fmt = _date_format_of(out[col].dropna()) or info.date_format
        try:
            out[col] = pd.to_datetime(out[col], format=fmt)
        except (ValueError, TypeError):
            raise CsvError(
                f"Spalte „{col}“ enthält Werte, die kein Datum im Format "
                f"{DATE_FORMAT_NAMES.get(fmt or '', fmt)} sind."
            ) from None
    out.attrs = dict(df.attrs)
    return out


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
