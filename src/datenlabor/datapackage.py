"""Frictionless data packages for a municipality's own files: schema, licence, atomic folder.

``datenlabor daten holen`` (``portal``) and ``datenlabor daten beschreiben``
share this module:

* ``infer_schema`` reads a CSV file with the project's German reader
  (``csvfiles``: ``;``, decimal comma, thousands dot, Windows-1252, statistics
  signs) and writes the findings as a Frictionless Table Schema and CSV dialect
  (``decimalChar``, ``groupChar``, date ``format``, ``missingValues``), then
  checks the result with ``frictionless`` itself. A column frictionless cannot
  read the way the German reader does is declared as text and its description
  says why, so the package always validates.
* ``find_licence`` maps the licence identifiers of DCAT-AP.de
  (``http://dcat-ap.de/def/licenses/dl-by-de/2.0``), GovData's licence pages,
  CKAN licence ids and SPDX ids to one ``Licence`` (SPDX id, German title,
  link, whether attribution is required).
* ``write_package_folder`` writes a package folder atomically: everything goes
  into a hidden temporary folder next to the target, which is renamed at the
  end; an existing package is only replaced when asked to.

Sources: Frictionless Data Package and Table Schema specifications (v1),
DCAT-AP.de licence vocabulary (https://www.dcat-ap.de/def/licenses/), the
licence texts of GovData (https://www.govdata.de/lizenzen).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import PortalError

FIELD_PLACEHOLDER = "Bitte ergänzen: Was steht in dieser Spalte, in welcher Einheit?"
"""Description left for the person who documents the file (German, shown in the package)."""

VALIDATE_ROWS = 20_000
"""Rows frictionless checks against the inferred schema (all of a typical municipal file;
a 20 MB file of 500,000 rows took 49 s to validate in full on the 2-core test machine)."""

DESCRIPTION_PLACEHOLDER = (
    "Bitte ergänzen: Was enthält der Datensatz, wer hat ihn erhoben, für welchen Zeitraum und "
    "welches Gebiet gilt er, wie oft wird er aktualisiert?"
)


@dataclass(frozen=True)
class Licence:
    """One licence: SPDX id, German title, link to the text, short GovData name."""

    name: str
    title: str
    path: str
    short: str
    attribution: bool
    aliases: tuple[str, ...] = ()

    def descriptor(self) -> dict[str, str]:
        """The entry of the package's ``licenses`` list."""
        return {"name": self.name, "title": self.title, "path": self.path}


LICENCES: tuple[Licence, ...] = (
    Licence(
        "DL-DE-BY-2.0",
        "Datenlizenz Deutschland – Namensnennung – Version 2.0",
        "https://www.govdata.de/dl-de/by-2-0",
        "dl-de/by-2-0",
        True,
        ("dl-by-de/2.0", "dl-de-by-2.0", "dl-de-by-2-0", "dl-de/by-2.0"),
    ),
    Licence(
        "DL-DE-ZERO-2.0",
        "Datenlizenz Deutschland – Zero – Version 2.0",
        "https://www.govdata.de/dl-de/zero-2-0",
        "dl-de/zero-2-0",
        False,
        ("dl-zero-de/2.0", "dl-de-zero-2.0", "dl-de-zero-2-0", "dl-de/zero-2.0"),
    ),
    Licence(
        "DL-DE-BY-1.0",
        "Datenlizenz Deutschland – Namensnennung – Version 1.0",
        "https://www.govdata.de/dl-de/by-1-0",
        "dl-de/by-1-0",
        True,
        ("dl-by-de/1.0", "dl-de-by-1.0", "dl-de-by-1-0"),
    ),
    Licence(
        "CC-BY-4.0",
        "Creative Commons Namensnennung 4.0 International (CC BY 4.0)",
        "https://creativecommons.org/licenses/by/4.0/",
        "cc-by-4.0",
        True,
        ("cc-by/4.0", "creativecommons.org/licenses/by/4.0", "cc by 4.0"),
    ),
    Licence(
        "CC-BY-SA-4.0",
        "Creative Commons Namensnennung – Weitergabe unter gleichen Bedingungen 4.0 (CC BY-SA 4.0)",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "cc-by-sa-4.0",
        True,
        ("cc-by-sa/4.0", "creativecommons.org/licenses/by-sa/4.0", "cc by-sa 4.0"),
    ),
    Licence(
        "CC-BY-3.0-DE",
        "Creative Commons Namensnennung 3.0 Deutschland (CC BY 3.0 DE)",
        "https://creativecommons.org/licenses/by/3.0/de/",
        "cc-by-de-3.0",
        True,
        ("cc-by-de/3.0", "creativecommons.org/licenses/by/3.0/de"),
    ),
    Licence(
        "CC0-1.0",
        "Creative Commons Zero 1.0 – gemeinfrei (CC0 1.0)",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "cc0",
        False,
        ("cc-zero", "cc0-1.0", "cc-zero/1.0", "creativecommons.org/publicdomain/zero/1.0"),
    ),
    Licence(
        "ODbL-1.0",
        "Open Database License 1.0 (ODbL)",
        "https://opendatacommons.org/licenses/odbl/1-0/",
        "odbl",
        True,
        ("odbl-1.0", "opendatacommons.org/licenses/odbl/1-0", "opendatacommons.org/licenses/odbl"),
    ),
)
"""The licences GovData recommends for open government data, with the spellings portals use."""

