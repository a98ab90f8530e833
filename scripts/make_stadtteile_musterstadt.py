"""Generate the synthetic dataset ``stadtteile-musterstadt``.

Population and social indicators per district ("Stadtteil") of the fictional
city Musterstadt, 2015-2024. The data is invented, but shaped like real
municipal statistics, including the untidy parts a lesson has to clean:

* Altstadt-Nord and Altstadt-Süd are merged into "Altstadt" from 2020 on.
* "Sankt Georg" is spelled "St. Georg" until 2017.
* The unemployment rate uses a larger reference population from 2021 on,
  so it drops by about a tenth without any real change (break in the series).
* Two values are missing (one not delivered, one suppressed for small counts).
* "Am Sonnenhang" is a new housing area that grows strongly from 2017 on;
  "Feldrand" is small, so its rates jump from year to year.

Usage: python scripts/make_stadtteile_musterstadt.py [--out DIR]
The output is byte-for-byte identical for every run (seed 2026).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

SEED = 2026
YEARS = list(range(2015, 2025))
MERGE_YEAR = 2020  # first year of the merged "Altstadt"
RENAME_YEAR = 2018  # first year of the spelling "Sankt Georg"
METHOD_YEAR = 2021  # first year of the new unemployment-rate reference population
METHOD_FACTOR = 0.9  # larger denominator -> rate about 10 % lower

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "datasets" / "stadtteile-musterstadt"

COLUMNS = [
    "jahr",
    "stadtteil",
    "einwohner",
    "geburten",
    "anteil_unter_18",
    "anteil_ab_65",
    "arbeitslosenquote",
    "anteil_sgb2_haushalte",
    "wohnflaeche_je_einwohner",
    "kita_plaetze_je_100_kinder",
    "gruenflaeche_je_einwohner",
    "hinweis",
]

# name: population 2015, yearly growth, share <18, share 65+, unemployment rate,
# SGB II households, living space per person, Kita places per 100 children,
# green space per person (2015), births per 1000 inhabitants
DISTRICTS = {
    "Altstadt-Nord": (7800, 0.003, 12.1, 17.5, 7.9, 11.8, 38.0, 84.0, 6.2, 9.0),
    "Altstadt-Süd": (6900, 0.004, 13.0, 16.2, 7.1, 10.4, 39.5, 86.0, 5.4, 9.4),
    "Neustadt": (16200, 0.002, 15.2, 19.4, 6.2, 9.1, 41.0, 88.0, 14.3, 9.5),
    "Bahnhofsviertel": (9000, 0.003, 17.1, 12.3, 11.6, 19.2, 31.0, 68.0, 3.9, 12.1),
    "Sankt Georg": (11900, 0.000, 15.8, 22.4, 5.1, 6.2, 46.0, 91.0, 22.5, 8.0),
    "Hafenviertel": (8100, 0.004, 19.0, 13.1, 12.8, 21.3, 29.5, 65.0, 7.1, 13.0),
    "Lindenhof": (12500, 0.001, 18.2, 20.6, 3.8, 3.6, 52.0, 95.0, 35.0, 8.6),
    "Am Sonnenhang": (3100, 0.000, 14.0, 18.0, 3.3, 2.6, 44.0, 90.0, 28.0, 7.0),
    "Eichwald": (10500, -0.001, 16.8, 24.1, 3.4, 3.1, 55.0, 93.0, 48.0, 7.5),
    "Mühlbach": (13800, 0.001, 18.1, 18.2, 7.2, 10.1, 39.0, 80.0, 16.0, 10.1),
    "Weststadt": (14800, 0.003, 19.8, 15.9, 9.8, 15.2, 34.0, 73.0, 9.2, 11.4),
    "Rosenau": (7400, -0.002, 15.9, 26.2, 4.3, 4.4, 50.0, 97.0, 31.0, 7.0),
    "Feldrand": (2150, 0.001, 19.2, 21.0, 3.0, 2.0, 58.0, 38.0, 120.0, 8.2),
}

# Economic cycle of the whole city: points added to a rate of 6 % (scaled by level).
CYCLE = dict(zip(YEARS, [0.0, -0.2, -0.4, -0.6, -0.7, 0.3, 0.0, -0.3, -0.3, -0.1], strict=True))


def sonnenhang_share(t: int) -> float:
    """Share of the new housing area that is built and occupied after t years."""
    return float(1.0 / (1.0 + np.exp(-(t - 5.0) / 1.2)))


def simulate(rng: np.random.Generator) -> dict[str, dict[int, dict[str, float]]]:
    """Raw (unrounded) values for every district part and year."""
    data: dict[str, dict[int, dict[str, float]]] = {}
    for name, (pop0, growth, u18, o65, alq, sgb2, space, kita, green, births) in DISTRICTS.items():
        green_area = green * pop0  # square metres, fixed unless built over
        rows = {}
        for year in YEARS:
            t = year - 2015
            pop = pop0 * (1 + growth) ** t * (1 + rng.normal(0, 0.004))
            v_u18, v_o65, v_kita, v_births, v_area = u18, o65, kita, births, green_area
            if name == "Am Sonnenhang":
                s = sonnenhang_share(t) - sonnenhang_share(0)
                pop = 3100 + 6900 * s + rng.normal(0, 40)
                v_u18 = 14.0 + 13.0 * s
                v_o65 = 18.0 - 9.0 * s
                v_births = 7.0 + 8.0 * s
                v_area = green_area - 40000 * s  # fields become houses
                # the children arrive before the new Kita (opened 2022)
                v_kita = 90.0 - 30.0 * s + (22.0 if year >= 2022 else 0.0)
            elif name == "Feldrand":
                # one Kita group until 2018, a new Kita from 2019 on: big jump for few children
                v_kita = 38.0 if year < 2019 else 88.0
            scale = np.sqrt(10000 / pop)  # small districts are noisier
            rate = alq + CYCLE[year] * alq / 6.0 + rng.normal(0, 0.12 * scale)
            if year >= METHOD_YEAR:
                rate *= METHOD_FACTOR
            rows[year] = {
                "einwohner": pop,
                "geburten": float(rng.poisson(pop * v_births / 1000)),
                "anteil_unter_18": v_u18 - 0.05 * t + rng.normal(0, 0.15 * scale),
                "anteil_ab_65": v_o65 + 0.15 * t + rng.normal(0, 0.15 * scale),
                "arbeitslosenquote": rate,
                "anteil_sgb2_haushalte": sgb2
                + 0.6 * CYCLE[year] * sgb2 / 10.0
                + rng.normal(0, 0.2 * scale),
                "wohnflaeche_je_einwohner": space + 0.12 * t + rng.normal(0, 0.15),
                "kita_plaetze_je_100_kinder": v_kita + 1.2 * t + rng.normal(0, 0.8 * scale),
                "gruenflaeche_je_einwohner": v_area / pop,
            }
        data[name] = rows
    return data


def merged(parts: list[dict[str, float]]) -> dict[str, float]:
    """Combine district parts: counts add up, rates are population-weighted means."""
    total = sum(p["einwohner"] for p in parts)
    out = {"einwohner": total, "geburten": sum(p["geburten"] for p in parts)}
    for key in parts[0]:
        if key not in out:
            out[key] = sum(p[key] * p["einwohner"] for p in parts) / total
    return out


def build_rows(data: dict[str, dict[int, dict[str, float]]]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for year in YEARS:
        for name in DISTRICTS:
            values = data[name][year]
            label, note = name, ""
            if name.startswith("Altstadt-"):
                if year >= MERGE_YEAR:
                    if name == "Altstadt-Süd":
                        continue  # added together with Altstadt-Nord
                    values = merged([data["Altstadt-Nord"][year], data["Altstadt-Süd"][year]])
                    label = "Altstadt"
                    if year == MERGE_YEAR:
                        note = "Neu gebildet aus Altstadt-Nord und Altstadt-Süd"
                elif year == MERGE_YEAR - 1:
                    note = "Ab 2020 mit dem Nachbarteil zum Stadtteil Altstadt zusammengelegt"
            if name == "Sankt Georg" and year < RENAME_YEAR:
                label = "St. Georg"
                if year == RENAME_YEAR - 1:
                    note = "Ab 2018 amtliche Schreibweise Sankt Georg"
            row: dict[str, object] = {"jahr": year, "stadtteil": label}
            row["einwohner"] = int(round(values["einwohner"]))
            row["geburten"] = int(values["geburten"])
            for key in COLUMNS[4:-1]:
                row[key] = f"{values[key]:.1f}"
            if year == METHOD_YEAR:
                note = (
                    "Arbeitslosenquote ab 2021 bezogen auf alle zivilen Erwerbspersonen; "
                    "mit den Vorjahren nur eingeschränkt vergleichbar"
                )
            if name == "Hafenviertel" and year == 2019:
                row["gruenflaeche_je_einwohner"] = ""
                note = "Grünfläche 2019 nicht geliefert (Flächenerhebung unvollständig)"
            if name == "Feldrand" and year == 2016:
                row["anteil_sgb2_haushalte"] = ""
                note = "SGB-II-Anteil wegen kleiner Fallzahl geheim gehalten"
            row["hinweis"] = note
            rows.append(row)
    return rows


def write_csv(rows: list[dict[str, object]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="target folder")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(SEED)
    path = args.out / "stadtteile.csv"
    write_csv(build_rows(simulate(rng)), path)
    return path


if __name__ == "__main__":
    print(main())
