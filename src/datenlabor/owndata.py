"""``datenlabor daten …``: look at an own file before a lab runs on it.

``check_file`` says, in German, how each column of the lab would be filled
from the file (same name, recognised, mapped, default), which value ranges
it found, what the reader noticed, and the exact ``-p spalten "…"`` to pass.
Columns the lab does not use are only named, their values never shown
(exports contain staff names and addresses).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import CsvError, DatenlaborError, ParameterError
from .formatting import count

HOW_DE = {
    "gleich": "gleicher Name",
    "erkannt": "automatisch erkannt",
    "zugeordnet": "zugeordnet mit „spalten“",
    "standard": "Standard",
    "leer": "fehlt, bleibt leer",
}


def own_data_parameter(lab: Any) -> str:
    """Name of the lab's own-data parameter (``kind: csv``); German error if it has none."""
    names = [n for n, p in lab.parameters.items() if p.kind == "csv"]
    if not names:
        raise ParameterError(f"Das Lab „{lab.slug}“ arbeitet nicht mit eigenen Daten.")
    return names[0]


def check_file(
    slug: str,
    path: str | Path,
    lesen: str = "",
    spalten: str = "",
    table: str | None = None,
    form: str = "",
) -> tuple[bool, str]:
    """German report on how ``path`` would fill lab ``slug``'s table.

    For a lab that knows two shapes of its data (``form_parameter`` in lab.yaml,
    ``shapes.detect_form``) the report first says which shape the file has
    (``form`` forces one) and why the method depends on it.

    Returns ``(ok, text)``; ``ok`` is False when the lab could not run on the
    file (then ``text`` holds the reason and both column lists). Raises
    ``DatenlaborError`` only for an unknown lab or a file that cannot be read.
    """
    from .catalog import get_lab
    from .columns import format_mapping, parse_mapping
    from .csvfiles import read_csv
    from .datasets import check_constraints, own_table, resource
    from .running import own_data_options

    lab = get_lab(slug)
    geo = {n: p.extra["geodaten"] for n, p in lab.parameters.items() if p.extra.get("geodaten")}
    if geo and not any(p.kind == "csv" for p in lab.parameters.values()):
        return _check_geodata(lab, Path(path), geo, lesen)
    name = own_data_parameter(lab)
    values: dict[str, Any] = {}
    if table:
        chooser = lab.parameters[name].extra.get("table_parameter")
        if chooser:
            values[chooser] = table
    source = Path(path).expanduser()
    if source.is_dir():
        raise CsvError(
            f"„{path}“ ist ein Ordner, keine Datei. Bitte den Pfad zu einer CSV-, "
            "Excel- (.xlsx) oder ODS-Datei angeben."
        )
    if not source.is_file():
        raise CsvError(f"Die Datei „{path}“ gibt es nicht.")
    parse_mapping(spalten)  # syntax first, German message
    dataset_id = lab.parameters[name].extra.get("dataset") or lab.datasets[0]
    shape_parameter = lab.parameters[name].extra.get("form_parameter")
    raw = read_csv(source, lesen=lesen)
    info = raw.attrs.get("csv_info") or {}
    lines = [f"Datei „{source.name}“ für das Lab „{lab.title}“ ({lab.slug}):", ""]
    lines.append(
        f"Gelesen: {count(len(raw), 'Zeile', 'Zeilen')}, "
        f"{count(len(raw.columns), 'Spalte', 'Spalten')}."
    )
    for warning in info.get("warnings", []):
        lines.append(f"Hinweis beim Lesen: {warning}")
    shape = None
    if shape_parameter in lab.parameters and not lab.parameters[name].extra.get("any_csv"):
        from .shapes import detect_form

        try:
            shape = detect_form(
                dataset_id, source, form or "automatisch", lesen, spalten, list(raw.columns)
            )
        except DatenlaborError as exc:
            lines += ["", "So kann das Lab die Datei noch nicht verwenden:", str(exc)]
            return False, "\n".join(lines)
        values[shape_parameter] = shape.form
        lines += ["", f"Form der Daten: {shape.text}", f"Verfahren: {shape.why}"]
    options = own_data_options(lab, values, name)
    fields = resource(dataset_id, options["table"]).get("schema", {}).get("fields", [])
    command = f"datenlabor run {lab.slug} -p daten {_quote(str(path))}"
    if lesen:
        command += f' -p lesen "{lesen}"'
    if shape is not None and form:
        command += f" -p form {shape.form}"
    if lab.parameters[name].extra.get("any_csv"):  # the quality lab profiles every column
        from .personal import DSGVO_NOTE, personal_columns

        typed = read_csv(source, lesen=lesen, convert=True)
        flagged = personal_columns(typed)
        notes = list(dict.fromkeys((typed.attrs.get("csv_info") or {}).get("notes") or []))
        if notes:
            lines += ["", "Beim Lesen bemerkt:"] + [f"  {n}" for n in notes]
        lines += [
            "",
            "Dieses Lab profiliert jede CSV-Datei mit allen Spalten: "
            + ", ".join(map(str, raw.columns)),
        ]
        if flagged:
            lines.append(
                "Möglicher Personenbezug: " + ", ".join(f"{c} ({w})" for c, w in flagged.items())
            )
            lines.append(DSGVO_NOTE)
        lines += ["", "So starten Sie das Lab mit dieser Datei:", f"  {command}"]
        lines += _dash_variant(notes, command, lesen)
        return True, "\n".join(lines)
    try:
        table_df = own_table(dataset_id, raw, fields, source.name, spalten)
        resolution = table_df.attrs["spalten"]
        check_constraints(table_df, fields, source.name)
    except DatenlaborError as exc:
        lines += ["", "So kann das Lab die Datei noch nicht verwenden:", str(exc)]
        return False, "\n".join(lines)
    from .datasets import reading_notes

    notes = reading_notes(table_df)
    if notes:
        lines += ["", "Beim Lesen bemerkt:"] + [f"  {n}" for n in notes]
    indicators = table_df.attrs.get("indikatoren") or {}
    keys = [
        c for c in resolution.columns if c.name not in indicators.values() or c.source != c.name
    ]
    lines += ["", "So werden die Spalten des Labs gefüllt:"]
    width = max(len(c.name) for c in keys)
    for c in keys:
        origin = f"← „{c.source}“" if c.source else f"← {c.note or '–'}"
        lines.append(f"  {c.name:<{width}}  {origin}  ({HOW_DE[c.how]})")
        found = _value_range(table_df[c.name])
        if c.how == "leer":  # what the lab would do with it: the schema says
            meaning = next((f.get("description") for f in fields if f["name"] == c.name), "")
            if meaning:
                lines.append(f"  {'':<{width}}  Bedeutung: {meaning}")
        elif found:
            lines.append(f"  {'':<{width}}  Werte: {found}")
    if indicators:
        lines += [
            "",
            "Kennzahlen der Datei (in der App und im Notebook unter diesen Namen wählbar):",
        ]
        for label, column in indicators.items():
            lines.append(f"  „{label}“  Werte: {_value_range(table_df[column])}")
        choice = _indicator_parameter(lab)
        if choice:
            shown = list(indicators)[: 2 if lab.parameters[choice].type == "list" else 1]
            lines.append(f'Auswahl beim Start, z. B.: -p {choice} "{"; ".join(shown)}"')
    if resolution.ignored:
        lines += [
            "",
            "Nicht verwendet (Inhalte werden nicht angezeigt): " + ", ".join(resolution.ignored),
        ]
    mapping = resolution.mapping()
    if mapping:
        command += f' -p spalten "{format_mapping(mapping)}"'
    lines += ["", "So starten Sie das Lab mit dieser Datei:", f"  {command}"]
    lines += _dash_variant(notes, command, lesen)
    return True, "\n".join(lines)


