"""Generate datasets/laufhistorie-beispiel: an example export of the run history.

Synthetic: the values are not measured but follow a plausible pattern for the
lab "fair-entscheiden" (a sweep over threshold x balancing method, a few
single runs, one failed run, a code change that shifts results slightly).
Same layout as ``datenlabor runs --export``. Seeded and byte-for-byte reproducible.

    python scripts/make_laufhistorie_beispiel.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

SEED = 2026
COLUMNS = [
    "lauf_id",
    "lab",
    "status",
    "gestartet",
    "dauer_s",
    "code_version",
    "sweep",
    "punkt",
    "art",
    "name",
    "wert",
]
LAB = "fair-entscheiden"
OLD, NEW = "git 3f2a9c1d7b44", "git 8e61b05a2c93"


def metrics(rng: np.random.Generator, schwelle: float, ausgleich: str, shift: float = 0.0) -> dict:
    # Accuracy peaks near 0.5; balancing costs a little accuracy and shrinks the group gap.
    acc = 0.88 - 0.55 * (schwelle - 0.5) ** 2 + shift + rng.normal(0, 0.006)
    gap = 0.30 - 0.25 * abs(schwelle - 0.45) + rng.normal(0, 0.01)
    if ausgleich == "Umgewichtung":
        acc -= 0.02
        gap *= 0.3
    return {"genauigkeit": round(float(acc), 4), "dp_differenz": round(float(max(gap, 0.0)), 4)}


def rows() -> list[list]:
    rng = np.random.default_rng(SEED)
    start = datetime(2026, 10, 5, 9, 12, 0)
    out: list[list] = []
    run_id = 0

    def add(status, params, values, code, sweep="", point="", when=None):
        nonlocal run_id, start
        run_id += 1
        when = when or start
        start = when + timedelta(seconds=int(rng.integers(20, 90)))
        duration = round(float(rng.normal(14.0, 1.5)), 3)
        base = [
            run_id,
            LAB,
            status,
            when.isoformat(timespec="seconds") + "+02:00",
            duration,
            code,
            sweep,
            point,
        ]
        for name, value in params.items():
            out.append([*base, "parameter", name, value])
        for name, value in values.items():
            out.append([*base, "kennzahl", name, value])

    def params(schwelle, ausgleich, anteil=0.3):
        return {
            "merkmal_nutzen": "True",
            "ausgleich": ausgleich,
            "schwelle": schwelle,
            "anteil_test": anteil,
            "daten": "",
        }

    # Two single runs by hand, one of them with a broken own CSV file.
    add("ok", params(0.5, "keiner"), metrics(rng, 0.5, "keiner"), OLD)
    add(
        "fehlgeschlagen", {**params(0.5, "keiner"), "daten": "/home/amt/antraege_2025.csv"}, {}, OLD
    )
    # The sweep: threshold x balancing method.
    sweep = "5b7e0c2d91"
    index = 0
    for schwelle in [0.3, 0.4, 0.5, 0.6, 0.7]:
        for ausgleich in ["keiner", "Umgewichtung"]:
            point = f"p{index:03d}-schwelle-{schwelle}-ausgleich-{ausgleich}"
            add(
                "ok",
                params(schwelle, ausgleich),
                metrics(rng, schwelle, ausgleich),
                OLD,
                sweep,
                point,
            )
            index += 1
    # After a code change the same setting gives a slightly different result.
    later = start + timedelta(days=9)
    add("ok", params(0.5, "keiner"), metrics(rng, 0.5, "keiner", shift=-0.012), NEW, when=later)
    add("ok", params(0.5, "keiner", 0.4), metrics(rng, 0.5, "keiner", shift=-0.012), NEW)
    add("ok", params(0.5, "keiner", 0.2), metrics(rng, 0.5, "keiner", shift=-0.012), NEW)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        default=str(Path(__file__).resolve().parents[1] / "datasets" / "laufhistorie-beispiel"),
    )
    args = parser.parse_args()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "laeufe.csv").write_bytes(buf.getvalue().encode("utf-8"))


if __name__ == "__main__":
    main()
