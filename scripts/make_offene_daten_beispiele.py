"""Generate the synthetic dataset ``offene-daten-beispiele``.

Three small tables of the fictional city Musterstadt, each written twice:

* ``<name>-roh.csv``: deliberately messy, the way files come from open-data
  portals and spreadsheet exports (the lab "Offene Daten nutzen" cleans them);
* ``<name>.csv``: the same data cleaned (UTF-8, comma, ISO dates, ``.`` decimals),
  the reference the lab compares its own cleaning with.

Planted problems:

* ``kita-plaetze-roh.csv``: Windows-1252, ``;``, CRLF, decimal comma and
  thousands dot, missing values as empty cells, ``n/a`` and ``k.A.``, trailing
  spaces in Stadtteil and Träger, the header row repeated in the middle (two
  exports pasted together) and one typo (1.200 places instead of 120).
* ``no2-messwerte-roh.csv``: UTF-8 with byte order mark, ``;``, dates as
  ``dd.mm.yyyy``, numbers in quotes with decimal comma, ``-`` for a failed
  measurement, five rows exported twice and one sensor spike.
* ``spielplaetze-roh.csv``: UTF-8, ``,``, quoted texts that contain commas and
  quotes, ISO dates, inconsistent spelling of a category (``Spielplatz`` vs.
  ``spielplatz ``).

Usage: python scripts/make_offene_daten_beispiele.py [--out DIR]
The output is byte-for-byte identical for every run (seed 2026).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np

SEED = 2026
DATASET_ID = "offene-daten-beispiele"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "datasets" / DATASET_ID

DISTRICTS = {  # name: children under 6 (2023)
    "Altstadt": 690,
    "Neustadt": 910,
    "Bahnhofsviertel": 640,
    "Sankt Georg": 560,
    "Hafenviertel": 620,
    "Lindenhof": 700,
    "Am Sonnenhang": 480,
    "Eichwald": 520,
    "Mühlbach": 810,
    "Weststadt": 1090,
    "Rosenau": 350,
    "Feldrand": 140,
}
PROVIDERS = {"kommunal": 0.45, "kirchlich": 0.30, "frei": 0.25}
STATIONS = {"Am Ring": 38.0, "Hafenstraße": 30.0, "Stadtpark": 17.0}
PLAYGROUND_KINDS = ["Spielplatz", "Bolzplatz", "Wasserspielplatz", "Bewegungsparcours"]
STREETS = [
    "Am Markt",
    "Lindenallee",
    "Hafenstraße",
    "Waldweg",
    "Mühlbachweg",
    "Westring",
    "Rosenstraße",
    "Feldweg",
    "Georgsplatz",
    "Bahnhofstraße",
    "Sonnenhang",
    "Neue Mitte",
]
NOTES = [
    "Sandkasten, Schaukel",
    "Rutsche, Klettergerüst",
    "Tore neu",
    "Sitzbänke, Schatten",
    "Wasserpumpe",
    "Kleinkindbereich, Sandkasten",
    "Seilbahn",
    "",
]

KITA_COLUMNS = [
    "Stadtteil",
    "Träger",
    "Jahr",
    "Plätze",
    "Belegte Plätze",
    "Auslastung in %",
    "Kinder unter 6",
]
NO2_COLUMNS = ["Datum", "Station", "NO2 in µg/m³", "Temperatur in °C"]
PLAY_COLUMNS = ["Name", "Adresse", "Art", "Fläche in m²", "Letzte Prüfung", "Ausstattung"]


# --------------------------------------------------------------------------- data


def kita_rows(rng: np.random.Generator) -> list[dict]:
    rows = []
    for year in (2023, 2024):
        for district, kids in DISTRICTS.items():
            children = int(round(kids * (1.0 + 0.03 * (year - 2023)) * rng.normal(1.0, 0.02)))
            for provider, share in PROVIDERS.items():
                if district == "Feldrand" and provider == "frei":
                    continue  # no such facility there
                places = int(round(children * 0.9 * share * rng.normal(1.0, 0.12) / 5) * 5)
                used = int(min(places, round(places * rng.uniform(0.86, 1.0))))
                rows.append(
                    {
                        "Stadtteil": district,
                        "Träger": provider,
                        "Jahr": year,
                        "Plätze": places,
                        "Belegte Plätze": used,
                        "Auslastung in %": round(100 * used / places, 1),
                        "Kinder unter 6": children,
                    }
                )
    # Planted: a typo (an extra zero) that a profile should flag as outlier.
    typo = next(r for r in rows if r["Stadtteil"] == "Rosenau" and r["Jahr"] == 2024)
    typo["Plätze"] = typo["Plätze"] * 10
    typo["Auslastung in %"] = round(100 * typo["Belegte Plätze"] / typo["Plätze"], 1)
    # Planted: values not delivered.
    for i in (5, 17, 40):
        rows[i]["Belegte Plätze"] = None
        rows[i]["Auslastung in %"] = None
    rows[29]["Kinder unter 6"] = None
    return rows


def no2_rows(rng: np.random.Generator) -> list[dict]:
    rows = []
    start = dt.date(2024, 1, 1)
    for day in range(91):
        date = start + dt.timedelta(days=day)
        temp = 2.0 + 8.0 * day / 90 + rng.normal(0, 2.5)
        weekend = 0.75 if date.weekday() >= 5 else 1.0
        for station, level in STATIONS.items():
            value = max(3.0, level * weekend * rng.normal(1.0, 0.18) - 0.3 * temp)
            rows.append(
                {
                    "Datum": date,
                    "Station": station,
                    "NO2 in µg/m³": round(value, 1),
                    "Temperatur in °C": round(temp, 1),
                }
            )
    rows[100]["NO2 in µg/m³"] = 412.0  # planted sensor spike
    for i in (44, 45, 46, 190):  # planted failures
        rows[i]["NO2 in µg/m³"] = None
    return rows


def play_rows(rng: np.random.Generator) -> list[dict]:
    rows = []
    for i in range(36):
        street = STREETS[i % len(STREETS)]
        kind = PLAYGROUND_KINDS[int(rng.choice(4, p=[0.6, 0.2, 0.1, 0.1]))]
        district = list(DISTRICTS)[i % len(DISTRICTS)]
        number = int(rng.integers(1, 60))
        address = f"{street} {number}" + (", Ecke Bahnhofstraße" if i % 7 == 0 else "")
        checked = dt.date(2024, 1, 8) + dt.timedelta(days=int(rng.integers(0, 330)))
        note = NOTES[int(rng.integers(0, len(NOTES)))]
        if i == 9:
            note = 'von Kindern „Piratenschiff“ genannt, "Schiff" im Plan'
        rows.append(
            {
                "Name": f"{kind} {district} {i // 12 + 1}",
                "Adresse": address,
                "Art": kind,
                "Fläche in m²": round(float(rng.lognormal(6.9, 0.5)), 1),
                "Letzte Prüfung": checked,
                "Ausstattung": note or None,
            }
        )
    for i, row in enumerate(rows):
        if row["Art"] == "Spielplatz" and i % 5 == 2:
            row["Art"] = "spielplatz "  # typed by hand in another office
    rows[13]["Fläche in m²"] = None
    return rows


# --------------------------------------------------------------------------- writing


def _de_number(value: float | int | None, decimals: int | None = None) -> str:
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}" if decimals is not None else f"{value:,}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def _clean_csv(rows: list[dict], columns: list[str]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        out = []
        for col in columns:
            value = row[col]
            if value is None:
                out.append("")
            elif isinstance(value, dt.date):
                out.append(value.isoformat())
            else:
                out.append(str(value).strip())
        writer.writerow(out)
    return buf.getvalue().encode("utf-8")


def kita_raw(rows: list[dict], rng: np.random.Generator) -> bytes:
    lines = [";".join(KITA_COLUMNS)]
    markers = iter(["n/a", "", "k.A.", "n/a"])
    for i, row in enumerate(rows):
        if i == len(rows) // 2:
            lines.append(";".join(KITA_COLUMNS))  # second export pasted below the first
        cells = []
        for col in KITA_COLUMNS:
            value = row[col]
            if value is None:
                cells.append(next(markers, ""))
            elif col == "Auslastung in %":
                cells.append(_de_number(value, 1))
            elif col in ("Plätze", "Belegte Plätze", "Kinder unter 6"):
                cells.append(_de_number(value))
            elif col in ("Stadtteil", "Träger") and rng.random() < 0.15:
                cells.append(f"{value} ")  # trailing space from a spreadsheet
            else:
                cells.append(str(value))
        lines.append(";".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def no2_raw(rows: list[dict]) -> tuple[bytes, list[dict]]:
    duplicated = {12, 13, 14, 150, 151}  # rows exported twice
    lines = [";".join(NO2_COLUMNS)]
    for i, row in enumerate(rows):
        value = row["NO2 in µg/m³"]
        cells = [
            row["Datum"].strftime("%d.%m.%Y"),
            row["Station"],
            "-" if value is None else f'"{_de_number(value, 1)}"',
            f'"{_de_number(row["Temperatur in °C"], 1)}"',
        ]
        lines.append(";".join(cells))
        if i in duplicated:
            lines.append(";".join(cells))
    return b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode("utf-8"), rows


def play_raw(rows: list[dict]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(PLAY_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row["Name"],
                row["Adresse"],
                row["Art"],
                "" if row["Fläche in m²"] is None else f"{row['Fläche in m²']:.1f}",
                row["Letzte Prüfung"].isoformat(),
                row["Ausstattung"] or "",
            ]
        )
    return buf.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- package

FIELD_DOCS = {
    "Stadtteil": ("string", "Name des Stadtteils"),
    "Träger": ("string", "Art des Trägers der Kitas: kommunal, kirchlich oder frei"),
    "Jahr": ("integer", "Berichtsjahr (Stichtag 1. März)"),
    "Plätze": ("integer", "Genehmigte Betreuungsplätze für Kinder unter 6 Jahren"),
    "Belegte Plätze": ("integer", "Davon belegte Plätze"),
    "Auslastung in %": ("number", "Belegte Plätze je 100 Plätze"),
    "Kinder unter 6": ("integer", "Kinder unter 6 Jahren mit Hauptwohnsitz im Stadtteil"),
    "Datum": ("date", "Messtag"),
    "Station": ("string", "Name der Messstation"),
    "NO2 in µg/m³": ("number", "Tagesmittel Stickstoffdioxid in Mikrogramm je Kubikmeter"),
    "Temperatur in °C": ("number", "Tagesmittel der Lufttemperatur in Grad Celsius"),
    "Name": ("string", "Name der Anlage"),
    "Adresse": ("string", "Straße und Hausnummer, teils mit Ecke"),
    "Art": ("string", "Art der Anlage"),
    "Fläche in m²": ("number", "Fläche der Anlage in Quadratmetern"),
    "Letzte Prüfung": ("date", "Datum der letzten Sicherheitsprüfung"),
    "Ausstattung": ("string", "Freitext zur Ausstattung"),
}

TABLES = {
    "kita-plaetze": ("Kita-Plätze je Stadtteil und Träger 2023–2024", KITA_COLUMNS),
    "no2-messwerte": (
        "Stickstoffdioxid-Tagesmittel an drei Messstationen, 1. Quartal 2024",
        NO2_COLUMNS,
    ),
    "spielplaetze": ("Spielplätze und Bolzplätze mit letzter Prüfung", PLAY_COLUMNS),
}

RAW_DIALECT = {
    "kita-plaetze": (
        "cp1252",
        ";",
        "Windows-1252, Semikolon, Dezimalkomma und Tausenderpunkt, "
        "n/a, k.A. und leere Zellen, Leerzeichen am Ende von Kategorien, "
        "Kopfzeile in der Mitte wiederholt",
    ),
    "no2-messwerte": (
        "utf-8-sig",
        ";",
        "UTF-8 mit BOM, Semikolon, Datum TT.MM.JJJJ, Zahlen in "
        "Anführungszeichen mit Dezimalkomma, „-“ für Ausfall, fünf doppelte Zeilen",
    ),
    "spielplaetze": (
        "utf-8",
        ",",
        "UTF-8, Komma, Texte mit Kommas und Anführungszeichen in "
        "Anführungszeichen, ISO-Datum, uneinheitlich geschriebene Kategorie",
    ),
}


def _fields(columns: list[str], typed: bool) -> list[dict]:
    fields = []
    for col in columns:
        ftype, doc = FIELD_DOCS[col]
        field = {"name": col, "type": ftype if typed else "string", "description": doc}
        if typed and ftype in ("integer", "number") and col not in ("Temperatur in °C",):
            field["constraints"] = {"minimum": 0}
        if not typed and ftype != "string":
            field["description"] = doc + " (als Text, so wie im Rohformat geliefert)"
        fields.append(field)
    return fields


def descriptor() -> dict:
    resources = []
    for name, (title, columns) in TABLES.items():
        resources.append(
            {
                "name": name,
                "title": f"{title} (bereinigt)",
                "path": f"{name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": _fields(columns, typed=True)},
            }
        )
    for name, (title, columns) in TABLES.items():
        encoding, delimiter, problems = RAW_DIALECT[name]
        resources.append(
            {
                "name": f"{name}-roh",
                "title": f"{title} (Rohdatei wie vom Portal)",
                "description": f"Absichtlich unordentlich: {problems}. Alle Spalten als Text "
                "beschrieben, weil die Rohdatei erst bereinigt werden muss.",
                "path": f"{name}-roh.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": encoding,
                "dialect": {"delimiter": delimiter},
                "schema": {"fields": _fields(columns, typed=False)},
            }
        )
    return {
        "name": DATASET_ID,
        "title": "Offene Daten aus Musterstadt: drei unordentliche Beispieldateien (synthetisch)",
        "description": (
            "Drei kleine Tabellen der erfundenen Stadt Musterstadt, jeweils zweimal: als "
            "Rohdatei, wie sie oft aus Datenportalen und Tabellenkalkulationen kommt (…-roh.csv), "
            "und bereinigt (UTF-8, Komma, ISO-Datum, Punkt als Dezimalzeichen). Die Daten sind "
            "vollständig synthetisch (erzeugt mit scripts/make_offene_daten_beispiele.py). "
            "Eingebaute Stolpersteine: Kita-Plätze in Windows-1252 mit Semikolon, Dezimalkomma, "
            "Tausenderpunkt, fehlenden Werten als leere Zelle, „n/a“ und „k.A.“, Leerzeichen am "
            "Ende von Stadtteil und Träger, wiederholter Kopfzeile in der Mitte und einem "
            "Tippfehler (Rosenau 2024: zehnmal so viele Plätze, ein Ausreißer); "
            "Stickstoffdioxid in UTF-8 mit BOM, Datum TT.MM.JJJJ, Zahlen in Anführungszeichen, "
            "„-“ für Messausfälle, fünf doppelt exportierten Zeilen und einer Messspitze von "
            "412 µg/m³ (Ausreißer); Spielplätze mit Komma als Trennzeichen, Adressen und "
            "Bemerkungen mit Kommas und Anführungszeichen und der Kategorie „spielplatz “ neben "
            "„Spielplatz“. Muster: Am Ring ist die Belastung am höchsten, am Wochenende sinkt sie. "
            "Die bereinigten Dateien enthalten die Tippfehler und Ausreißer weiterhin (Bereinigen "
            "heißt Lesen, nicht Verbessern), aber keine doppelten Zeilen."
        ),
        "synthetic": True,
        "keywords": ["Offene Daten", "CSV", "Datenqualität", "Kita", "Luftqualität", "synthetisch"],
        "sources": [
            {
                "title": "Synthetisch erzeugt mit scripts/make_offene_daten_beispiele.py, "
                f"Seed {SEED}"
            }
        ],
        "licenses": [
            {
                "name": "CC0-1.0",
                "path": "https://creativecommons.org/publicdomain/zero/1.0/",
                "title": "CC0 1.0",
            }
        ],
        "resources": resources,
    }


def build(out: Path) -> None:
    rng = np.random.default_rng(SEED)
    kita = kita_rows(rng)
    no2 = no2_rows(rng)
    play = play_rows(rng)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "kita-plaetze.csv": _clean_csv(kita, KITA_COLUMNS),
        "kita-plaetze-roh.csv": kita_raw(kita, rng),
        "no2-messwerte.csv": _clean_csv(no2, NO2_COLUMNS),
        "no2-messwerte-roh.csv": no2_raw(no2)[0],
        "spielplaetze.csv": _clean_csv(play, PLAY_COLUMNS),
        "spielplaetze-roh.csv": play_raw(play),
    }
    for name, data in files.items():
        (out / name).write_bytes(data)
    text = json.dumps(descriptor(), ensure_ascii=False, indent=2) + "\n"
    (out / "datapackage.json").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Zielordner")
    args = parser.parse_args(argv)
    build(args.out)


if __name__ == "__main__":
    main()
