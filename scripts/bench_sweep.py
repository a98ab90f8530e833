"""Benchmark: a sweep with ``datenlabor sweep --jobs N`` against a plain sequential papermill loop.

Not a test. Runs the same points both ways on a real lab (``daten-erkunden`` with
its CI parameters, varying year and indicator) and prints wall times, the
speed-up and the overhead per point. Target on a 2-core machine: speed-up >= 1.8.

    .venv/bin/python scripts/bench_sweep.py [--points 24] [--jobs 2]
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAB = "daten-erkunden"
AXES = ("jahr", "indikator")
YEARS = list(range(2015, 2025))
INDICATORS = [
    "Arbeitslosenquote",
    "Einwohner",
    "Anteil ab 65 Jahren",
    "Wohnfläche je Einwohner",
    "Geburten je 1.000 Einwohner",
    "Kita-Plätze je 100 Kinder",
]


def grid(points: int) -> tuple[list[int], list[str]]:
    """Years x indicators with exactly ``points`` combinations (4 indicators per year block)."""
    per = 4 if points % 4 == 0 else 1
    years = YEARS[-(points // per) :]
    if len(years) * per != points:
        raise SystemExit(
            f"--points {points} geht nicht auf (höchstens {len(YEARS) * 4}, Vielfaches von 4)"
        )
    return years, INDICATORS[:per]


def sequential(years: list[int], indicators: list[str], out: Path) -> float:
    import papermill as pm

    from datenlabor.catalog import get_lab
    from datenlabor.running import patch_kernel_polling

    # Same client fix as `datenlabor sweep` uses (nbclient#312), so both sides are comparable
    # and the plain loop does not hang under load.
    patch_kernel_polling()
    lab = get_lab(LAB)
    start = time.perf_counter()
    for i, (year, ind) in enumerate(itertools.product(years, indicators)):
        pm.execute_notebook(
            str(lab.notebook),
            str(out / f"p{i:03d}.ipynb"),
            parameters={**lab.ci_parameters, AXES[0]: year, AXES[1]: ind},
            kernel_name="datenlabor",
            progress_bar=False,
            cwd=str(out),
            execution_timeout=300,
        )
    return time.perf_counter() - start


def swept(years: list[int], indicators: list[str], jobs: int, out: Path) -> float:
    from datenlabor.catalog import get_lab

    lab = get_lab(LAB)
    fixed = [
        arg
        for name, value in lab.ci_parameters.items()
        if name not in AXES
        for arg in (
            "-p",
            name,
            ";".join([",".join(value)]) if isinstance(value, list) else str(value),
        )
    ]
    cmd = [
        sys.executable,
        "-m",
        "datenlabor.cli",
        "sweep",
        LAB,
        "-q",
        "-o",
        str(out),
        "--prozesse",
        str(jobs),
        "-p",
        AXES[0],
        ",".join(map(str, years)),
        "-p",
        AXES[1],
        ";".join(map(str, indicators)),
        *fixed,
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"Sweep fehlgeschlagen:\n{proc.stdout}\n{proc.stderr}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=24)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--fixture", action="store_true", help="the tiny test lab `mini` instead (anzahl x faktor)"
    )
    args = parser.parse_args()
    if args.fixture:
        global LAB, AXES, YEARS, INDICATORS
        os.environ["DATENLABOR_LABS"] = str(ROOT / "tests" / "fixtures" / "labs")
        os.environ["DATENLABOR_DATASETS"] = str(ROOT / "tests" / "fixtures" / "datasets")
        LAB, AXES = "mini", ("faktor", "anzahl")
        YEARS, INDICATORS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 2, 3, 4]
    years, indicators = grid(args.points)
    n = len(years) * len(indicators)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "seq").mkdir()
        print(f"{n} Punkte von „{LAB}“ (CI-Parameter, {AXES[0]} × {AXES[1]}) …", flush=True)
        t_seq = sequential(years, indicators, tmp / "seq")
        t_sweep = swept(years, indicators, args.jobs, tmp / "sweep")
    ratio = t_seq / t_sweep
    overhead = (t_sweep * args.jobs - t_seq) / n
    rows = [
        ("papermill nacheinander", f"{t_seq:.1f} s", f"{t_seq / n:.2f} s", "1,00×"),
        (
            f"datenlabor sweep --prozesse {args.jobs}",
            f"{t_sweep:.1f} s",
            f"{t_sweep / n:.2f} s",
            f"{ratio:.2f}×",
        ),
    ]
    print()
    print(f"{'Verfahren':<28} {'Wandzeit':>10} {'je Punkt':>10} {'Faktor':>8}")
    for r in rows:
        print(f"{r[0]:<28} {r[1]:>10} {r[2]:>10} {r[3]:>8}")
    print(
        f"\nZusatzaufwand je Punkt (Rechenzeit über dem Ideal, jobs × Wandzeit − nacheinander) / n: "
        f"{overhead:+.2f} s"
    )
    print(f"Ziel ≥ 1,8×: {'erreicht' if ratio >= 1.8 else 'nicht erreicht'}")


if __name__ == "__main__":
    main()
