"""Upload plumbing for apps: size check, reading with ``csvfiles``, a quality profile.

Privacy rule: an uploaded file stays in the kernel's memory for the time it
takes to read it. It is never written to disk, never logged (errors are logged
by type name only, because messages may quote cell contents) and not kept in a
module global; the upload widget is emptied after each file. What stays is the
profile and preview shown to the person who uploaded it, in their session.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from .csvfiles import CsvInfo, convert_types, read_csv_info
from .errors import CsvError, DatenlaborError
from .formatting import cell, decimal, plain_column

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

MAX_UPLOAD_MB = 2.0
"""Largest upload the apps accept; the page states it next to the button."""

PREVIEW_ROWS = 10
OUTLIER_FACTOR = 3.0
"""Values further than this many interquartile ranges outside the middle half count as outliers."""

GENERIC_ERROR = (
    "Die Datei ließ sich nicht auswerten. Bitte prüfen, ob es eine CSV-Datei ist, "
    "oder eine andere Datei wählen."
)
ACCEPT = ".csv,text/csv,.xlsx,.ods"
"""CSV files and spreadsheets (``csvfiles`` reads both with the same German layer)."""


def _megabytes_text(mb: float) -> str:
    return f"{decimal(mb, 1)} MB"


def check_upload(
    value: Sequence[Mapping[str, Any]] | Mapping[str, Any], max_mb: float = MAX_UPLOAD_MB
) -> tuple[str, bytes]:
    """Name and bytes of the one uploaded file, after the size check (before any parsing).

    ``value`` is ``ipywidgets.FileUpload.value`` (a tuple of dicts with ``name``
    and ``content``) or one such dict. The size is measured on the content,
    not taken from the browser's claim.
    """
    items = [value] if isinstance(value, Mapping) else list(value or ())
    if not items:
        raise CsvError("Es wurde keine Datei hochgeladen.")
    if len(items) > 1:
        raise CsvError("Bitte nur eine Datei auf einmal hochladen.")
    item = items[0]
    name = PurePath(str(item.get("name") or "Upload")).name[:120] or "Upload"
    content = item.get("content")
    if content is None:
        raise CsvError(f"Die Datei „{name}“ ist leer.")
    size = content.nbytes if isinstance(content, memoryview) else len(content)
    if size > max_mb * 1_000_000:  # decimal MB, as file managers show sizes
        raise CsvError(
            f"Die Datei „{name}“ ist zu groß ({_megabytes_text(size / 1_000_000)}). "
            f"Erlaubt sind höchstens {_megabytes_text(max_mb)}."
        )
    return name, bytes(content)


def read_upload(
    value: Sequence[Mapping[str, Any]] | Mapping[str, Any], max_mb: float = MAX_UPLOAD_MB
) -> tuple[pd.DataFrame, CsvInfo]:
    """The uploaded CSV or spreadsheet as a typed table (numbers, dates) plus the findings.

    Warnings of the reader (an ambiguous number column) are in ``info.warnings``
    and shown in the report; units found in number columns in ``info.units``.
    """
    name, raw = check_upload(value, max_mb)
    df, info = read_csv_info(raw, name, max_bytes=int(max_mb * 1_000_000))
    del raw
    return convert_types(df, info), info


def outliers(values: pd.Series, factor: float = OUTLIER_FACTOR) -> pd.Series:
    """True for numbers far outside the middle half (interquartile-range rule)."""
    q1, q3 = values.quantile(0.25), values.quantile(0.75)
    spread = q3 - q1
    return (values < q1 - factor * spread) | (values > q3 + factor * spread)


TYPE_LABELS = {"i": "Ganzzahl", "u": "Ganzzahl", "f": "Zahl", "M": "Datum", "b": "Ja/Nein"}


def quality_profile(df: pd.DataFrame, units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per column: type, filled and missing cells, distinct values, outliers.

    ``units`` (column -> ``%``, ``€`` …, default: those the reader found, from
    ``df.attrs["csv_info"]``) adds a column "Einheit" when any column has one.
    """
    import pandas as pd

    if units is None:
        units = (df.attrs.get("csv_info") or {}).get("units") or {}
    rows = []
    n = len(df)
    for col in df.columns:
        values = df[col]
        missing = int(values.isna().sum())
        kind = TYPE_LABELS.get(values.dtype.kind, "Text")
        numeric = values.dtype.kind in "iuf"
        example = values.dropna().iloc[0] if missing < n else None
        rows.append(
            {
                "Spalte": str(col),
                "Typ": kind,
                "Gefüllt": n - missing,
                "Fehlend": missing,
                "Fehlend in %": round(100 * missing / n, 1) if n else 0.0,
                "Verschiedene Werte": int(values.nunique(dropna=True)),
                "Ausreißer": int(outliers(values.dropna()).sum()) if numeric else None,
                "Beispiel": cell(example, plain=plain_column(col)),
            }
        )
    profile = pd.DataFrame(rows)
    profile["Ausreißer"] = profile["Ausreißer"].astype("Int64")
    if units and len(profile):
        profile.insert(2, "Einheit", [units.get(str(c), "") for c in df.columns])
    return profile


