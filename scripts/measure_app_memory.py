"""Memory of one idle app session per lab, plus screenshots at 320x640 and 1280x800.

Starts ``datenlabor serve`` on 127.0.0.1 with only the named labs (copied into a
temporary labs folder), opens each app in headless Chromium, waits until the
first result is shown, lets the kernel settle and reads the kernel process'
PSS (its fair share of pages shared with the fork server and other kernels)
and RSS (everything it touches, shared or not) with psutil. Prints a table.

Usage:
    python scripts/measure_app_memory.py LAB [LAB ...] [--bilder ORDNER]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import open_app  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server  # noqa: E402

MB = 1024 * 1024


def kernel_memory(server_pid: int, kernel_id: str) -> tuple[float, float]:
    import psutil

    for child in psutil.Process(server_pid).children(recursive=True):
        try:
            if kernel_id in " ".join(child.cmdline()):
                info = child.memory_full_info()
                return info.pss / MB, info.rss / MB
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    raise RuntimeError(f"kernel {kernel_id} not found")


def _app_shots(page, stem: Path) -> None:
    """One picture per app section (controls and output), scrolled into view."""
    apps = page.locator(".datenlabor-app")
    for i in range(apps.count()):
        apps.nth(i).scroll_into_view_if_needed()
        apps.nth(i).screenshot(path=f"{stem}-app{i + 1}.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labs", nargs="+", help="Namen der Labs")
    parser.add_argument("--bilder", type=Path, help="Ordner für Bildschirmfotos")
    parser.add_argument("--ruhe", type=float, default=5.0, help="Sekunden Ruhe vor dem Messen")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="dl-mem-"))
    labs = work / "labs"
    labs.mkdir()
    for slug in args.labs:
        shutil.copytree(ROOT / "labs" / slug, labs / slug)
    proc, base = start_server(["--pool", "0"], work / "serve.log", {"DATENLABOR_LABS": str(labs)})
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for slug in args.labs:
                url = f"{base}voila/render/{slug}/{slug}.ipynb"
                ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="de-DE")
                page = ctx.new_page()
                page.set_default_navigation_timeout(300_000)
                started = time.monotonic()
                open_app(page, url, timeout_ms=300_000)
                ready = time.monotonic() - started
                kernel_id = page.evaluate(
                    "() => JSON.parse(document.getElementById('jupyter-config-data')"
                    ".textContent).kernelId"
                )
                time.sleep(args.ruhe)
                pss, rss = kernel_memory(proc.pid, kernel_id)
                rows.append((slug, pss, rss, ready))
                if args.bilder:
                    args.bilder.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(args.bilder / f"{slug}-1280.png"), full_page=False)
                    _app_shots(page, args.bilder / f"{slug}-1280")
                    narrow = browser.new_context(
                        viewport={"width": 320, "height": 640}, locale="de-DE", is_mobile=True
                    )
                    small = narrow.new_page()
                    small.set_default_navigation_timeout(300_000)
                    open_app(small, url, timeout_ms=300_000)
                    small.screenshot(path=str(args.bilder / f"{slug}-320.png"), full_page=False)
                    _app_shots(small, args.bilder / f"{slug}-320")
                    small.screenshot(path=str(args.bilder / f"{slug}-320-ganz.png"), full_page=True)
                    narrow.close()
                ctx.close()
            browser.close()
    finally:
        stop_server(proc)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'Lab':28} {'PSS MB':>8} {'RSS MB':>8} {'bis Ergebnis s':>15}")
    for slug, pss, rss, ready in rows:
        print(f"{slug:28} {pss:8.1f} {rss:8.1f} {ready:15.1f}")


if __name__ == "__main__":
    main()
