#!/usr/bin/env python3
"""Set up Datenlabor from nothing but python3, then start the server or run the tests.

    python3 scripts/bootstrap.py serve   # Workshop-App-Server starten
    python3 scripts/bootstrap.py test    # alle Tests ausführen
    python3 scripts/bootstrap.py install # nur einrichten

Creates .venv/, installs the project (and its test extras), installs the
`datenlabor` kernelspec into the venv and, for tests, Debian's chromium.
Re-running is cheap: a stamp file records what was installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PY = BIN / "python"


HILFE = """\
Datenlabor einrichten und starten (braucht nur python3 und die Paketquellen).

    python3 scripts/bootstrap.py serve [OPTIONEN]   App-Server starten (Optionen wie datenlabor serve)
    python3 scripts/bootstrap.py test [PYTEST-ARGS] alle Prüfungen und Tests ausführen
    python3 scripts/bootstrap.py install [--test] [--hub]
                                                    nur einrichten (--test: mit Testwerkzeugen,
                                                    --hub: mit der Plattform „datenlabor hub“)

Legt .venv/ an, installiert Datenlabor mit allen Abhängigkeiten und die Jupyter-Kernel;
für die Plattform (und die Tests) JupyterHub und den Proxy configurable-http-proxy (npm,
braucht Node.js); für die Tests außerdem die Debian-Pakete chromium und haproxy (als root
oder mit sudo).
"""


def say(text: str) -> None:
    print(f"[datenlabor] {text}", flush=True)


def run(cmd: list[str], **kw) -> None:
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def fingerprint(extras: str) -> str:
    h = hashlib.sha256(extras.encode())
    for rel in (
        "pyproject.toml",
        "kernels/datenlabor/kernel.json",
        "kernels/datenlabor-app/kernel.json",
    ):
        path = ROOT / rel
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()


# The platform's proxy (datenlabor hub), from npm into .venv/node (JupyterHub finds it there).
PROXY = VENV / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
PROXY_PACKAGE = "configurable-http-proxy@4"


def install_proxy() -> None:
    if PROXY.exists():
        return
    if not shutil.which("npm"):
        install_debian(["nodejs", "npm"], "für den Proxy der Plattform")
    say("Installiere den Proxy configurable-http-proxy (npm) …")
    run(
        [
            shutil.which("npm") or "npm",
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            VENV / "node",
            PROXY_PACKAGE,
        ]
    )


def install(with_tests: bool, with_hub: bool = False) -> None:
    with_hub = with_hub or with_tests
    extras = "[" + ",".join(e for e, on in (("test", with_tests), ("hub", with_hub)) if on) + "]"
    extras = "" if extras == "[]" else extras
    stamp = VENV / ".datenlabor-installed"
    want = fingerprint(extras)
    if stamp.exists() and want in stamp.read_text().split():
        say("Umgebung ist aktuell (.venv).")
    else:
        install_python(extras, stamp, want)
    if with_hub:
        install_proxy()


def install_python(extras: str, stamp: Path, want: str) -> None:
    if not PY.exists():
        say("Lege virtuelle Umgebung .venv an …")
        run([sys.executable, "-m", "venv", VENV])
    say("Installiere Datenlabor und Abhängigkeiten (einige Minuten beim ersten Mal) …")
    run([PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip", "uv"])
    try:
        # --compile-bytecode as pip does by default: without .pyc files every command and kernel
        # compiles pandas & co. from source when __pycache__ is not writable (shared installs,
        # PYTHONDONTWRITEBYTECODE) – `datenlabor daten pruefen` took 7,8 s instead of 2,4 s.
        uv = [BIN / "uv", "pip", "install", "--quiet", "--compile-bytecode", "--python", PY]
        run([*uv, "-e", f".{extras}"], cwd=ROOT)
    except (subprocess.CalledProcessError, FileNotFoundError):
        say("uv nicht nutzbar, installiere mit pip …")
        run([PY, "-m", "pip", "install", "--quiet", "-e", f".{extras}"], cwd=ROOT)
    # the editable package itself is not compiled by the installer
    run([PY, "-m", "compileall", "-q", ROOT / "src"])
    for spec in sorted((ROOT / "kernels").glob("*/kernel.json")):
        run(
            [
                BIN / "jupyter",
                "kernelspec",
                "install",
                "--sys-prefix",
                "--log-level=ERROR",
                spec.parent,
            ]
        )
    previous = stamp.read_text() if stamp.exists() else ""
    stamp.write_text(previous + want + "\n")
    say("Umgebung eingerichtet.")


# Debian packages the tests need: the browser for browser tests, fonts for readable screenshots,
# HAProxy for the load-balancer tests (real servers, started by the tests on 127.0.0.1).
TEST_PACKAGES = {"/usr/bin/chromium": "chromium", "/usr/sbin/haproxy": "haproxy"}


def ensure_test_packages() -> None:
    missing = [pkg for path, pkg in TEST_PACKAGES.items() if not Path(path).exists()]
    if missing:
        install_debian([*missing, "fonts-dejavu-core"], "für die Tests")


def install_debian(missing: list[str], purpose: str) -> None:
    say(f"Installiere Debian-Pakete {purpose}: {', '.join(missing)} …")
    prefix: list[str] = [] if os.geteuid() == 0 else (["sudo"] if shutil.which("sudo") else [])
    if os.geteuid() != 0 and not prefix:
        sys.exit(
            f"{', '.join(missing)} fehlt und kann ohne root nicht installiert werden: "
            f"bitte `apt-get install -y {' '.join(missing)}` ausführen."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run([*prefix, "apt-get", "update", "-qq"], env=env)
    run(
        [
            *prefix,
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            *missing,
        ],
        env=env,
    )


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "help"
    rest = argv[2:]
    if command == "install":
        install(with_tests="--test" in rest, with_hub="--hub" in rest)
        return 0
    if command == "serve":
        install(with_tests=False)
        os.execv(BIN / "datenlabor", [str(BIN / "datenlabor"), "serve", *rest])
    if command == "test":
        install(with_tests=True)
        ensure_test_packages()
        steps = [
            [BIN / "ruff", "check", "."],
            [BIN / "ruff", "format", "--check", "."],
            [BIN / "datenlabor", "check"],
            [PY, "-m", "pytest", "-n", "2", "--dist", "loadgroup", *rest],
        ]
        for step in steps:
            say("→ " + " ".join(str(s.name) if isinstance(s, Path) else s for s in step))
            result = subprocess.run([str(s) for s in step], cwd=ROOT)
            if result.returncode != 0:
                say(f"Fehlgeschlagen: {' '.join(map(str, step))}")
                return result.returncode
        say("Alle Prüfungen bestanden.")
        return 0
    if command not in ("help", "-h", "--help"):
        print(f"Unbekannter Befehl „{command}“.\n", file=sys.stderr)
    print(HILFE)
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