def _indicator_parameter(lab: Any) -> str | None:
    """The lab's parameter whose choices are the file's indicators (``aus_daten: zahlenspalten``)."""
    from .parameters import NUMBER_COLUMNS, data_column

    return next((n for n, p in lab.parameters.items() if data_column(p) == NUMBER_COLUMNS), None)


def _check_geodata(lab: Any, path: Path, geo: dict[str, str], lesen: str) -> tuple[bool, str]:
    """``check_file`` for a lab that takes own places (``geodaten: punkte``, a CSV with
    coordinates) or areas (``geodaten: flaechen``: GeoJSON, GeoPackage, zipped Shapefile)."""
    from .csvfiles import read_csv
    from .geodata import (
        AREA_SUFFIXES,
        facility_types,
        name_column,
        points_from_table,
        read_areas,
    )

    source = path.expanduser()
    if not source.is_file():
        raise CsvError(f"Die Datei „{path}“ gibt es nicht.")
    kind = "flaechen" if source.suffix.lower() in AREA_SUFFIXES else "punkte"
    param = next((n for n, k in geo.items() if k == kind), None)
    lines = [f"Datei „{source.name}“ für das Lab „{lab.title}“ ({lab.slug}):", ""]
    if param is None:
        lines.append(f"Das Lab nimmt diese Art Datei nicht ({', '.join(geo)}).")
        return False, "\n".join(lines)
    try:
        if kind == "flaechen":
            areas, crs_note = read_areas(source)
            lines.append(
                f"Gelesen: {count(len(areas), 'Gebiet', 'Gebiete')}, "
                f"Namen aus „{name_column(areas)}“."
            )
            lines.append(crs_note)
        else:
            table = read_csv(source, lesen=lesen)
            lines.append(
                f"Gelesen: {count(len(table), 'Zeile', 'Zeilen')}, "
                f"{count(len(table.columns), 'Spalte', 'Spalten')}."
            )
            points, guess = points_from_table(table)
            lines.append(guess.describe())
            choices = getattr(lab.parameters.get("einrichtung"), "choices", None) or ["Kita"]
            _, note = facility_types(points, str(list(choices)[0]))
            lines.append(note)
    except DatenlaborError as exc:
        lines += ["", "So kann das Lab die Datei noch nicht verwenden:", str(exc)]
        return False, "\n".join(lines)
    command = f"datenlabor run {lab.slug} -p {param} {_quote(str(path))}"
    if lesen and kind == "punkte" and "lesen" in lab.parameters:
        command += f' -p lesen "{lesen}"'
    lines += ["", "So starten Sie das Lab mit dieser Datei:", f"  {command}"]
    return True, "\n".join(lines)


