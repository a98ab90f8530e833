"""Shared plumbing of the synthetic-data generators: write the CSV, the ``--out`` option.

Imported by ``scripts/make_*.py`` when they run as scripts (``scripts/`` is then on
``sys.path``). The generating code itself stays in each script, where it can be read.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def write_csv(out: Path, dataset_id: str, columns: list[str], rows: list[list[str]]) -> Path:
    """``<out>/<dataset_id>.csv``: comma-separated, UTF-8, LF line ends (byte-stable)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{dataset_id}.csv"
    lines = [",".join(columns)] + [",".join(r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def main(dataset_id: str, description: str, write: Callable[[Path], Path]) -> None:
    """Command line of a generator: ``--out FOLDER`` (default ``datasets/<dataset_id>``)."""
    default = Path(__file__).resolve().parents[1] / "datasets" / dataset_id
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--out",
        type=Path,
        default=default,
        help="Zielordner (Vorgabe: datasets/" + dataset_id + ")",
    )
    args = parser.parse_args()
    print(write(args.out))
