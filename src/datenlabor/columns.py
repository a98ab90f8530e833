"""Which column of an own file fills which column of a lab: the ``spalten`` parameter.

A lab reads a table with the columns of its bundled dataset's schema. A
municipality's export names them differently (``date_created``, ``Zaehlerstand``).
This module is the one place that decides how a file's columns fill the lab's
columns, for every surface (CLI, sweeps, papermill, app):

1. an explicit pair ``ziel=quelle`` from the parameter ``spalten``
   (pairs separated by ``;``, e.g. ``"text=text_raw; kategorie=category_parent"``);
2. the same name after normalising case, whitespace and umlauts
   (``ä``/``ae``, ``ö``/``oe``, ``ü``/``ue``, ``ß``/``ss``);
3. a known synonym of the field (``SYNONYMS``), if exactly one column fits;
4. a documented default for a missing optional column (``DEFAULTS``), or an empty
   column where the schema allows it (field property ``missingAllowed``).

Two candidates for one column are never guessed: the message names them.
Columns of the file that fill no lab column are dropped, so an analysis lab
never shows staff names or addresses from an export.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import CsvError, ParameterError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

_COUNT = ("anzahl", "zaehlerstand", "zaehlung", "zaehlungen", "count", "counts", "wert", "value")

#: Other names a field goes by in real exports, normalised (see ``normalise``).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "datum": (
        "tag",
        "date",
        "date_created",
        "created",
        "created_at",
        "erstellt",
        "erstellt_am",
        "eingangsdatum",
        "meldedatum",
        "day",
        "zeitpunkt",
    ),
    "text": (
        "text_raw",
        "beschreibung",
        "meldung",
        "meldungstext",
        "description",
        "message",
        "inhalt",
        "anliegen",
    ),
    "kategorie": (
        "category",
        "category_parent",
        "hauptkategorie",
        "fachbereich",
        "rubrik",
        "thema",
        "kategorie_oben",
    ),
    "stadtteil": ("ortsteil", "district", "quartier", "stadtbezirk", "viertel"),
    "bezirk": (
        "stadtteil",
        "statistischer_bezirk",
        "bezirksname",
        "ortsteil",
        "district",
        "quartier",
        "stadtbezirk",
        "viertel",
        "gebiet",
    ),
    "besuche": ("besucher", "besucherzahl", "kunden", "vorsprachen", *_COUNT),
    "geoeffnet": ("offen", "open", "oeffnungstag", "geoeffnet_ja_nein"),
    "jahr": ("year", "berichtsjahr", "stichjahr"),
    "einwohner": ("einwohner_insgesamt", "einwohnerzahl", "bevoelkerung", "population"),
    "anteil_unter_18": ("anteil_unter_18_jahren", "anteil_unter_18_jahren_in_prozent"),
    "anteil_ab_65": (
        "anteil_65_jahre_und_aelter",
        "anteil_65_jahre_und_aelter_in_prozent",
        "anteil_ab_65_jahren_in_prozent",
    ),
    "arbeitslosenquote": ("arbeitslose_in_prozent", "arbeitslosenquote_in_prozent"),
    "anteil_sgb2_haushalte": ("sgb_ii_quote", "sgb_ii_quote_in_prozent"),
    "gebaeude": (
        "wirtschaftseinheit",
        "liegenschaft",
        "liegenschaftsname",
        "objekt",
        "objektname",
        "building",
        "gebaeudename",
        "gebaeudebezeichnung",
        "bezeichnung",
        "name",
    ),
    "gebaeude_id": ("lfd", "lfd_nr", "laufende_nummer", "objektnummer", "gebaeudenummer"),
    "gebaeudeart": (
        "typ",
        "art",
        "nutzungsart",
        "nutzung",
        "gebaeudetyp",
        "gebaeudekategorie",
        "bauwerkszuordnung",
    ),
    "verbrauch_kwh": (
        "verbrauch",
        "waermeverbrauch",
        "waermeverbrauch_kwh",
        "heizenergieverbrauch",
        "energieverbrauch",
        "energieverbrauch_kwh",
        "kwh",
        *_COUNT,
    ),
    # annual values per building (cross-sectional table of energy reports)
    "flaeche_m2": (
        "flaeche",
        "flaeche_m",
        "flaeche_qm",
        "flaeche_in_m",
        "bgf",
        "bgf_m",
        "ngf",
        "ngf_m",
        "nrf",
        "bruttogrundflaeche",
        "nettogrundflaeche",
        "nettoraumflaeche",
        "energiebezugsflaeche",
        "nutzflaeche",
    ),
    "strom_kwh": ("strom", "stromverbrauch", "stromverbrauch_kwh", "elektrizitaet"),
    "baujahr": ("errichtungsjahr", "jahr_der_errichtung", "year_built"),
    "waermeversorgung": (
        "art_der_waermeversorgung",
        "heizungsart",
        "heizung",
        "energietraeger",
        "waermeerzeugung",
    ),
}


@dataclass(frozen=True)
class Default:
    """How a missing column is filled; ``text`` is what the notebook tells the learner."""

    text: str
    fill: Callable[[pd.DataFrame], Any]
    for_required: bool = False  # may stand in for a column the schema requires


def _open_from_counts(df: pd.DataFrame) -> Any:
    return df["besuche"].fillna(0) > 0


#: Documented defaults for columns an export may lack.
DEFAULTS: dict[str, Default] = {
    "geoeffnet": Default(
        "geöffnet an jedem Tag mit einer Zählung über 0", _open_from_counts, for_required=True
    ),
    "stadtteil": Default("alle Zeilen bilden eine Gruppe „alle“", lambda df: "alle"),
    "gebaeude_id": Default(
        "laufende Nummer der Zeile", lambda df: [str(i + 1) for i in range(len(df))]
    ),
}

#: Datasets whose optional columns an own file may lack (they stay empty, the notebook
#: skips what needs them): statistics offices publish different sets of indicators.
OPTIONAL_MAY_BE_MISSING = {"stadtteile-musterstadt"}

#: Tables of indicators (one row per district, or per district and year). With own data
#: only these key columns of the schema are filled (name → required); every other
#: number column of the file is an indicator under its own name (``indicator_fields``).
INDICATOR_TABLES: dict[str, dict[str, bool]] = {
    "stadtteil-profile": {"bezirk": True, "jahr": False},
    "stadtteile-musterstadt": {
        "jahr": True,
        "stadtteil": True,
        "einwohner": True,
        "geburten": False,
        "hinweis": False,
    },
}

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def normalise(name: Any) -> str:
    """Compare-form of a column name: ``" Zählerstand "`` and ``"ZAEHLERSTAND"`` → ``"zaehlerstand"``."""
    text = unicodedata.normalize("NFC", str(name)).strip().lower().translate(_UMLAUTS)
    text = text.replace("%", " prozent ")
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def parse_mapping(text: str | None) -> dict[str, str]:
    """``"ziel=quelle; ziel2=quelle2"`` → ``{"ziel": "quelle", ...}``; raises ``ParameterError``.

    Only the syntax is checked here; whether target and source exist needs the
    lab's schema and the file (``resolve``).
    """
    mapping: dict[str, str] = {}
    for part in (text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        target, sep, source = part.partition("=")
        target, source = target.strip(), source.strip().strip("\"'„“")
        if not sep or not target or not source:
            raise ParameterError(
                f"„{part}“ ist keine Zuordnung. Erwartet: ziel=quelle, mehrere getrennt durch „;“, "
                f"z. B. „datum=Datum; besuche=Zaehlerstand“."
            )
        if target in mapping:
            raise ParameterError(f"Die Zielspalte „{target}“ ist zweimal zugeordnet.")
        mapping[target] = source
    return mapping


def format_mapping(mapping: dict[str, str]) -> str:
    """The ``spalten`` value for ``mapping``, e.g. ``datum=Datum; besuche=Zaehlerstand``."""
    return "; ".join(f"{t}={s}" for t, s in mapping.items())


@dataclass
class Column:
    """How one lab column is filled: ``how`` is gleich, erkannt, zugeordnet, standard or leer."""

    name: str
    required: bool
    how: str
    source: str | None = None
    note: str = ""


@dataclass
class Resolution:
    """The result of ``resolve``: one ``Column`` per lab column, in schema order."""

    columns: list[Column]
    file_columns: list[str]
    ignored: list[str] = field(default_factory=list)

    @property
    def renames(self) -> dict[str, str]:
        return {c.source: c.name for c in self.columns if c.source is not None}

    def mapping(self) -> dict[str, str]:
        """Pairs a user would pass as ``spalten`` to get this result without automatic matching."""
        return {c.name: c.source for c in self.columns if c.source and c.source != c.name}

    def notes(self) -> list[str]:
        """German lines for the learner: what was matched, which defaults were used."""
        lines = []
        for c in self.columns:
            if c.how == "erkannt":
                lines.append(f"Spalte „{c.name}“ aus „{c.source}“ ({c.note}).")
            elif c.how == "zugeordnet":
                lines.append(f"Spalte „{c.name}“ aus „{c.source}“ (Parameter „spalten“).")
            elif c.how == "standard":
                lines.append(f"Spalte „{c.name}“ fehlt – Standard: {c.note}.")
            elif c.how == "leer":
                lines.append(f"Spalte „{c.name}“ fehlt in der Datei – bleibt leer.")

        if self.ignored:
            lines.append(
                "1 weitere Spalte der Datei wird nicht verwendet und nicht angezeigt."
                if len(self.ignored) == 1
                else f"{len(self.ignored)} weitere Spalten der Datei werden nicht verwendet "
                "und nicht angezeigt."
            )
        return lines


def _lab_columns(fields: list[dict[str, Any]]) -> str:
    return ", ".join(f["name"] for f in fields)


def _required(f: dict[str, Any]) -> bool:
    return bool((f.get("constraints") or {}).get("required"))


def _context(fields: list[dict[str, Any]], file_columns: Iterable[str]) -> str:
    return (
        f"\nErwartete Spalten: {_lab_columns(fields)}"
        f"\nGefundene Spalten: {', '.join(map(str, file_columns)) or '(keine)'}"
    )


def resolve(
    fields: list[dict[str, Any]],
    file_columns: Iterable[Any],
    spalten: str | dict[str, str] = "",
    optional_may_be_missing: bool = False,
) -> Resolution:
    """Decide for each schema field which file column fills it.

    ``fields`` are Table Schema field descriptors (``name``, ``constraints.required``),
    ``file_columns`` the header of the file, ``spalten`` the user's pairs.
    Raises ``CsvError`` (German, exit 2) for an unknown target, a source not in
    the file, two candidates for one column, or a required column without source.
    """
    columns = [str(c).strip() for c in file_columns]
    mapping = parse_mapping(spalten) if isinstance(spalten, str) else dict(spalten)
    names = [f["name"] for f in fields]
    unknown = [t for t in mapping if t not in names]
    if unknown:
        raise CsvError(
            f"Parameter „spalten“: Die Zielspalte „{unknown[0]}“ gibt es in diesem Lab nicht."
            + _context(fields, columns)
        )
    used: set[str] = set()
    chosen: dict[str, Column] = {}
    for target, source in mapping.items():
        hits = [c for c in columns if c == source] or [
            c for c in columns if normalise(c) == normalise(source)
        ]
        if len(hits) != 1:
            problem = "gibt es in der Datei nicht" if not hits else "passt zu mehreren Spalten"
            raise CsvError(
                f"Parameter „spalten“: Die Quellspalte „{source}“ (für „{target}“) {problem}."
                + _context(fields, columns)
            )
        if hits[0] in used:
            raise CsvError(
                f"Parameter „spalten“: Die Spalte „{hits[0]}“ ist zweimal als Quelle genannt."
            )
        used.add(hits[0])
        chosen[target] = Column(
            target, _required(fields[names.index(target)]), "zugeordnet", hits[0]
        )
    # pass 1: same name (exactly or normalised); pass 2: synonyms
    for f in fields:
        name = f["name"]
        if name in chosen:
            continue
        hits = [c for c in columns if c not in used and normalise(c) == normalise(name)]
        if len(hits) > 1:
            raise _ambiguous(name, hits, fields, columns)
        if hits:
            used.add(hits[0])
            how = "gleich" if hits[0] == name else "erkannt"
            chosen[name] = Column(name, _required(f), how, hits[0], "gleicher Name")
    for f in fields:
        name = f["name"]
        if name in chosen:
            continue
        synonyms = set(SYNONYMS.get(name, ()))
        hits = [c for c in columns if c not in used and normalise(c) in synonyms]
        if len(hits) > 1:
            raise _ambiguous(name, hits, fields, columns)
        if hits:
            used.add(hits[0])
            chosen[name] = Column(name, _required(f), "erkannt", hits[0], "bekannter anderer Name")
    result = []
    missing = []
    for f in fields:
        name = f["name"]
        if name in chosen:
            result.append(chosen[name])
        elif name in DEFAULTS and (DEFAULTS[name].for_required or not _required(f)):
            result.append(Column(name, _required(f), "standard", None, DEFAULTS[name].text))
        elif (optional_may_be_missing or f.get("missingAllowed")) and not _required(f):
            result.append(Column(name, False, "leer"))
        else:  # optional columns too, unless allowed: an empty column changes results
            missing.append(name)
    if missing:
        shape = ""
        if "datum" in missing and "besuche" in names:  # daily-series labs with one shape
            shape = (
                " Dieses Lab braucht eine Zeitreihe: je Zeile ein Tag mit Datum, denn es betrachtet "
                "den Verlauf von Tag zu Tag. Die Datei hat keine Datumsspalte – in einer "
                "Tabelle mit einer Zeile je Standort oder Stadtteil (Jahreswerte) gibt es keinen "
                "Verlauf, in dem ein Tag auffallen könnte."
            )
        example = "; ".join(f"{m}=…" for m in missing)
        raise CsvError(
            f"Es fehlen: {', '.join(missing)}. Heißt eine Spalte in der Datei anders, "
            f'ordnen Sie sie mit dem Parameter „spalten“ zu, z. B. -p spalten "{example}".'
            + shape
            + _context(fields, columns)
        )
    return Resolution(result, columns, [c for c in columns if c not in used])


def _ambiguous(
    name: str, hits: list[str], fields: list[dict[str, Any]], columns: list[str]
) -> CsvError:
    options = " oder ".join(f'-p spalten "{name}={h}"' for h in hits)
    return CsvError(
        f"Für die Spalte „{name}“ kommen mehrere Spalten der Datei in Frage: "
        f"{', '.join(hits)}. Geraten wird nicht – bitte wählen: {options}."
        + _context(fields, columns)
    )


def fill_defaults(df: pd.DataFrame, resolution: Resolution) -> pd.DataFrame:
    """Add the columns ``resolution`` fills with a default (``DEFAULTS``) or leaves empty."""
    for c in resolution.columns:
        if c.how == "standard":
            df[c.name] = DEFAULTS[c.name].fill(df)
        elif c.how == "leer":
            df[c.name] = float("nan")

    return df[[c.name for c in resolution.columns]]


def indicator_fields(
    dataset_id: str, fields: list[dict[str, Any]], df: pd.DataFrame, spalten: str = ""
) -> list[dict[str, Any]] | None:
    """Schema fields for an own file of an indicator table (``INDICATOR_TABLES``), else None.

    ``fields`` is the bundled schema, ``df`` the file as read (text columns, with
    ``attrs["csv_info"]``). Returns the key fields (district, year, …) and one field per
    other number column of the file, named as in the file (e.g. „Anteil SGB-II-Empfänger
    in %“), in the file's column order; key fields the file lacks come last (they stay
    empty). A number column named like a schema field keeps that field's type.
    Identifier and year-like columns are not indicators. Each indicator field carries
    ``"indikator": True``. Raises ``CsvError`` like ``resolve`` when a required key
    column is missing or ambiguous.
    """
    keys = INDICATOR_TABLES.get(dataset_id)
    if keys is None:
        return None
    from .csvfiles import _is_key_or_year, convert_types

    by_name = {f["name"]: f for f in fields}
    key_fields = []
    for name, required in keys.items():
        f = dict(
            by_name.get(name) or {"name": name, "type": "integer" if name == "jahr" else "string"}
        )
        constraints = dict(f.get("constraints") or {})
        constraints["required"] = required
        f["constraints"] = constraints
        key_fields.append(f)
    resolution = resolve(key_fields, df.columns, spalten, optional_may_be_missing=True)
    source_of = {c.name: c.source for c in resolution.columns if c.source is not None}
    used = set(source_of.values())
    typed = convert_types(df, df.attrs.get("csv_info"))
    position = {str(c).strip(): i for i, c in enumerate(df.columns)}
    found: list[tuple[int, dict[str, Any]]] = [
        (position.get(str(source_of[f["name"]]).strip(), 0), f)
        for f in key_fields
        if f["name"] in source_of
    ]
    for column in df.columns:
        name = str(column).strip()
        if column in used or name in used:
            continue
        values = typed[column]
        text = df[column].dropna().astype(str).str.strip()
        if not str(values.dtype).startswith(("int", "float")) or values.notna().sum() == 0:
            continue
        if _is_key_or_year(name, text[text != ""]):
            continue  # numbers that name something (Bezirksnummer, Jahr) are no indicator
        field = dict(by_name.get(name) or {"name": name, "type": "number"})
        field["indikator"] = True
        found.append((position[name], field))
    found.sort(key=lambda pair: pair[0])
    missing = [f for f in key_fields if f["name"] not in source_of]
    return [f for _, f in found] + missing


def indicator_labels(df: pd.DataFrame, fields: list[dict[str, Any]]) -> dict[str, str]:
    """``{label: column}`` of the indicators of a table loaded with ``indicator_fields``.

    Labels are the file's own column names, in the file's order (a column named like
    a schema field, e.g. ``anteil_unter_18``, reads „Anteil unter 18“). Number key
    columns (e.g. ``einwohner`` from „Einwohner insgesamt“) are indicators too, under
    the file's name, after the others; the year is not.
    """
    from .formatting import readable

    resolution = df.attrs.get("spalten")
    sources = {c.name: c.source for c in resolution.columns} if resolution else {}
    found = []
    for f in fields:
        name = f["name"]
        if name not in df.columns or df[name].notna().sum() == 0:
            continue
        if f.get("indikator"):
            found.append((0, readable(name), name))
        elif f.get("type") in ("integer", "number") and name != "jahr" and sources.get(name):
            source = sources[name]
            found.append((1, readable(source) if source == name else source, name))
    found.sort(key=lambda item: item[0])  # stable: the file's order within each kind
    return {label: column for _, label, column in found}
