"""Helpers shared by test modules (imported explicitly, never through conftest)."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


def fixture_path(*parts: str) -> Path:
    """Path of a test fixture (notebooks, labs, CSV files)."""
    return FIXTURES.joinpath(*parts)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    """Wait until ``url`` answers; ``RuntimeError`` if ``proc`` exits first, else ``TimeoutError``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


def german_csv(df: pd.DataFrame, encoding: str = "cp1252") -> bytes:
    """The table as a German spreadsheet saves it: ``;``, decimal comma, dd.mm.yyyy, ja/nein.

    ``encoding`` is Windows-1252 like Excel's "CSV (Trennzeichen-getrennt)";
    ``utf-8-sig`` is its "CSV UTF-8". Lines end with CRLF.
    """
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_bool_dtype(series):
            out[col] = series.map({True: "ja", False: "nein"})
        elif pd.api.types.is_datetime64_any_dtype(series):
            has_time = (series.dropna() != series.dropna().dt.normalize()).any()
            out[col] = series.dt.strftime("%d.%m.%Y %H:%M" if has_time else "%d.%m.%Y")
    text = out.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    return text.encode(encoding)
