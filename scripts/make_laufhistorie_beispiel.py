"""Generate datasets/laufhistorie-beispiel: an example export of the run history.

Synthetic: the values are not measured but follow a plausible pattern for the
lab "fair-entscheiden" (a sweep over threshold x balancing method, repeated runs
that differ only in the split seed ``startwert``, one failed run, a code change
that shifts results slightly). Like the real lab, the metrics are a deterministic
function of the settings and the code version: identical settings and code give
identical numbers; only another ``startwert`` (another train/test split) moves
them, by about the spread measured on the real lab (sd 0.007 accuracy, 0.012
selection-rate gap over ten split seeds). Same layout as ``datenlabor runs --export``.
Seeded and byte-for-byte reproducible.

    python scripts/make_laufhistorie_beispiel.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import zlib
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


def metrics(params: dict, code: str) -> dict:
    """Deterministic in (settings, code version), like the real lab; the split seed adds noise."""
    schwelle, ausgleich = params["schwelle"], params["ausgleich"]
    shift = -0.012 if code == NEW else 0.0  # the code change costs a little accuracy
    # The split noise depends only on the seed and the test share, never on when a run happened.
    key = f"{params['startwert']}|{params['anteil_test']}".encode()
    split = np.random.default_rng(zlib.crc32(key)).normal(0, [0.007, 0.012])
    # Accuracy peaks near 0.5; balancing costs a little accuracy and shrinks the group gap.
    acc = 0.88 - 0.55 * (schwelle - 0.5) ** 2 + shift + split[0]
    gap = 0.30 - 0.25 * abs(schwelle - 0.45) + split[1]
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

    def params(schwelle, ausgleich, anteil=0.3, startwert=2026):
        return {
            "merkmal_nutzen": "True",
            "ausgleich": ausgleich,
            "schwelle": schwelle,
            "anteil_test": anteil,
            "startwert": startwert,
            "daten": "",
        }

    # Two single runs by hand, one of them with a broken own CSV file.
    add("ok", params(0.5, "keiner"), metrics(params(0.5, "keiner"), OLD), OLD)
    add(
        "fehlgeschlagen", {**params(0.5, "keiner"), "daten": "/home/amt/antraege_2025.csv"}, {}, OLD
    )
    # The sweep: threshold x balancing method; its point (0.5, keiner) repeats the first run.
    sweep = "5b7e0c2d91"
    index = 0
    for schwelle in [0.3, 0.5, 0.7]:
        for ausgleich in ["keiner", "Umgewichtung"]:
            point = f"p{index:03d}-schwelle-{schwelle}-ausgleich-{ausgleich}"
            setting = params(schwelle, ausgleich)
            add("ok", setting, metrics(setting, OLD), OLD, sweep, point)
            index += 1
    # A second sweep repeats the default setting with other split seeds: the run-to-run spread.
    sweep = "c41a9e7f03"
    for index, startwert in enumerate([1, 2, 3, 4]):
        point = f"p{index:03d}-startwert-{startwert}"
        setting = params(0.5, "keiner", startwert=startwert)
        add("ok", setting, metrics(setting, OLD), OLD, sweep, point)
    # After a code change the same setting gives a slightly different result.
    later = start + timedelta(days=9)
    for anteil in [0.3, 0.4, 0.2]:
        setting = params(0.5, "keiner", anteil)
        add("ok", setting, metrics(setting, NEW), NEW, when=later if anteil == 0.3 else None)
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
