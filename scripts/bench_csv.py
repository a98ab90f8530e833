"""Benchmark: ``datenlabor.read_csv`` against a hand-tuned ``pandas.read_csv``.

Reads the test corpus (tests/fixtures/csv and tests/fixtures/eigene-daten) and
a generated German CSV of about 50 MB and 500,000 rows (``;``, decimal comma,
thousands dots, dates DD.MM.YYYY, umlauts) with

* ``datenlabor.read_csv(path, convert=True)`` – detects everything itself, and
* ``pandas.read_csv(path, sep=";", decimal=",", thousands=".")`` – told the
  format by hand (the fastest a person who knows the file can do),

each in a fresh child process, so peak memory (``ru_maxrss``) is the reader's
own. Prints a table; the target is at most 2× the pandas time on the large file.

    .venv/bin/python scripts/bench_csv.py [--rows 500000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
how, paths = sys.argv[1], sys.argv[2:]
import pandas as pd  # imported before the clock starts, for both readers
if how == "datenlabor":
    import datenlabor
    from datenlabor import csvfiles, spreadsheets, statsigns
    from datenlabor.errors import CsvError
read, shape = 0, None
t = time.perf_counter()
for path in paths:
    try:
        if how == "datenlabor":
            df = datenlabor.read_csv(path, convert=True, max_bytes=200 * 1024 * 1024)
        else:
            df = pd.read_csv(path, sep=";", decimal=",", thousands=".")
        read += 1
        shape = list(df.shape)
    except CsvError if how == "datenlabor" else Exception:
        pass
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"s": seconds, "mb": peak, "read": read, "shape": shape}))
"""


def generate(path: Path, rows: int) -> None:
    """A German CSV like a statistics or finance export, about 100 bytes per row."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(18)
    day, month = rng.integers(1, 29, rows), rng.integers(1, 13, rows)
    year = rng.integers(2015, 2025, rows)
    districts = np.array(
        ["Altstadt-Nord", "Mühlbach", "Feldrand", "Äußere Ringstraße", "Sankt Georg"]
    )
    residents = rng.integers(100, 999_999, rows)
    amount = rng.normal(0, 50_000, rows)

    def german(values, places):
        text = pd.Series(values).map(lambda v: f"{v:,.{places}f}")
        return text.str.replace(",", "X").str.replace(".", ",").str.replace("X", ".")

    frame = pd.DataFrame(
        {
            "Lfd. Nr.": np.arange(1, rows + 1),
            "Stadtteil": districts[rng.integers(0, len(districts), rows)],
            "Datum": [f"{d:02d}.{m:02d}.{y}" for d, m, y in zip(day, month, year, strict=True)],
            "Jahr": year,
            "Einwohner": german(residents, 0),
            "Anteil in %": german(rng.uniform(0, 100, rows), 1),
            "Betrag in Euro": german(amount, 2),
            "Fläche in m²": german(rng.uniform(10, 99_999, rows), 2),
            "Kategorie": np.array(["Straße", "Grünfläche", "Müll", "Beleuchtung"])[
                rng.integers(0, 4, rows)
            ],
            "Adresse": np.char.add(
                np.array(["Hauptstraße ", "Am Mühlbach ", "Lindenweg ", "Rathausplatz "])[
                    rng.integers(0, 4, rows)
                ],
                rng.integers(1, 200, rows).astype(str),
            ),
            "Bemerkung": np.array(["", "geprüft", "Rückfrage beim Träger", "ok"])[
                rng.integers(0, 4, rows)
            ],
        }
    )
    frame.to_csv(path, sep=";", index=False, encoding="utf-8")


def measure(paths: list[Path], how: str, repeat: int) -> dict:
    """Median time and largest peak memory of ``repeat`` fresh processes reading ``paths``."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, how, *map(str, paths)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        runs.append(json.loads(out.stdout))
    return {
        "s": statistics.median(r["s"] for r in runs),
        "mb": max(r["mb"] for r in runs),
        "read": runs[0]["read"],
        "shape": runs[0]["shape"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generate", metavar="DATEI", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(Path(args.generate), args.rows)
        return 0
    corpus = sorted((ROOT / "tests" / "fixtures" / "csv").glob("*.csv")) + sorted(
        (ROOT / "tests" / "fixtures" / "eigene-daten").glob("*.csv")
    )
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "gross.csv"
        # generated in a child process: the peak memory of this process is inherited by
        # the measuring children (ru_maxrss survives fork and exec on Linux)
        subprocess.run(
            [sys.executable, __file__, "--generate", str(big), "--rows", str(args.rows)],
            check=True,
            cwd=ROOT,
        )
        size_mb = big.stat().st_size / 1024 / 1024
        small = {how: measure(corpus, how, 1) for how in ("pandas", "datenlabor")}
        large = {how: measure([big], how, args.repeat) for how in ("pandas", "datenlabor")}
    names = {"pandas": "pandas (von Hand eingestellt)", "datenlabor": "datenlabor.read_csv"}
    print(f"\nKorpus: {len(corpus)} Dateien; große Datei: {size_mb:.1f} MB, {args.rows} Zeilen")
    print(f"{'Fall':<36}{'Zeit (s)':>10}{'Spitze (MB)':>13}{'Ergebnis':>18}")
    print("-" * 77)
    for how in ("pandas", "datenlabor"):
        r = small[how]
        result = f"{r['read']}/{len(corpus)} gelesen"
        print(f"Korpus, {names[how]:<28}{r['s']:>10.2f}{r['mb']:>13.0f}{result:>18}")
    for how in ("pandas", "datenlabor"):
        r = large[how]
        result = "×".join(map(str, r["shape"] or []))
        print(f"Groß, {names[how]:<30}{r['s']:>10.2f}{r['mb']:>13.0f}{result:>18}")
    ratio = large["datenlabor"]["s"] / large["pandas"]["s"]
    print("-" * 77)
    print(f"Verhältnis datenlabor/pandas auf der großen Datei: {ratio:.2f}× (Ziel: höchstens 2×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
