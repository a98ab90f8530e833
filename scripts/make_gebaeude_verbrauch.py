"""Generate the synthetic dataset ``gebaeude-verbrauch``.

Daily heat consumption (heating and hot water, kWh) of twelve municipal
buildings of the fictional city "Musterstadt" in 2024 and 2025. Consumption
follows the outdoor temperature (heating degree days with a building-specific
heating limit), the kind of day (working day, school holidays, weekend or
public holiday) and the building's use, with multiplicative noise and a small
drift. Faults are planted on purpose and recorded per day in ``stoerung``:

* ``Dauerlast``: a constant extra load for weeks (stuck valve, leaking hot-water pipe)
* ``Heizung in den Ferien``: heating runs as on school days during a holiday period
* ``Wochenendabsenkung aus``: heating is not turned down at weekends (weekend days only)
* ``Zählerausfall``: the meter reports 0 for several days
* ``Zählerspitze``: a single implausibly high reading

A planned special use (emergency shelter in a sports hall, January 2025) raises
consumption too, but is not a fault and is therefore not marked.

A second table, ``gebaeude-jahreswerte``, has one row per building with annual
values for 2024 (the cross-sectional shape of an energy report): heat is the sum
of the daily table, floor area (BGF), year of construction and electricity are
invented per building (electricity: a typical kWh/m² of the kind of building with
seeded noise of about 10 %).

Usage: python scripts/make_gebaeude_verbrauch.py [--out DIR]
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import _synth
import numpy as np

SEED = 2026
DATASET_ID = "gebaeude-verbrauch"
START, END = dt.date(2024, 1, 1), dt.date(2025, 12, 31)

COLUMNS = [
    "datum",
    "gebaeude_id",
    "gebaeude",
    "gebaeudeart",
    "aussentemperatur",
    "schulferien",
    "feiertag",
    "verbrauch_kwh",
    "stoerung",
]

# id, name, kind, base load per day (kWh, hot water and equipment), kWh per heating degree day
BUILDINGS = [
    ("G01", "Grundschule Lindenweg", "Schule", 90, 95),
    ("G02", "Grundschule Am Park", "Schule", 75, 80),
    ("G03", "Gesamtschule Nord", "Schule", 260, 290),
    ("G04", "Gymnasium Altstadt", "Schule", 220, 240),
    ("G05", "Kita Sonnenschein", "Kita", 45, 38),
    ("G06", "Kita Regenbogen", "Kita", 55, 45),
    ("G07", "Kita Pusteblume", "Kita", 35, 30),
    ("G08", "Rathaus", "Verwaltung", 180, 210),
    ("G09", "Verwaltungsgebäude Marktplatz", "Verwaltung", 110, 120),
    ("G10", "Turnhalle Lindenweg", "Turnhalle", 70, 85),
    ("G11", "Sporthalle Nord", "Turnhalle", 120, 140),
    ("G12", "Bürgerhaus Oststadt", "Bürgerhaus", 60, 75),
]

# Annual table: id, gross floor area (BGF, m²), year of construction, heat supply
ANNUAL = {
    "G01": (2100, 1964, "Gas"),
    "G02": (1500, 1972, "Gas"),
    "G03": (5200, 1976, "Fernwärme"),
    "G04": (4300, 1958, "Fernwärme"),
    "G05": (800, 1993, "Gas"),
    "G06": (700, 1985, "Gas"),
    "G07": (650, 2008, "Wärmepumpe"),
    "G08": (3600, 1961, "Fernwärme"),
    "G09": (2400, 1979, "Gas"),
    "G10": (1400, 1969, "Gas"),
    "G11": (2600, 1982, "Gas"),
    "G12": (1300, 1954, "Öl"),
}
ANNUAL_YEAR = "2024"
# Typical electricity use in kWh per m² and year by kind of building (order of magnitude of
# published benchmarks for public buildings; invented for Musterstadt).
POWER_PER_M2 = {"Schule": 12, "Kita": 18, "Verwaltung": 30, "Turnhalle": 15, "Bürgerhaus": 20}
ANNUAL_COLUMNS = [
    "gebaeude_id",
    "gebaeude",
    "gebaeudeart",
    "waermeversorgung",
    "baujahr",
    "flaeche_m2",
    "verbrauch_kwh",
    "strom_kwh",
]

# Use factor by kind of building and kind of day.
FACTORS = {
    "Schule": {"werktag": 1.0, "ferien": 0.5, "frei": 0.45},
    "Kita": {"werktag": 1.0, "ferien": 0.9, "frei": 0.45},
    "Verwaltung": {"werktag": 1.0, "ferien": 0.95, "frei": 0.5},
    "Turnhalle": {"werktag": 1.0, "ferien": 0.7, "frei": 0.8},
    "Bürgerhaus": {"werktag": 0.8, "ferien": 0.8, "frei": 1.0},
}

# School holidays (modelled on North Rhine-Westphalia) and public holidays.
SCHULFERIEN = [
    ("2024-01-01", "2024-01-05"),
    ("2024-03-25", "2024-04-06"),
    ("2024-05-21", "2024-05-21"),
    ("2024-07-08", "2024-08-20"),
    ("2024-10-14", "2024-10-26"),
    ("2024-12-23", "2025-01-06"),
    ("2025-04-14", "2025-04-26"),
    ("2025-06-10", "2025-06-10"),
    ("2025-07-14", "2025-08-26"),
    ("2025-10-13", "2025-10-25"),
    ("2025-12-22", "2025-12-31"),
]
FEIERTAGE = [
    "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-01", "2024-05-09", "2024-05-20",
    "2024-05-30", "2024-10-03", "2024-11-01", "2024-12-25", "2024-12-26",
    "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-01", "2025-05-29", "2025-06-09",
    "2025-06-19", "2025-10-03", "2025-11-01", "2025-12-25", "2025-12-26",
]  # fmt: skip

# Planted faults: building, fault, first day, last day.
FAULTS = [
    ("G04", "Dauerlast", "2024-02-05", "2024-03-10"),
    ("G06", "Dauerlast", "2024-10-07", "2024-11-03"),
    ("G08", "Dauerlast", "2025-05-12", "2025-06-22"),
    ("G03", "Heizung in den Ferien", "2024-10-14", "2024-10-26"),
    ("G01", "Heizung in den Ferien", "2024-12-23", "2025-01-06"),
    ("G10", "Heizung in den Ferien", "2025-04-14", "2025-04-26"),
    ("G08", "Wochenendabsenkung aus", "2024-11-16", "2024-12-22"),
    ("G02", "Zählerausfall", "2024-06-10", "2024-06-16"),
    ("G12", "Zählerausfall", "2025-02-03", "2025-02-14"),
    ("G07", "Zählerausfall", "2025-09-01", "2025-09-05"),
    ("G05", "Zählerspitze", "2024-03-14", "2024-03-14"),
    ("G09", "Zählerspitze", "2024-08-05", "2024-08-05"),
    ("G11", "Zählerspitze", "2024-12-02", "2024-12-02"),
    ("G02", "Zählerspitze", "2025-03-20", "2025-03-20"),
    ("G12", "Zählerspitze", "2025-07-08", "2025-07-08"),
    ("G03", "Zählerspitze", "2025-11-12", "2025-11-12"),
]
# Planned special use (not a fault): sports hall as emergency shelter.
SPECIAL_USE = ("G11", "2025-01-13", "2025-02-02", 1.35)


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _days() -> list[dt.date]:
    n = (END - START).days + 1
    return [START + dt.timedelta(days=i) for i in range(n)]


def _in_ranges(day: dt.date, ranges: list[tuple[str, str]]) -> bool:
    return any(_d(a) <= day <= _d(b) for a, b in ranges)


def temperatures(rng: np.random.Generator, n: int) -> np.ndarray:
    """Daily mean temperature: annual cycle (coldest around 20 January) plus AR(1) weather."""
    doy = np.arange(n) % 365.25
    seasonal = 10.0 - 9.5 * np.cos(2 * np.pi * (doy - 20) / 365.25)
    weather = np.zeros(n)
    for i in range(1, n):
        weather[i] = 0.8 * weather[i - 1] + rng.normal(0, 2.4)
    return seasonal + weather


def generate(seed: int = SEED) -> list[list[str]]:
    """Rows of the CSV as formatted strings (deterministic for a given seed)."""
    rng = np.random.default_rng(seed)
    days = _days()
    n = len(days)
    temp = np.round(temperatures(rng, n), 1)
    ferien = np.array([_in_ranges(d, SCHULFERIEN) for d in days])
    feiertag = np.array([d.isoformat() in FEIERTAGE for d in days])
    weekend = np.array([d.weekday() >= 5 for d in days])
    frei = weekend | feiertag
    rows = []
    for bid, name, kind, base, slope in BUILDINGS:
        limit = rng.uniform(13.5, 16.5)  # heating limit temperature of this building
        hdd = np.clip(limit - temp, 0, None)
        f = FACTORS[kind]
        factor = np.where(frei, f["frei"], np.where(ferien, f["ferien"], f["werktag"]))
        drift = 1 + rng.uniform(-0.04, 0.04) * np.arange(n) / n
        expected = (base + slope * hdd**1.08) * factor * drift
        if bid == SPECIAL_USE[0]:
            a, b = _d(SPECIAL_USE[1]), _d(SPECIAL_USE[2])
            expected = expected * np.array([SPECIAL_USE[3] if a <= d <= b else 1.0 for d in days])
        value = expected * np.exp(rng.normal(0, 0.06, n))
        label = [""] * n
        for fid, fault, first, last in FAULTS:
            if fid != bid:
                continue
            extra = rng.uniform(0.25, 0.4) * float(np.mean(expected))  # only used by "Dauerlast"
            for i, d in enumerate(days):
                if not _d(first) <= d <= _d(last):
                    continue
                if fault == "Dauerlast":
                    value[i] += extra
                elif fault == "Heizung in den Ferien":
                    value[i] = value[i] / factor[i] * f["werktag"]
                elif fault == "Wochenendabsenkung aus":
                    if not frei[i]:
                        continue
                    value[i] = value[i] / factor[i] * f["werktag"]
                elif fault == "Zählerausfall":
                    value[i] = 0.0
                elif fault == "Zählerspitze":
                    value[i] = value[i] * rng.uniform(5, 12)
                label[i] = fault
        for i, d in enumerate(days):
            rows.append(
                [
                    d.isoformat(),
                    bid,
                    name,
                    kind,
                    f"{temp[i]:.1f}",
                    "true" if ferien[i] else "false",
                    "true" if feiertag[i] else "false",
                    f"{value[i]:.1f}",
                    label[i],
                ]
            )
    return rows


def annual(rows: list[list[str]], seed: int = SEED) -> list[list[str]]:
    """One row per building: heat of ``ANNUAL_YEAR`` summed from the daily ``rows``."""
    rng = np.random.default_rng(seed + 1)
    heat: dict[str, float] = {}
    for row in rows:
        if row[0].startswith(ANNUAL_YEAR):
            heat[row[1]] = heat.get(row[1], 0.0) + float(row[7])
    out = []
    for bid, name, kind, _base, _per_hdd in BUILDINGS:
        area, built, supply = ANNUAL[bid]
        power = area * POWER_PER_M2[kind] * rng.normal(1.0, 0.1)
        out.append(
            [bid, name, kind, supply, str(built), str(area), f"{heat[bid]:.0f}", f"{power:.0f}"]
        )
    return out


def write(out: Path) -> Path:
    rows = generate()
    _synth.write_csv(out, "gebaeude-jahreswerte", ANNUAL_COLUMNS, annual(rows))
    return _synth.write_csv(out, DATASET_ID, COLUMNS, rows)


if __name__ == "__main__":
    _synth.main(DATASET_ID, __doc__.splitlines()[0], write)
