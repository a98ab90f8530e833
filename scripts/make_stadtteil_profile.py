"""Generate the synthetic dataset ``stadtteil-profile``.

Sixty statistical districts of the fictional city "Musterstadt", each described
by eight indicators. Every district is drawn mainly from one of five hidden
district types (inner city, large housing estate, mixed residential area,
suburb of detached houses, village-like outskirts) and blended with a second
type, plus noise. The hidden type is *not* written to the CSV: the lab is about
groups that an algorithm makes, not groups that are known in advance.

Usage: python scripts/make_stadtteil_profile.py [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

import _synth
import numpy as np

SEED = 2026
DATASET_ID = "stadtteil-profile"

COLUMNS = [
    "bezirk_nr",
    "bezirk",
    "stadtteil",
    "einwohner",
    "bevoelkerungsdichte",
    "anteil_unter_18",
    "anteil_ab_65",
    "arbeitslosenquote",
    "wohnflaeche_pro_kopf",
    "gruenflaechenanteil",
    "oepnv_anbindung",
    "anteil_einfamilienhaeuser",
]

# Typical values per hidden type, in the order of COLUMNS[4:].
# density (inhabitants/km²), <18 (%), >=65 (%), unemployment (%), living space (m²/person),
# green space (%), public transport (% of inhabitants near a frequent stop), detached houses (%)
TYPES = {
    "innenstadt": [9500, 11.0, 14.0, 7.5, 36.0, 8.0, 95.0, 2.0],
    "grosssiedlung": [7000, 19.0, 23.0, 12.0, 31.0, 24.0, 78.0, 3.0],
    "gemischt": [4000, 16.0, 21.0, 6.0, 42.0, 20.0, 68.0, 22.0],
    "vorort": [1800, 21.0, 18.0, 3.5, 50.0, 34.0, 42.0, 68.0],
    "dorf": [450, 15.5, 27.0, 3.0, 56.0, 62.0, 18.0, 82.0],
}
# Noise (standard deviation) per indicator; density gets multiplicative noise instead.
NOISE = [0.15, 1.3, 1.8, 1.0, 2.4, 4.0, 5.6, 5.6]
POPULATION = {
    "innenstadt": (6000, 12000),
    "grosssiedlung": (5000, 10000),
    "gemischt": (3500, 9000),
    "vorort": (2500, 6000),
    "dorf": (700, 2500),
}
# Stadtteil names per hidden type and the number of districts in each.
STADTTEILE = {
    "innenstadt": [("Altstadt", 4), ("Bahnhofsviertel", 3), ("Nordstadt", 3)],
    "grosssiedlung": [("Hochfeld", 4), ("Am Wasserturm", 4)],
    "gemischt": [
        ("Oststadt", 4),
        ("Weststadt", 4),
        ("Südstadt", 4),
        ("Lindenhof", 2),
        ("Kanalviertel", 2),
    ],
    "vorort": [("Sonnenhang", 4), ("Birkenau", 4), ("Eichwald", 4), ("Am Rosengarten", 4)],
    "dorf": [("Kirchdorf", 3), ("Wiesenthal", 3), ("Oberholz", 2), ("Mühlbach", 2)],
}
SUFFIXES = ["Nord", "Süd", "Ost", "West", "Mitte"]
# Neighbouring types a district may be blended with (cities change gradually).
NEIGHBOURS = {
    "innenstadt": ["gemischt", "grosssiedlung"],
    "grosssiedlung": ["gemischt", "innenstadt"],
    "gemischt": ["innenstadt", "vorort", "grosssiedlung"],
    "vorort": ["gemischt", "dorf"],
    "dorf": ["vorort"],
}
BOUNDS = [(150, 16000), (5, 30), (8, 40), (1, 25), (22, 80), (2, 85), (3, 100), (0, 98)]
DECIMALS = [0, 1, 1, 1, 1, 1, 1, 1]


def generate(seed: int = SEED) -> list[list[str]]:
    """Rows of the CSV as formatted strings (deterministic for a given seed)."""
    rng = np.random.default_rng(seed)
    entries = [(t, name, n) for t, names in STADTTEILE.items() for name, n in names]
    order = rng.permutation(len(entries))
    rows = []
    for st_index, i in enumerate(order, start=1):
        kind, stadtteil, n = entries[i]
        for j in range(n):
            own = np.array(TYPES[kind], dtype=float)
            other = np.array(TYPES[rng.choice(NEIGHBOURS[kind])], dtype=float)
            w = rng.beta(10, 1.5)  # mostly the own type, partly a neighbouring type
            values = w * own + (1 - w) * other
            # density blends on a log scale and has multiplicative noise
            values[0] = np.exp(w * np.log(own[0]) + (1 - w) * np.log(other[0]))
            values[0] *= np.exp(rng.normal(0, NOISE[0]))
            values[1:] += rng.normal(0, NOISE[1:])
            lo, hi = POPULATION[kind]
            einwohner = int(rng.integers(lo, hi))
            suffix = SUFFIXES[j] if n > 1 else ""
            bezirk = f"{stadtteil}-{suffix}" if suffix else stadtteil
            row = [str(st_index * 10 + j + 1), bezirk, stadtteil, str(einwohner)]
            for v, (a, b), d in zip(values, BOUNDS, DECIMALS, strict=True):
                row.append(f"{float(np.clip(v, a, b)):.{d}f}")
            rows.append(row)
    return rows


def write(out: Path) -> Path:
    return _synth.write_csv(out, DATASET_ID, COLUMNS, generate())


if __name__ == "__main__":
    _synth.main(DATASET_ID, __doc__.splitlines()[0], write)