NOT_SPECIFIED = frozenset({"", "notspecified", "license-not-specified", "not-specified", "none"})
"""CKAN licence ids that mean "no licence given"."""


def _licence_key(text: str) -> str:
    key = text.strip().lower()
    key = re.sub(r"^https?://", "", key)
    key = key.removeprefix("www.").rstrip("/")
    for prefix in ("dcat-ap.de/def/licenses/", "govdata.de/"):
        key = key.removeprefix(prefix)
    return key


_LICENCE_INDEX: dict[str, Licence] = {}
for _lic in LICENCES:
    for _alias in (_lic.name, _lic.short, _lic.path, *_lic.aliases):
        _LICENCE_INDEX[_licence_key(_alias)] = _lic


def find_licence(value: str | None) -> Licence | None:
    """The known licence for an identifier, URI or link; ``None`` if unknown or empty.

    Accepts DCAT-AP.de URIs (``http://dcat-ap.de/def/licenses/dl-zero-de/2.0``),
    GovData links (``https://www.govdata.de/dl-de/by-2-0``), CKAN ids
    (``dl-de-by-2.0``, ``cc-zero``), SPDX ids (``CC-BY-4.0``) and the short
    names ``dl-de/by-2-0``, ``dl-de/zero-2-0``; case and ``http``/``https`` do
    not matter.
    """
    if not value:
        return None
    return _LICENCE_INDEX.get(_licence_key(value))


def licence_names() -> str:
    """The short names users type after ``--lizenz`` (for help texts and messages)."""
    return ", ".join(lic.short for lic in LICENCES)


def licence_from_option(value: str) -> Licence:
    """The licence a user named with ``--lizenz``; ``PortalError`` (German) if unknown."""
    lic = find_licence(value)
    if lic is None:
        raise PortalError(f"Die Lizenz „{value}“ ist unbekannt. Möglich sind: {licence_names()}.")
    return lic


def attribution_text(
    licence: Licence | None, publisher: str, title: str, link: str, given: str = ""
) -> str:
    """The attribution note the licence asks for (German), or a voluntary source note.

    dl-de/by-2-0 asks for the provider ("Bereitsteller"), the provider's own
    attribution text if there is one, the licence name with a link and a link
    to the data; CC BY asks for the same in substance. ``given`` is the
    provider's own text (DCAT-AP.de ``dcatde:licenseAttributionByText``) and is
    used as it is.
    """
    if given:
        text = given.strip()
    else:
        text = f"{publisher or 'Bereitsteller unbekannt'}: {title}"
        if link:
            text += f" ({link})"
    if licence is not None:
        text += f", {licence.title}, {licence.path}"
    return text