def quality_summary(df: pd.DataFrame, info: CsvInfo | None = None) -> dict[str, int]:
    """Key counts for the whole table, with German names as keys."""
    numeric = df.select_dtypes("number")
    summary = {
        "Zeilen": int(len(df)),
        "Spalten": int(df.shape[1]),
        "Leere Zellen": int(df.isna().sum().sum()),
        "Doppelte Zeilen": int(df.duplicated().sum()),
        "Ausreißer in Zahlenspalten": int(
            sum(outliers(numeric[c].dropna()).sum() for c in numeric.columns)
        ),
    }
    if info is not None:
        summary["Wiederholte Kopfzeilen entfernt"] = info.repeated_headers
    return summary


_CLI_EXAMPLE = ', z. B. -p lesen "striche=luecke"'
"""The command-line example in the note about ``-`` read as 0; an app visitor has no command line."""


def _column_cells(values: pd.Series, plain: bool) -> list[str]:
    """One column's cells; whole numbers grouped alike (``5.998`` next to ``24.050``)."""
    import pandas as pd

    from .formatting import integer

    if not plain and values.dtype.kind in "iu" and values.notna().any():
        group_from = 4 if values.dropna().abs().max() >= 10_000 else 5
        return [cell(v) if pd.isna(v) else integer(v, group_from) for v in values]
    return [cell(v, plain=plain) for v in values]


