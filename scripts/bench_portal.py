"""Benchmark: describing a German CSV as a data package, datenlabor against plain frictionless.

Generates German CSV files (``;``, decimal comma, thousands dots, dates
DD.MM.YYYY, statistics signs ``-`` and ``.``, Windows-1252; seeded) and the
four real-shaped files of tests/fixtures/eigene-daten, and describes each

* with ``datenlabor.datapackage.infer_resource`` (the German reader's types,
  then frictionless validates the first 20,000 rows against them), and
* with ``frictionless.describe`` – the plain tool, told nothing about the file,

each in a fresh child process (imports not timed). Prints a table with the
time, how many columns each typed as numbers or dates, whether frictionless
accepts the description (``gültig``, first 20,000 rows) and how many number
cells, read through the description, equal the German reader's value (first
5,000 rows; ``658.830`` read as 658.83 instead of 658830 counts as wrong).

    .venv/bin/python scripts/bench_portal.py [--rows 200000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
from pathlib import Path
how, path = sys.argv[1], Path(sys.argv[2]).resolve()
import frictionless
import pandas as pd
import datenlabor
from datenlabor.datapackage import infer_resource
t = time.perf_counter()
if how == "datenlabor":
    descriptor = infer_resource(path, "bench").resource
else:
    descriptor = frictionless.describe(str(path)).to_descriptor()
    descriptor["path"] = path.name
seconds = time.perf_counter() - t
fields = descriptor["schema"]["fields"]
typed = sum(f["type"] in ("integer", "number", "date", "datetime") for f in fields)
res = frictionless.Resource(descriptor, basepath=str(path.parent))
valid = res.validate(limit_rows=20000).valid
# numbers as read through the description, against the German reader (first 5,000 rows)
ref = datenlabor.read_csv(path, convert=True).head(5000)
rows = frictionless.Resource(descriptor, basepath=str(path.parent)).read_rows(size=5000)
same = total = 0
for col in ref.columns:
    if not pd.api.types.is_numeric_dtype(ref[col]):
        continue
    for want, row in zip(ref[col], rows):
        got = row.get(str(col))
        if pd.isna(want) or got is None:
            continue
        total += 1
        try:
            same += abs(float(got) - float(want)) < 1e-9
        except (TypeError, ValueError):
            pass
print(json.dumps({"s": seconds, "typed": typed, "fields": len(fields), "valid": valid,
                  "same": same, "total": total}))
"""


def generate(path: Path, rows: int) -> None:
    """A German district table: ``;``, decimal comma, thousands dots, signs, Windows-1252."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(2026)
    days = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1800, rows), unit="D")
    people = rng.integers(800, 60000, rows)
    share = rng.uniform(0, 40, rows).round(1)
    frame = pd.DataFrame(
        {
            "Stichtag": days.strftime("%d.%m.%Y"),
            "Stadtteil": rng.choice(["Altstadt-Süd", "Nordviertel", "Hafen", "Zentrum"], rows),
            "Einwohner insgesamt": [f"{p:,}".replace(",", ".") for p in people],
            "Arbeitslose in %": [f"{s:.1f}".replace(".", ",") for s in share],
        }
    )
    frame.loc[frame.sample(frac=0.01, random_state=1).index, "Arbeitslose in %"] = "."
    frame.loc[frame.sample(frac=0.01, random_state=2).index, "Arbeitslose in %"] = "-"
    frame.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")


def run(how: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, how, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "stadtteile-gross.csv"
        generate(big, args.rows)
        files = [*sorted((ROOT / "tests/fixtures/eigene-daten").glob("*.csv")), big]
        print(
            f"{'Datei':<28} {'MB':>6}  {'Werkzeug':<12} {'Sekunden':>8}  {'Zahl/Datum':>10}  gültig"
        )
        for path in files:
            size = path.stat().st_size / 1024 / 1024
            for how in ("datenlabor", "frictionless"):
                r = run(how, path)
                share = f"{r['same']} von {r['total']}" if r["total"] else "–"
                print(
                    f"{path.name:<28} {size:>5.1f}  {how:<12} {r['s']:>8.2f}  "
                    f"{r['typed']:>4} von {r['fields']:<3}  {'ja' if r['valid'] else 'nein':<6}  "
                    f"{share}"
                )


if __name__ == "__main__":
    main()