# --------------------------------------------------------------------------- schema

_DECIMAL = {",": "Dezimalkomma", ".": "Dezimalpunkt"}
_GROUP = {
    ".": "Tausenderpunkt",
    ",": "Tausenderkomma",
    " ": "Leerzeichen als Tausendertrennzeichen",
}
_FRICTIONLESS_DATE = {"%Y-%m-%d": "default", "ISO8601": "any"}


def slug(text: str, fallback: str = "datensatz") -> str:
    """A Frictionless-friendly name: lower case a-z, digits and ``-`` (umlauts transliterated)."""
    text = text.strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:80].strip("-") or fallback


@dataclass
class Inferred:
    """A resource descriptor inferred from a file, and what the reader found (German lines)."""

    resource: dict[str, Any]
    findings: list[str]
    personal: dict[str, str] = dc_field(default_factory=dict)
    """Columns that look like personal data (``personal.personal_columns``: column -> why)."""


def infer_resource(
    path: Path, name: str, title: str = "", lesen: str = "", max_bytes: int | None = None
) -> Inferred:
    """Resource descriptor (path, format, encoding, dialect, bytes, hash, schema) of a CSV file.

    ``path`` is read with ``csvfiles.read_csv`` (``lesen``: read options as in
    the labs). Column types come from the reader: whole numbers ``integer``
    (``number`` with ``groupChar`` when a value has a thousands separator,
    because Frictionless integers have none), other numbers ``number`` with
    the file's ``decimalChar``, dates ``date``/``datetime`` with their
    ``format``, everything else ``string``. Statistics signs and missing-value
    markers found in number columns become ``missingValues``; the field's
    description says what the reader makes of them (``-`` is zero there).
    Raises ``CsvError`` (German) if the file is not a readable table.
    """
    import pandas as pd

    from .csvfiles import NA_MARKERS, CsvInfo, configured_max_bytes, read_csv
    from .statsigns import SIGNS

    max_bytes = max_bytes or configured_max_bytes()
    typed = read_csv(path, max_bytes=max_bytes, lesen=lesen, convert=True)
    info = CsvInfo(
        **{k: v for k, v in typed.attrs["csv_info"].items() if k in CsvInfo.__dataclass_fields__}
    )
    raw = _cell_texts(path, info, typed, max_bytes, lesen)
    fields: list[dict[str, Any]] = []
    missing: set[str] = {""}
    for marker in info.missing_markers:
        missing.add(marker)
    for col in typed.columns:
        series, text = typed[col], raw[col]
        field: dict[str, Any] = {"name": str(col)}
        notes: list[str] = []
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            decimal, group = info.number_format(col)
            values = pd.Series(pd.unique(text.dropna().astype(str))).str.strip()
            signs = sorted(set(values[values.isin(list(SIGNS))]))
            missing.update(signs)
            for sign in signs:
                zero = "als 0 gelesen" if SIGNS[sign].zero else "als Lücke gelesen"
                notes.append(f"„{sign}“ bedeutet {SIGNS[sign].meaning} ({zero}).")
            numbers = values[~values.isin(list(SIGNS)) & ~values.str.lower().isin(NA_MARKERS)]
            grouped = bool(group) and numbers.str.contains(re.escape(group), regex=True).any()
            if pd.api.types.is_integer_dtype(series) and not grouped:
                field["type"] = "integer"
            else:
                field["type"] = "number"
                if decimal != ".":
                    field["decimalChar"] = decimal
                if grouped:
                    field["groupChar"] = group
                    notes.append(f"Zahl mit {_GROUP.get(group, group)}.")
                if decimal != "." and numbers.str.contains(re.escape(decimal)).any():
                    notes.append(f"Zahl mit {_DECIMAL[decimal]}.")
            unit = info.units.get(col)
            if unit:
                field["bareNumber"] = False
                notes.append(f"Einheit laut Datei: {unit}.")
        elif pd.api.types.is_datetime64_any_dtype(series):
            fmt = info.date_formats.get(col) or info.date_format or "%Y-%m-%d"
            timed = bool((series.dropna() != series.dropna().dt.normalize()).any())
            field["type"] = "datetime" if timed or "%H" in fmt or fmt == "ISO8601" else "date"
            field["format"] = _FRICTIONLESS_DATE.get(fmt, fmt)
        else:
            field["type"] = "string"
        field["description"] = " ".join([*notes, FIELD_PLACEHOLDER])
        fields.append(field)
    data = path.read_bytes()
    resource: dict[str, Any] = {
        "name": name,
        "title": title or path.stem,
        "path": path.name,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": info.encoding,
        "bytes": len(data),
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
    }
    dialect: dict[str, Any] = {"delimiter": info.delimiter}
    if info.header_line > 1 or info.header_rows > 1:
        dialect["headerRows"] = list(range(info.header_line, info.header_line + info.header_rows))
        if info.header_rows > 1:
            dialect["headerJoin"] = " "
    resource["dialect"] = dialect
    schema: dict[str, Any] = {"fields": fields}
    if missing != {""}:
        schema["missingValues"] = sorted(missing, key=lambda m: (m != "", m))
    resource["schema"] = schema
    findings = info.describe()
    if "Tabulatoren und Leerzeichen am Zeilenende entfernt" in info.notes and fields:
        findings.append(
            "Achtung: Frictionless und andere Programme entfernen diese Zeichen nicht; sie "
            f"lesen sie als Teil der letzten Spalte „{fields[-1]['name']}“ (z. B. ein "
            "Tabulator am Ende jeder Adresse). Das Datenlabor liest die Datei ohne sie."
        )
    _make_frictionless_agree(resource, path.parent, findings, raw)
    from .personal import personal_columns

    return Inferred(resource, findings, personal_columns(typed))


