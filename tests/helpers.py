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


STATISTIK_DISTRICTS = [
    "Altstadt-Nord",
    "Altstadt-Süd",
    "Am Wasserturm",
    "Bergheim",
    "Feldkamp",
    "Kreuzberg-Ost",
    "Neustadt",
    "Südviertel",
]
"""The districts of fixtures/eigene-daten/stadtteile-statistik.csv, sorted."""


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


def haproxy_check(config: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """``haproxy -c`` on a shipped configuration with a self-signed certificate made now.

    The configurations read the certificate and the bind addresses from the environment
    (``DATENLABOR_TLS_PEM``, ``DATENLABOR_BIND``, ``DATENLABOR_HTTP_BIND``); ``-c`` only
    checks, it binds nothing. Returns the finished process (stdout/stderr as text).
    """
    import os

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    pem = tmp_path / "test.pem"
    pem.write_bytes(cert.read_bytes() + key.read_bytes())
    env = {
        **os.environ,
        "DATENLABOR_TLS_PEM": str(pem),
        "DATENLABOR_BIND": f"127.0.0.1:{free_port()}",
        "DATENLABOR_HTTP_BIND": f"127.0.0.1:{free_port()}",
    }
    return subprocess.run(
        ["haproxy", "-c", "-f", str(config)], env=env, capture_output=True, text=True, timeout=60
    )
