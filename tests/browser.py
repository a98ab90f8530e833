"""Small helpers for browser tests of lab apps."""

from __future__ import annotations

APP_SELECTOR = ".datenlabor-app"


def run_async(coro):
    """Run an asyncio scenario in its own thread and event loop.

    Playwright's sync API keeps an event loop running in this worker's main
    thread once a browser test ran here, so ``asyncio.run`` cannot be used directly.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as ex:
        return ex.submit(asyncio.run, coro).result()


def open_app(page, url: str, timeout_ms: int = 180_000):
    """Open a lab app and wait until its controls are rendered and the first result is shown."""
    page.goto(url)
    page.wait_for_selector(APP_SELECTOR, timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('.datenlabor-status')?.innerText.includes('Wird berechnet')",
        timeout=timeout_ms,
    )
    return page.locator(APP_SELECTOR).first


def wait_for_change(page, selector: str, before: str, timeout_ms: int = 30_000) -> str:
    """Wait until the inner HTML of ``selector`` differs from ``before``; returns the new HTML."""
    page.wait_for_function(
        "([sel, old]) => { const el = document.querySelector(sel); return el && el.innerHTML !== old; }",
        arg=[selector, before],
        timeout=timeout_ms,
    )
    return page.inner_html(selector)


def assert_no_code(page) -> None:
    """The app shows outputs only: no code editor, no cell source, no traceback."""
    assert page.locator(".jp-InputArea-editor, .CodeMirror, .cm-editor").count() == 0
    text = page.inner_text("body")
    for marker in (
        "Traceback (most recent call last)",
        "import datenlabor",
        "app.interact(",
        "def zeige",
    ):
        assert marker not in text, f"page shows {marker!r}"


def record_hosts(page) -> list[str]:
    """URLs of every request and websocket ``page`` opens from now on (filled as it runs)."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    return requests


def foreign(requests: list[str], base: str) -> list[str]:
    """The URLs in ``requests`` that go to another host than ``base`` (data:/blob: are local)."""
    from urllib.parse import urlparse

    own = urlparse(base).netloc
    return [
        u
        for u in requests
        if urlparse(u).scheme not in ("data", "blob") and urlparse(u).netloc != own
    ]