def _cell_texts(path: Path, info: Any, typed: Any, max_bytes: int, lesen: str) -> Any:
    """The cells as written in the file (text), with the columns and rows of ``typed``.

    Read with pandas' C parser in the dialect the German reader found (fast for
    large files); if that does not give the same columns and rows (titles,
    footnotes, blank lines, a header of several rows), through the German
    reader itself (``csvfiles.read_csv_info``, exact but slower).
    """
    import pandas as pd

    from .csvfiles import read_csv_info

    try:
        raw = pd.read_csv(
            path,
            sep=info.delimiter,
            encoding=info.encoding,
            dtype=str,
            keep_default_na=False,
            skiprows=info.header_line - 1,
            header=list(range(info.header_rows)) if info.header_rows > 1 else 0,
            engine="c",
        )
        if raw.shape[1] < typed.shape[1] or len(raw) != len(typed):  # footers, blank rows …
            raise ValueError("another table than the German reader's")
        raw = raw.iloc[:, : typed.shape[1]]
        raw.columns = typed.columns
        return raw
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
        from .csvfiles import parse_read_options

        return read_csv_info(path, max_bytes=max_bytes, **parse_read_options(lesen))[0]


def _make_frictionless_agree(
    resource: dict[str, Any], folder: Path, findings: list[str], raw: Any
) -> None:
    """Validate with frictionless; a field it reads differently becomes text, and says why.

    Only cells that belong to the table as the German reader sees it count
    against a field; errors in rows the reader skips (titles, footnotes) are
    summed up in one German note instead.
    """
    for _ in range(3):
        errors = _frictionless_errors(resource, folder)
        if not errors:
            return
        columns = set(map(str, raw.columns))
        bad = {
            name
            for name, cell in errors
            if name in columns and cell in set(raw[name].dropna().astype(str).str.strip())
        }
        changed = False
        for field in resource["schema"]["fields"]:
            if field["name"] in bad and field["type"] != "string":
                kind = {"integer": "Ganzzahlen", "number": "Zahlen"}.get(field["type"], "Daten")
                for key in ("decimalChar", "groupChar", "bareNumber", "format"):
                    field.pop(key, None)
                field["type"] = "string"
                field["description"] = (
                    f"Enthält {kind} in einer Schreibweise, die Frictionless nicht lesen kann; "
                    "datenlabor.read_csv liest sie richtig. " + field["description"]
                )
                changed = True
        if not changed:
            findings.append(
                f"Hinweis: Frictionless meldet {len(errors)} Stelle(n), die es anders liest als "
                "das Datenlabor (etwa Zeilen über oder unter der Tabelle). Die Beschreibung gilt "
                "für die Tabelle, wie das Datenlabor sie liest."
            )
            return


