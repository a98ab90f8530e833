"""Datasets as Frictionless Data Packages under datasets/<id>/.

``load`` is what a notebook calls. It reads the bundled data, or a staff
member's own CSV file checked against the same schema, so a lab runs
unchanged on the municipality's own data.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CsvError, DatasetError
from .paths import datasets_dir

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def package_path(dataset_id: str) -> Path:
    """Path of the datapackage.json; a German message if the dataset does not exist."""
    if not dataset_id or "/" in dataset_id or dataset_id.startswith("."):
        raise DatasetError(f"„{dataset_id}“ ist kein gültiger Name für einen Datensatz.")
    path = datasets_dir() / dataset_id / "datapackage.json"
    if not path.is_file():
        known = ", ".join(sorted(p.parent.name for p in datasets_dir().glob("*/datapackage.json")))
        raise DatasetError(
            f"Datensatz „{dataset_id}“ fehlt (erwartet: {path}). Vorhandene Datensätze: {known or 'keine'}."
        )
    return path


@lru_cache(maxsize=32)
def _descriptor(dataset_id: str) -> dict[str, Any]:
    path = package_path(dataset_id)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"Die Beschreibung des Datensatzes „{dataset_id}“ ist kein gültiges JSON: {exc}"
        ) from None


def describe(dataset_id: str) -> dict[str, Any]:
    """The package descriptor (title, source, licence, resources with schema)."""
    return dict(_descriptor(dataset_id))


def resource(dataset_id: str, name: str | None = None) -> dict[str, Any]:
    """One resource of the package; the first if no name is given."""
    resources = _descriptor(dataset_id).get("resources") or []
    if not resources:
        raise DatasetError(f"Datensatz „{dataset_id}“ enthält keine Tabellen.")
    if name is None:
        return resources[0]
    for res in resources:
        if res.get("name") == name:
            return res
    names = ", ".join(r.get("name", "?") for r in resources)
    raise DatasetError(f"Datensatz „{dataset_id}“ hat keine Tabelle „{name}“. Vorhanden: {names}.")


def is_synthetic(dataset_id: str) -> bool:
    """Synthetic packages say so in their descriptor; labs show it to the learner."""
    return bool(_descriptor(dataset_id).get("synthetic"))


def expected_columns(dataset_id: str, name: str | None = None) -> list[str]:
    return [f["name"] for f in resource(dataset_id, name).get("schema", {}).get("fields", [])]


def apply_schema(
    df: pd.DataFrame,
    fields: list[dict[str, Any]],
    source: str,
    spalten: str = "",
    optional_may_be_missing: bool = False,
) -> pd.DataFrame:
    """Fill the schema's columns from ``df`` and convert types; German messages on mismatch.

    Which column fills which is decided by ``columns.resolve`` (``spalten`` pairs,
    normalised names, synonyms, documented defaults); other columns are dropped.
    The decision is kept in ``df.attrs["spalten"]`` (``columns.Resolution``).
    """
    import pandas as pd

    from .columns import fill_defaults, resolve

    csv_info = df.attrs.get("csv_info")  # set by csvfiles.read_csv: the file's separators
    df = df.rename(columns=lambda c: str(c).strip())
    try:
        resolution = resolve(fields, df.columns, spalten, optional_may_be_missing)
    except CsvError as exc:
        raise CsvError(f"Die Datei „{source}“ passt nicht zum erwarteten Aufbau. {exc}") from None
    if df.empty:  # a header without rows: every later step would fail or give nothing
        raise CsvError(
            f"Die Datei „{source}“ enthält nur die Kopfzeile und keine Datenzeilen. "
            "Bitte eine Datei mit Daten wählen."
        )
    renames = resolution.renames
    if csv_info:  # the reader's number and date formats are keyed by the file's column names
        csv_info = dict(csv_info)
        for key in ("date_formats", "column_formats", "units"):
            if isinstance(csv_info.get(key), dict):
                csv_info[key] = {renames.get(k, k): v for k, v in csv_info[key].items()}
    df = df[list(renames)].rename(columns=renames).copy()
    present = set(renames.values())
    read_notes: list[str] = []  # what the reader noticed while converting the lab's columns
    for f in fields:
        if f["name"] not in present:
            continue
        col, ftype = f["name"], f.get("type", "string")
        try:
            if ftype in ("integer", "number"):
                if csv_info and (df[col].dtype == object or str(df[col].dtype).startswith("str")):
                    from .csvfiles import CsvInfo, to_numbers

                    info = CsvInfo(
                        **{k: v for k, v in csv_info.items() if k in CsvInfo.__dataclass_fields__}
                    )
                    info.notes = []  # a fresh list: the dict's list belongs to df.attrs
                    df[col] = to_numbers(df[col], *info.number_format(col), name=col, info=info)
                    source_name = next((k for k, v in renames.items() if v == col), col)
                    read_notes += [
                        n.replace(f"Spalte „{col}“", f"Spalte „{source_name}“", 1)
                        for n in info.notes
                    ]
                elif df[col].dtype == object or str(df[col].dtype).startswith("str"):
                    df[col] = df[col].map(_german_number)
                df[col] = pd.to_numeric(df[col], errors="raise")
                if ftype == "integer" and not df[col].isna().any():
                    too_big = df[col].abs() > 2**53  # int64 would silently wrap around
                    if too_big.any():
                        raise ValueError(f"zu große Zahl: {df[col][too_big].iloc[0]:.0f}")
                    df[col] = df[col].astype("int64")
            elif ftype in ("date", "datetime") and csv_info:
                from .csvfiles import parse_dates

                df[col] = parse_dates(df[col], csv_info.get("date_formats", {}).get(col), name=col)
            elif ftype == "date":
                fmt = f.get("format")
                if fmt and fmt != "default" and fmt != "any":
                    df[col] = pd.to_datetime(df[col], format=fmt)
                else:
                    df[col] = _parse_dates(df[col])
            elif ftype == "datetime":
                df[col] = _parse_dates(df[col])
            elif ftype == "boolean":
                df[col] = df[col].map(_boolean)
            elif ftype == "string":
                df[col] = df[col].astype("string").str.strip()
        except (ValueError, TypeError) as exc:
            raise CsvError(
                f"Spalte „{col}“ in „{source}“ enthält Werte, die nicht zum Typ "
                f"„{_TYPE_DE.get(ftype, ftype)}“ passen ({_first_line(exc)})."
            ) from None
    df = fill_defaults(df, resolution)
    df.attrs["spalten"] = resolution
    df.attrs["lesehinweise"] = _unique(list((csv_info or {}).get("notes") or []) + read_notes)
    return df


def reading_notes(df: pd.DataFrame) -> list[str]:
    """German notes of the reader about a table from ``apply_schema``/``load``.

    The file-wide notes of ``csvfiles.read_csv`` (separators, cleaning) and what
    converting the lab's number columns found (statistics signs such as ``-``
    read as 0, units, flags), each once. Empty for a table without them.
    """
    return list(df.attrs.get("lesehinweise") or [])


def _unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))


_TYPE_DE = {
    "integer": "Ganzzahl",
    "number": "Zahl",
    "date": "Datum",
    "datetime": "Zeitpunkt",
    "boolean": "Ja/Nein",
}


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _german_number(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return value
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text == "" or text.lower() in {"n/a", "na", "nan", "-", "–", "null"}:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return text


def _parse_dates(series: pd.Series) -> pd.Series:
    import pandas as pd

    text = series.astype("string").str.strip()
    if text.str.match(r"^\d{1,2}\.\d{1,2}\.\d{4}").all():
        return pd.to_datetime(text, format="%d.%m.%Y")
    return pd.to_datetime(text, format="ISO8601")


def _boolean(value: Any) -> Any:
    text = str(value).strip().lower()
    if text in {"true", "ja", "1", "wahr", "yes"}:
        return True
    if text in {"false", "nein", "0", "falsch", "no"}:
        return False
    raise ValueError(f"„{value}“ ist kein Ja/Nein-Wert")


def load(
    dataset_id: str,
    table: str | None = None,
    path: str | Path | None = None,
    lesen: str = "",
    spalten: str = "",
) -> pd.DataFrame:
    """Load a table of a dataset; with ``path``, a CSV or spreadsheet of the same kind instead.

    ``path`` is the lab's own-data parameter: empty means the bundled data.
    ``lesen`` holds the shared read options (``csvfiles.parse_read_options``,
    e.g. ``"kopfzeile=4; dezimal=komma"``), ``spalten`` the column mapping
    (``columns.parse_mapping``, e.g. ``"datum=Tag; besuche=Zaehlerstand"``);
    notebooks pass their parameters of these names. Only the schema's columns
    are returned. Prints the reader's warnings and notes (``reading_notes``: e.g.
    ``-`` read as 0 and the ``lesen`` option that changes it) and how the columns
    were filled.
    Raises ``CsvError`` or ``DatasetError`` with German text.
    """
    res = resource(dataset_id, table)
    fields = res.get("schema", {}).get("fields", [])
    if path:
        from .csvfiles import read_csv

        source = Path(path)
        if not source.is_file():
            raise CsvError(f"Die Datei „{path}“ gibt es nicht.")
        df = read_csv(source, lesen=lesen or "")
        info = df.attrs.get("csv_info") or {}
        for warning in info.get("warnings", []):
            print(f"Hinweis zu „{source.name}“: {warning}")
        out = own_table(dataset_id, df, fields, source.name, spalten or "")
        for line in reading_notes(out) + out.attrs["spalten"].notes():
            print(f"Hinweis zu „{source.name}“: {line}")
        check_constraints(out, fields, source.name)
        return out
    import pandas as pd

    file = package_path(dataset_id).parent / res["path"]
    if not file.is_file():
        raise DatasetError(f"Datei „{res['path']}“ des Datensatzes „{dataset_id}“ fehlt.")
    dialect = res.get("dialect") or {}
    if any(f.get("groupChar") or f.get("decimalChar", ".") != "." for f in fields):
        # German numbers (a package from `datenlabor daten holen/beschreiben`): the German
        # reader, so "658.830" stays 658830 and statistics signs mean what they say
        from .csvfiles import read_csv

        df = read_csv(file, encoding=res.get("encoding"), sep=dialect.get("delimiter"))
        return apply_schema(df, fields, f"{dataset_id}/{res['path']}")
    df = pd.read_csv(
        file,
        sep=dialect.get("delimiter", ","),
        encoding=res.get("encoding", "utf-8"),
        dtype=str,
        keep_default_na=False,
        na_values=[""],
    )
    return apply_schema(df, fields, f"{dataset_id}/{res['path']}")


def own_table(
    dataset_id: str, df: pd.DataFrame, fields: list[dict[str, Any]], source: str, spalten: str = ""
) -> pd.DataFrame:
    """An own file (``df`` as read by ``csvfiles.read_csv``) shaped for dataset ``dataset_id``.

    Tables of indicators (``columns.INDICATOR_TABLES``) keep their key columns under the
    lab's names and every number column of the file under its own name; their
    ``attrs["indikatoren"]`` is ``{label: column}`` (``columns.indicator_labels``). Other
    datasets get the schema's columns (``apply_schema``). Raises ``CsvError`` (German).
    """
    from .columns import OPTIONAL_MAY_BE_MISSING, indicator_fields, indicator_labels

    try:
        own = indicator_fields(dataset_id, fields, df, spalten)
    except CsvError as exc:
        raise CsvError(
            f"Die Datei „{source}“ passt nicht zum erwarteten Aufbau. {exc}\n"
            "Alle weiteren Zahlenspalten der Datei sind Kennzahlen (unter ihrem Namen)."
        ) from None
    if own is None:
        return apply_schema(df, fields, source, spalten, dataset_id in OPTIONAL_MAY_BE_MISSING)
    out = apply_schema(df, own, source, spalten, True)
    _check_one_row_per_key(out, dataset_id, source)
    labels = indicator_labels(out, own)
    if not labels:
        raise CsvError(
            f"Die Datei „{source}“ enthält keine Spalte mit Zahlen, die sich vergleichen "
            f"ließe. Gefundene Spalten: {', '.join(map(str, df.columns))}."
        )
    out.attrs["indikatoren"] = labels
    return out


def _check_one_row_per_key(df: pd.DataFrame, dataset_id: str, source: str) -> None:
    """An indicator table has one row per district (and year); German ``CsvError`` otherwise."""
    from .columns import INDICATOR_TABLES

    keys = [
        k for k in INDICATOR_TABLES[dataset_id] if k in ("bezirk", "stadtteil", "jahr") and k in df
    ]
    keys = [k for k in keys if df[k].notna().any()]
    twice = df[df.duplicated(keys, keep=False)]
    if keys and len(twice):
        example = ", ".join(
            " ".join(str(v) for v in row) for row in twice[keys].drop_duplicates().head(3).values
        )
        per = " und ".join(k.capitalize() for k in keys)
        raise CsvError(
            f"Die Datei „{source}“ hat mehrere Zeilen für dasselbe ({per}), z. B. {example}. "
            f"Dieses Lab braucht eine Zeile je {per} – etwa eine Stadtteilstatistik, keine "
            "Liste von Gebäuden oder Meldungen."
        )


MAX_EXAMPLE_ROWS = 3
"""How many offending rows a constraint message quotes."""


def _constraint_bound(series: pd.Series, bound: Any) -> Any:
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(series):
        return pd.Timestamp(bound)
    return bound


def _shown(value: Any) -> str:
    from .formatting import cell

    return cell(value)


def check_constraints(df: pd.DataFrame, fields: list[dict[str, Any]], source: str) -> None:
    """Enforce the schema's ``minimum``, ``maximum`` and ``enum`` constraints on own data.

    A field marked ``"openEnum": true`` in ``datapackage.json`` keeps its ``enum`` for the
    bundled data only (categories of the synthetic city; own data brings its own).

    ``df`` is a table after ``apply_schema`` (lab column names, converted types; the
    mapping in ``df.attrs["spalten"]``). Gaps are not checked here (``required`` is
    handled when reading). Raises ``CsvError`` with one German message naming, per
    broken rule, the lab column, the file's column, the rule, how many data rows break
    it and up to ``MAX_EXAMPLE_ROWS`` examples (data row number, counted from 1 below
    the header, and value). Source of the rules: the Frictionless Table Schema
    constraints of the dataset's ``datapackage.json``.
    """
    problems = []
    resolution = df.attrs.get("spalten")
    sources = {c.name: c.source for c in resolution.columns} if resolution else {}
    for f in fields:
        name, rules = f["name"], f.get("constraints") or {}
        if name not in df.columns or not ({"minimum", "maximum", "enum"} & set(rules)):
            continue
        series = df[name]
        present = series.notna()
        checks = []
        try:
            if "minimum" in rules:
                low = _constraint_bound(series, rules["minimum"])
                checks.append((present & (series < low), f"mindestens {_shown(low)}"))
            if "maximum" in rules:
                high = _constraint_bound(series, rules["maximum"])
                checks.append((present & (series > high), f"höchstens {_shown(high)}"))
        except TypeError:  # a column the reader kept as text: the type check reports it
            checks = []
        # ``openEnum``: the list names the bundled data's categories; own data brings its own.
        if "enum" in rules and not f.get("openEnum"):
            allowed = list(rules["enum"])
            checks.append(
                (present & ~series.isin(allowed), "einer von " + ", ".join(map(str, allowed)))
            )
        for broken, rule in checks:
            broken = broken.fillna(False).to_numpy(dtype=bool)
            if not broken.any():
                continue
            rows = [
                f"Datenzeile {i + 1}: {_shown(series.iloc[i])}"
                for i in broken.nonzero()[0][:MAX_EXAMPLE_ROWS]
            ]
            origin = sources.get(name)
            column = f"„{name}“" + (
                f" (in der Datei „{origin}“)" if origin and origin != name else ""
            )
            problems.append(
                f"Spalte {column}: Werte müssen {rule} sein; {int(broken.sum())} Zeile(n) "
                f"verstoßen dagegen, z. B. {'; '.join(rows)}."
            )
    if problems:
        raise CsvError(
            f"Die Datei „{source}“ hält Regeln des Datensatzes nicht ein:\n- "
            + "\n- ".join(problems)
            + "\nBitte die Werte prüfen (oder mit dem Parameter „spalten“ eine andere Spalte "
            "zuordnen)."
        )


def validate_package(dataset_id: str) -> list[str]:
    """Problems frictionless finds in a package, plus our own required metadata."""
    from frictionless import Package

    problems = []
    desc = _descriptor(dataset_id)
    for key in ("title", "description", "licenses", "sources"):
        if not desc.get(key):
            problems.append(f"Datensatz „{dataset_id}“: Angabe „{key}“ fehlt in datapackage.json.")
    package = Package(str(package_path(dataset_id)))
    report = package.validate()
    if not report.valid:
        for task in report.tasks:
            for error in task.errors[:5]:
                problems.append(f"Datensatz „{dataset_id}“ ({task.name}): {error.message}")
        for error in report.errors[:5]:
            problems.append(f"Datensatz „{dataset_id}“: {error.message}")
    return problems
