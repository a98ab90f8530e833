"""Start time of the platform and memory per idle user server (needs root, like `datenlabor hub`).

Starts `datenlabor hub` on 127.0.0.1 with a temporary tenant file (one tenant, N people,
system accounts with the prefix ``dlb-``), measures the time until the hub answers,
starts each person's JupyterLab through the REST API (time until ready), lets the
servers settle idle and reads the PSS (fair share of shared pages) and RSS of every
process of each account with psutil. Then one shared app server (Voilà only). Prints a
table; removes the accounts afterwards.

    sudo .venv/bin/python scripts/bench_hub.py [--personen 3] [--ruhe 20]
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "dlb-"
PASSWORD = "bench-" + os.urandom(4).hex()
MB = 1024 * 1024


def memory(uid: int) -> tuple[float, float, int]:
    """PSS and RSS in MB and the number of processes of the account ``uid``."""
    pss = rss = 0.0
    count = 0
    for proc in psutil.process_iter(["uids"]):
        if proc.info["uids"] and proc.info["uids"].real == uid:
            try:
                info = proc.memory_full_info()
            except (psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
            pss += info.pss / MB
            rss += info.rss / MB
            count += 1
    return pss, rss, count


def session(url: str, name: str) -> requests.Session:
    s = requests.Session()
    s.get(url + "hub/login", timeout=60)
    s.post(
        url + "hub/login",
        data={"username": name, "password": PASSWORD, "_xsrf": s.cookies.get("_xsrf")},
        timeout=60,
    )
    return s


def start(url: str, s: requests.Session, name: str, server: str = "") -> float:
    """Start a server and return seconds until the hub reports it ready."""
    headers = {"X-XSRFToken": s.cookies.get("_xsrf", path="/hub/") or ""}
    path = f"users/{name}/servers/{server}" if server else f"users/{name}/server"
    began = time.monotonic()
    s.post(url + "hub/api/" + path, headers=headers, timeout=120)
    while time.monotonic() - began < 300:
        model = s.get(url + f"hub/api/users/{name}", headers=headers, timeout=60).json()
        if (model["servers"].get(server) or {}).get("ready"):
            return time.monotonic() - began
        time.sleep(0.3)
    raise SystemExit(f"server {name}/{server} did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--personen", type=int, default=3)
    parser.add_argument("--ruhe", type=float, default=20.0, help="seconds idle before measuring")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (one system account per person)")
    sys.path.insert(0, str(ROOT))
    from tests.helpers import free_port

    root = Path(tempfile.mkdtemp(prefix="datenlabor-hubbench-"))
    os.chmod(root, 0o755)
    names = [f"p{i}" for i in range(args.personen)]
    (root / "mandanten.yaml").write_text(
        f"version: 1\nplattform:\n  arbeitsbereiche: {root / 'home'}\n"
        f'  systembenutzer_praefix: "{PREFIX}"\n'
        f"mandanten:\n  bench:\n    name: Benchstadt\n    labs: [daten-erkunden]\n"
        f"    benutzer: [{', '.join(names)}]\n",
        encoding="utf-8",
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    out = (root / "out.txt").open("wb")
    began = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "datenlabor.cli", "hub", "--port", str(port)]
        + ["--mandanten", str(root / "mandanten.yaml"), "--zustand", str(root / "zustand")],
        env={**os.environ, "DATENLABOR_HUB_PASSWORT": PASSWORD},
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    rows = []
    try:
        while "läuft" not in (root / "out.txt").read_text(errors="replace"):
            if proc.poll() is not None:
                raise SystemExit((root / "out.txt").read_text(errors="replace"))
            time.sleep(0.2)
        hub_seconds = time.monotonic() - began
        hub_pss = sum(
            p.memory_full_info().pss / MB
            for p in [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(True)]
        )
        sessions = {n: session(url, n) for n in names}
        starts = [start(url, sessions[n], n) for n in names]
        time.sleep(args.ruhe)
        per_user = [memory(pwd.getpwnam(PREFIX + n).pw_uid) for n in names]
        app_start = start(url, sessions[names[0]], names[0], "app-daten-erkunden")
        time.sleep(args.ruhe)
        both = memory(pwd.getpwnam(PREFIX + names[0]).pw_uid)
        app = (both[0] - per_user[0][0], both[1] - per_user[0][1], both[2] - per_user[0][2])
        rows = [
            ("Hub-Start bis erreichbar (s)", f"{hub_seconds:.1f}"),
            ("Hub + Proxy + Leerlauf-Dienst PSS (MB)", f"{hub_pss:.0f}"),
            ("JupyterLab-Start bis bereit (s, Median)", f"{statistics.median(starts):.1f}"),
            (
                "PSS je ruhendem JupyterLab-Server (MB, Median)",
                f"{statistics.median(p for p, _, _ in per_user):.0f}",
            ),
            (
                "RSS je ruhendem JupyterLab-Server (MB, Median)",
                f"{statistics.median(r for _, r, _ in per_user):.0f}",
            ),
            ("App-Server (nur Voilà) Start (s)", f"{app_start:.1f}"),
            ("PSS App-Server ohne Besuch (MB)", f"{app[0]:.0f}"),
        ]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(120)
        for entry in pwd.getpwall():
            if entry.pw_name.startswith(PREFIX):
                subprocess.run(["userdel", "--remove", entry.pw_name], capture_output=True)
        subprocess.run(["groupdel", f"{PREFIX}m-bench"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