def table_html(df: pd.DataFrame, caption: str, css_class: str = "datenlabor-tabelle") -> str:
    """An accessible HTML table (caption, column headers), cells escaped and German-formatted."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in df.columns)
    shown = [_column_cells(df[c], plain_column(c)) for c in df.columns] if len(df.columns) else []
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(col[i])}</td>" for col in shown) + "</tr>"
        for i in range(len(df))
    )
    return (
        f'<table class="{css_class}"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def report_html(
    df: pd.DataFrame,
    info: CsvInfo | None,
    title: str,
    preview_rows: int = PREVIEW_ROWS,
    visitor: bool = False,
) -> str:
    """Findings, quality profile and a cleaned preview as one HTML block.

    ``visitor``: for an uploaded file, findings suggest what to do without read options.
    """
    summary = quality_summary(df, info)
    items = "".join(
        f"<li>{html.escape(k)}: {html.escape(cell(v))}</li>" for k, v in summary.items()
    )
    found = ""
    if info is not None:
        found = "".join(
            f"<li>{html.escape(for_visitors(line) if visitor else line.replace(_CLI_EXAMPLE, ''))}</li>"
            for line in info.describe()
        )
        found = f"<h4>So ist die Datei geschrieben</h4><ul>{found}</ul>"
    from .personal import DSGVO_NOTE, personal_columns

    flagged = personal_columns(df)
    personal = ""
    if flagged:
        rows = "".join(
            f"<li>„{html.escape(col)}“: {html.escape(why)}</li>" for col, why in flagged.items()
        )
        personal = (
            f"<h4>Möglicher Personenbezug</h4><ul>{rows}</ul><p>{html.escape(DSGVO_NOTE)}</p>"
        )
    return (
        f'<section class="datenlabor-profil" aria-label="{html.escape(title)}">'
        f"<h3>{html.escape(title)}</h3>{found}"
        f"<h4>Auf einen Blick</h4><ul>{items}</ul>{personal}"
        + table_html(
            quality_profile(df, info.units if info is not None else None),
            "Qualitätsprofil: eine Zeile je Spalte",
        )
        + table_html(
            df.head(preview_rows),
            "Bereinigte Vorschau: "
            + (
                "die erste Zeile"
                if min(preview_rows, len(df)) == 1
                else f"die ersten {min(preview_rows, len(df))} Zeilen"
            ),
        )
        + "</section>"
    )


VISITOR_HINT = (
    "In dieser App lässt sich nicht einstellen, wie die Datei gelesen wird. Öffnen Sie sie in "
    "einer Tabellenkalkulation, lassen Sie oben genau eine Zeile mit den Spaltennamen stehen, "
    "speichern Sie sie als Excel-Datei (.xlsx) oder als CSV-Datei und laden Sie sie erneut hoch."
)
"""What a visitor of the upload can do instead of setting read options (tryout #45)."""

_DASH_AS_GAP = (
    "Falls „-“ in Ihrer Datei „fehlt“ bedeutet: In einer Tabellenkalkulation „-“ durch leere "
    "Zellen ersetzen und die Datei erneut hochladen."
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ„(])")


def for_visitors(text: str) -> str:
    """``text`` without sentences about read options (Leseoptionen, parameter „lesen“).

    The upload has no such controls; sentences naming them are dropped and
    :data:`VISITOR_HINT` is added once. Messages of the command line and of
    ``datenlabor.load`` keep their option hints.
    """
    kept, dropped = [], False
    for line in text.split("\n"):
        sentences = _SENTENCE.split(line)
        keep = [
            _DASH_AS_GAP if "striche=luecke" in x else x
            for x in sentences
            if "striche=luecke" in x or ("Leseoption" not in x and "Parameter „lesen“" not in x)
        ]
        dropped = dropped or any(
            "Leseoption" in x or "Parameter „lesen“" in x
            for x in sentences
            if "striche=luecke" not in x
        )
        if keep:
            kept.append(" ".join(keep))
    out = "\n".join(kept)
    return f"{out} {VISITOR_HINT}" if dropped else out


def _log_failure(exc: BaseException) -> None:
    # Type name only: messages of parsers can quote the uploaded content.
    print(f"datenlabor.upload: {type(exc).__name__}", file=sys.__stderr__)


def upload_result_html(
    files: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    max_mb: float = MAX_UPLOAD_MB,
    preview_rows: int = PREVIEW_ROWS,
) -> str:
    """The report for an upload, or a German message; never a traceback."""
    try:
        df, info = read_upload(files, max_mb)
        return report_html(df, info, f"Ergebnis für „{info.name}“", preview_rows, visitor=True)
    except DatenlaborError as exc:
        text = html.escape(for_visitors(str(exc))).replace("\n", "<br>")
        return f'<p role="alert" class="datenlabor-fehler">{text}</p>'
    except Exception as exc:  # noqa: BLE001 - never show a traceback in the app
        _log_failure(exc)
        return f'<p role="alert" class="datenlabor-fehler">{GENERIC_ERROR}</p>'


def upload_app(max_mb: float = MAX_UPLOAD_MB, preview_rows: int = PREVIEW_ROWS):
    """A labelled upload button; each uploaded CSV is profiled and then dropped."""
    import ipywidgets as w
    from IPython.display import HTML, display

    limit = _megabytes_text(max_mb)
    intro = w.HTML(
        f"<p>Eigene Tabelle prüfen: eine CSV-, Excel- (.xlsx) oder ODS-Datei, höchstens {limit}. "
        "Die Datei wird nur im Arbeitsspeicher dieser Sitzung gelesen, nicht gespeichert und nicht "
        "weitergegeben.</p>"
    )
    uploader = w.FileUpload(
        accept=ACCEPT,
        multiple=False,
        description=f"Datei hochladen (max. {limit})",
        tooltip=f"CSV-, Excel- oder ODS-Datei auswählen, höchstens {limit}",
        layout=w.Layout(width="auto"),
    )
    uploader.add_class("datenlabor-upload-button")
    status = w.HTML(value="", layout=w.Layout(min_height="1.5em"))
    status.add_class("datenlabor-status")
    out = w.Output(layout=w.Layout(width="100%"))

    def on_upload(change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        status.value = '<span role="status">Datei wird geprüft …</span>'
        with out:
            out.clear_output(wait=True)
            display(HTML(upload_result_html(files, max_mb, preview_rows)))
        uploader.value = ()  # drop the file's content from the widget (and the kernel)
        status.value = '<span role="status" class="visually-hidden">Prüfung abgeschlossen.</span>'

    uploader.observe(on_upload, names="value")
    box = w.VBox([intro, uploader, status, out], layout=w.Layout(width="100%"))
    box.add_class("datenlabor-upload")
    # the page refuses larger files before sending them (datenlabor.js)
    box.add_class(f"datenlabor-upload-max-{int(max_mb * 1_000_000)}")
    box.uploader = uploader  # for tests
    box.output = out
    return box