def _dash_variant(notes: list[str], command: str, lesen: str) -> list[str]:
    """The second command to print when ``-`` was read as 0: the file's own
    documentation decides whether ``-`` means "exactly zero" (official statistics)
    or "missing" (many municipal exports), so both variants are shown."""
    from .statsigns import DASH_OPTION_HINT

    if not any(DASH_OPTION_HINT in n for n in notes):
        return []
    options = "; ".join(part for part in (lesen.strip(), "striche=luecke") if part)
    variant = command.replace(f' -p lesen "{lesen}"', "") if lesen else command
    variant = variant.replace(" -p spalten ", f' -p lesen "{options}" -p spalten ', 1)
    if "-p lesen" not in variant:
        variant += f' -p lesen "{options}"'
    return [
        "",
        "„-“ wurde als 0 gelesen (amtliche Statistik: genau null). Falls „-“ in Ihrer Datei "
        "„fehlt“ bedeutet (siehe ihre Beschreibung), starten Sie stattdessen so:",
        f"  {variant}",
    ]


def _quote(text: str) -> str:
    return f'"{text}"' if any(ch in text for ch in " ;&'") else text


def _value_range(series: Any) -> str:
    """German summary of one column: range for numbers and dates, categories for text."""
    import pandas as pd

    from .formatting import plain_column, value_range

    values = series.dropna()
    gaps = len(series) - len(values)
    suffix = f"; {count(gaps, 'Lücke', 'Lücken')}" if gaps else ""
    if values.empty:
        return "keine Werte" + suffix
    if pd.api.types.is_bool_dtype(values):
        return f"Ja {int(values.sum())}×, Nein {int((~values.astype(bool)).sum())}×" + suffix
    if pd.api.types.is_datetime64_any_dtype(values):
        return f"{values.min():%d.%m.%Y} bis {values.max():%d.%m.%Y}" + suffix
    if pd.api.types.is_numeric_dtype(values):
        return value_range(values.min(), values.max(), plain_column(series.name)) + suffix
    counts = values.astype(str).value_counts()
    if len(counts) > 12 or counts.iloc[0] == 1:
        return f"{count(len(counts), 'verschiedener Text', 'verschiedene Texte')}" + suffix
    shown = ", ".join(f"{k} ({count(v, 'Zeile', 'Zeilen')})" for k, v in counts.items())
    what = count(len(counts), "verschiedener Wert", "verschiedene Werte")
    return f"{what}: {shown}" + suffix