def _frictionless_errors(resource: dict[str, Any], folder: Path) -> list[tuple[str, str]]:
    """``(field name, cell text)`` of each error frictionless finds (``""`` if not a cell); [] if valid."""
    import frictionless

    descriptor = {k: v for k, v in resource.items() if k != "title"}
    try:
        res = frictionless.Resource(descriptor, basepath=str(folder))
        report = res.validate(limit_errors=1000, limit_rows=VALIDATE_ROWS)
    except Exception:  # noqa: BLE001 - frictionless raises many kinds; we report, not crash
        return [("", "")]
    if report.valid:
        return []
    found: list[tuple[str, str]] = []
    for task in report.tasks:
        for error in task.errors:
            cell = getattr(error, "cell", "")
            found.append((getattr(error, "field_name", "") or "", str(cell or "").strip()))
    found.extend(("", "") for _ in report.errors)
    return found or [("", "")]


# --------------------------------------------------------------------------- writing


def now_iso() -> str:
    """The current time as ISO 8601 in UTC, seconds precision (``created`` of a package)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def package_json(descriptor: dict[str, Any]) -> str:
    """The descriptor as pretty, UTF-8 JSON text with a final newline."""
    return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"


def check_target(target: Path, replace: bool) -> None:
    """Refuse before any work: parent folder missing, or target exists and ``replace`` is False."""
    if not target.parent.is_dir():
        raise PortalError(f"Den Ordner „{target.parent}“ gibt es nicht.")
    if target.exists() and not replace:
        raise PortalError(
            f"„{target}“ gibt es schon. Mit --ersetzen wird es ersetzt, "
            "oder mit --ziel einen anderen Ordner wählen."
        )
    if target.exists() and not target.is_dir():
        raise PortalError(f"„{target}“ ist eine Datei, kein Ordner.")


def write_package_folder(
    target: Path, fill: Callable[[Path], dict[str, Any]], replace: bool = False
) -> dict[str, Any]:
    """Create the package folder ``target`` atomically; ``fill(tmp)`` writes files, returns the descriptor.

    ``fill`` gets a hidden temporary folder next to ``target`` and puts the
    data file(s) there; the returned descriptor is written as
    ``datapackage.json`` and the folder is renamed to ``target``. On any
    failure (also Ctrl+C) the temporary folder is removed and nothing is left
    behind; an existing ``target`` is only replaced with ``replace=True``, and
    then swapped in one rename after the new folder is complete.
    Raises ``PortalError`` (German) when ``target`` exists without ``replace``.
    """
    target = Path(target)
    check_target(target, replace)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", suffix=".tmp", dir=target.parent))
    old: Path | None = None
    try:
        descriptor = fill(tmp)
        (tmp / "datapackage.json").write_text(package_json(descriptor), encoding="utf-8")
        if target.exists():
            if not replace:  # appeared meanwhile
                check_target(target, replace)
            old = target.with_name(f".{target.name}-alt-{os.getpid()}.tmp")
            os.rename(target, old)
        os.rename(tmp, target)
    except BaseException:
        if old is not None and not target.exists():
            os.rename(old, target)
            old = None
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return descriptor


def write_file_atomic(path: Path, text: str, replace: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file; refuse to overwrite unless asked."""
    path = Path(path)
    if path.exists() and not replace:
        raise PortalError(f"„{path}“ gibt es schon. Mit --ersetzen wird die Datei ersetzt.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the file appeared meanwhile
            os.unlink(tmp)
    except FileExistsError:
        Path(tmp).unlink(missing_ok=True)
        raise PortalError(
            f"„{path}“ gibt es schon. Mit --ersetzen wird die Datei ersetzt."
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
