"""Web handlers of the app server and the security headers on every response.

Our own pages (gallery, 404, 503 and error pages) are jinja2 templates in
``datenlabor/templates``; app pages are Voilà's, behind the session cap. What
the handlers share lives in the tornado application settings (set by
:class:`.app.DatenlaborServer`): ``datenlabor_env`` (jinja2), ``datenlabor_branding``,
``datenlabor_public_url``, ``datenlabor_qr_svg`` and ``datenlabor_assets``
(:class:`AssetLog`).
"""

from __future__ import annotations

import html
import json
import re
import time
from typing import Any

import tornado.routing
import tornado.web
from voila.tornado.handler import TornadoVoilaHandler

from ..catalog import AUDIENCES, LEVELS, TECHNIQUE_FAMILIES, Lab
from ..formatting import count
from .admission import client_address
from .branding import Branding, logo_html

FULL_MESSAGE = "Gerade sind alle Plätze belegt – bitte in einer Minute erneut versuchen."
LIMIT_MESSAGE = (
    "Von Ihrer Adresse kamen gerade sehr viele Anfragen. Bitte versuchen Sie es in {wait} erneut."
)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # Voilà's page template and the widget manager use inline scripts.
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CACHEABLE = ("/voila/static/", "/voila/labextensions/", "/voila/templates/", "/datenlabor/static/")
# A content hash in the file name (webpack chunks) or a ?v= query: the URL changes with the content.
VERSIONED = re.compile(r"(?:[./][0-9a-f]{16,}\.(?:js|css|woff2?|svg)$|[?&]v=[0-9a-f]{8,})")


ERROR_TEXTS = {
    400: ("Anfrage nicht verständlich", "Diese Anfrage kann der Server nicht verarbeiten."),
    403: ("Kein Zugriff", "Diese Seite oder Datei ist nicht öffentlich."),
    404: ("Seite nicht gefunden", "Diese Seite gibt es nicht."),
    405: (
        "Nicht möglich",
        "Diese Seite lässt sich nur aufrufen, nicht senden, ändern oder löschen.",
    ),
    413: ("Zu viele Daten", "Die gesendeten Daten sind zu groß für den Server."),
    414: (
        "Adresse zu lang",
        "Die Adresse dieser Anfrage ist zu lang. Bitte wählen Sie das Lab in der Übersicht.",
    ),
    429: ("Zu viele Anfragen", "Bitte warten Sie einen Moment und versuchen Sie es dann erneut."),
    431: ("Anfrage zu groß", "Die Anfrage enthält zu viele Zusatzangaben (Kopfzeilen, Cookies)."),
}
SERVER_ERROR = (
    "Fehler",
    "Das hat leider nicht geklappt. Bitte versuchen Sie es gleich noch einmal.",
)
MAX_URI_BYTES = 8 * 1024
"""Longer request addresses get a German 414 page (browsers and proxies allow about 8 KB)."""
MAX_HEADERS_BYTES = 64 * 1024
"""Larger request headers (in sum) get a German 431 page (tornado's own limit was 64 KB)."""
MAX_HEADER_SIZE = 256 * 1024
"""tornado's ``max_header_size``: requests up to this size are read and answered in German;
beyond it tornado closes the connection without an answer (a hostile request)."""
# tornado's default error page when no handler writes its own (RequestHandler.write_error)
TORNADO_ERROR_PAGE = re.compile(
    rb"^<html><title>(\d{3}): [^<]*</title><body>\1: [^<]*</body></html>$"
)


def error_text(status: int) -> tuple[str, str]:
    """German (title, message) of an error page for HTTP ``status``."""
    return ERROR_TEXTS.get(status, SERVER_ERROR)


def render_message(settings: dict, status: int, retry: bool = False, **ns: Any) -> bytes:
    """Our German message page (``message.html``) for ``status`` with the branding."""
    title, message = error_text(status)
    branding: Branding = settings["datenlabor_branding"]
    page = settings["datenlabor_env"].get_template("message.html")
    values = {"title": title, "message": message, "retry": retry, **ns}
    return page.render(
        branding=branding,
        logo=logo_html(branding),
        base_url=settings.get("base_url", "/"),
        **values,
    ).encode()


class GermanErrorPages(tornado.web.OutputTransform):
    """Replaces tornado's English default error page by the German one, for every handler.

    Voilà's static files, our static files and pages, the health check: whatever
    answers 404, 405 (``DELETE`` on a page) or 500 with tornado's built-in page.
    JSON error answers of the APIs keep their keys (the front end reads them) with German
    texts; no answer names the server software (``Server`` header).
    Registered as ``functools.partial(GermanErrorPages, settings=app.settings)``
    before compression.
    """

    def __init__(self, request, settings: dict) -> None:  # noqa: ANN001
        super().__init__(request)
        self.settings = settings
        self.head = request.method == "HEAD"

    def transform_first_chunk(self, status_code, headers, chunk, finishing):  # noqa: ANN001
        if "Server" in headers:  # no software version for visitors (or scanners)
            del headers["Server"]
        if status_code >= 400 and finishing and TORNADO_ERROR_PAGE.match(chunk.strip()):
            chunk = render_message(self.settings, status_code)
            headers["Content-Type"] = "text/html; charset=UTF-8"
            headers["Cache-Control"] = "no-store"
            headers["Content-Length"] = str(len(chunk))
            if self.head:
                chunk = b""
        elif (
            status_code >= 400
            and finishing
            and headers.get("Content-Type", "").startswith("application/json")
        ):
            chunk = _german_json_error(status_code, chunk)
            if "Content-Length" in headers:
                headers["Content-Length"] = str(len(chunk))
        return status_code, headers, chunk


def _german_json_error(status: int, chunk: bytes) -> bytes:
    """A JSON error answer of Jupyter's APIs with German ``message``/``reason`` (same keys).

    The keys stay, so a front end that reads them keeps working; the English text
    (``'_xsrf' argument missing from POST``, ``Method Not Allowed``) is replaced.
    """
    try:
        body = json.loads(chunk)
    except ValueError:
        return chunk
    if not isinstance(body, dict) or not ({"message", "reason"} & set(body)):
        return chunk
    title, message = error_text(status)
    if "message" in body:
        body["message"] = message
    if "reason" in body:
        body["reason"] = title
    return json.dumps(body, ensure_ascii=False).encode()


class OversizedRequest(tornado.routing.Matcher):
    """Matches requests whose address or headers are too large (see :class:`OversizedHandler`)."""

    def match(self, request) -> dict | None:  # noqa: ANN001
        if len(request.uri) > MAX_URI_BYTES:
            return {}
        size = sum(len(k) + len(v) + 4 for k, v in request.headers.get_all())
        return {} if size > MAX_HEADERS_BYTES else None


def app_path(lab: Lab) -> str:
    """URL path (below the server root) of a lab's app."""
    return f"voila/render/{lab.slug}/{lab.notebook.name}"


def notebook_key(lab: Lab) -> str:
    """The notebook's path relative to the labs folder (Voilà's key for kernel pools)."""
    return f"{lab.slug}/{lab.notebook.name}"


def qr_svg(url: str) -> str:
    """Inline SVG QR code of ``url`` (generated locally, no external service)."""
    import segno

    svg = segno.make(url, error="m").svg_inline(scale=5, border=2, dark="#000000", light="#ffffff")
    label = html.escape(f"QR-Code für {url}")
    return re.sub(r"<svg\b", f'<svg role="img" aria-label="{label}"', svg, count=1)


def _script_key(uri: str) -> str | None:
    """A script URL worth preloading; made-up query strings are not accepted (bounded list)."""
    path, _, query = uri.partition("?")
    if not path.endswith(".js") or ".." in path or "%" in path:
        return None
    if query and not (query.startswith("v=") and len(query) > 6 and query[2:] in path):
        return None
    return uri


class AssetLog:
    """Asset URLs app pages have loaded (bounded, in first-seen order).

    The gallery lets the browser prefetch ``assets`` while the participant
    chooses a lab, so the app itself starts from the cache. App pages announce
    ``scripts`` with ``<link rel="preload">``, so the browser fetches Voilà's ~90
    chunks at once instead of discovering them one wave after the other
    (measured on the mini lab: about 0.3 s less per page view).
    """

    def __init__(self, max_assets: int = 400, max_scripts: int = 300) -> None:
        self.assets: dict[str, None] = {}
        self.scripts: dict[str, None] = {}
        self.max_assets, self.max_scripts = max_assets, max_scripts

    def saw(self, uri: str) -> None:
        if len(self.assets) < self.max_assets and ".." not in uri:
            self.assets.setdefault(uri, None)
        key = _script_key(uri)
        if key and len(self.scripts) < self.max_scripts:
            self.scripts.setdefault(key, None)

    def preload_links(self) -> bytes:
        return "".join(
            f'<link rel="preload" as="script" href="{html.escape(url)}">' for url in self.scripts
        ).encode()


class SecurityHeaders(tornado.web.OutputTransform):
    """Adds the security headers to every HTTP response (also Voilà's and errors).

    Static assets (Voilà's bundle, widget extensions, our CSS) may be cached
    for an hour, so a participant who opens a second lab or reloads does not
    fetch ~100 files again. Registered as ``functools.partial(SecurityHeaders,
    assets=...)`` in the application's transforms.
    """

    def __init__(self, request, assets: AssetLog) -> None:  # noqa: ANN001
        super().__init__(request)
        self.path = request.path
        self.uri = request.uri
        self.assets = assets

    def transform_first_chunk(self, status_code, headers, chunk, finishing):  # noqa: ANN001
        for key, value in SECURITY_HEADERS.items():
            headers[key] = value
        if status_code in (200, 304) and any(part in self.path for part in CACHEABLE):
            versioned = VERSIONED.search(self.uri) is not None
            headers["Cache-Control"] = (
                "public, max-age=31536000, immutable" if versioned else "public, max-age=3600"
            )
            self.assets.saw(self.uri)
        elif status_code == 200 and "/voila/render/" in self.path and self.assets.scripts:
            # at the end of <head>: the page's own blocking scripts are requested first
            at = chunk.find(b"</head>")
            if at >= 0:
                chunk = chunk[:at] + self.assets.preload_links() + chunk[at:]
                if "Content-Length" in headers:
                    headers["Content-Length"] = str(len(chunk))
        return status_code, headers, chunk


class PageMixin:
    """Render one of our own (jinja2) pages with the branding."""

    def render_page(self, name: str, status: int = 200, **ns: Any) -> None:
        env = self.settings["datenlabor_env"]
        branding: Branding = self.settings["datenlabor_branding"]
        base = self.settings.get("base_url", "/")
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(
            env.get_template(name).render(
                branding=branding, logo=logo_html(branding), base_url=base, **ns
            )
        )


class OversizedHandler(PageMixin, tornado.web.RequestHandler):
    """A German 414 (address too long) or 431 (headers too large) for any method."""

    def check_xsrf_cookie(self) -> None:  # answers with an error page only
        pass

    def prepare(self) -> None:
        status = 414 if len(self.request.uri) > MAX_URI_BYTES else 431
        title, message = error_text(status)
        self.render_page("message.html", status=status, title=title, message=message, retry=False)


def technique_options(labs: list[Lab]) -> list[str]:
    """The gallery's „Technik“ choices: the technique families of ``labs`` (``catalog.
    TECHNIQUE_FAMILIES``), each once, in the table's order; a family no lab has is left out."""
    seen: dict[str, str] = {}
    for family in (f for lab in labs for f in lab.technique_families):
        seen.setdefault(family.casefold(), family)
    order = [f for f, _ in TECHNIQUE_FAMILIES]
    return sorted(seen.values(), key=lambda f: (order.index(f) if f in order else len(order), f))


def _match(lab: Lab, audience: str, level: str, technique: str) -> bool:
    if audience and lab.audience not in (audience, "beide"):
        return False
    if level and lab.level != level:
        return False
    return not (technique and technique not in lab.technique_families)


class GalleryHandler(PageMixin, tornado.web.RequestHandler):
    """The start page: one card per lab, in German, filterable without JavaScript."""

    def initialize(self, labs: list[Lab]) -> None:
        self.labs = labs

    def get(self) -> None:
        base = self.settings.get("base_url", "/")
        audience = self.get_argument("zielgruppe", "")
        level = self.get_argument("niveau", "")
        technique = self.get_argument("technik", "")
        techniques = technique_options(self.labs)
        spelled = {t.casefold(): t for t in techniques}
        audiences = [a for a in AUDIENCES if a != "beide"]
        # Unknown filter values are ignored rather than answered with an empty page.
        audience = audience if audience in audiences else ""
        level = level if level in LEVELS else ""
        technique = spelled.get(technique.casefold(), "")
        cards = [
            {
                "slug": lab.slug,
                "title": lab.title,
                "summary": lab.summary,
                "duration": lab.duration_minutes,
                "level": lab.level,
                "audience": lab.audience,
                "audience_text": lab.audience_text,
                "techniques": lab.techniques,
                "url": base + app_path(lab),
            }
            for lab in self.labs
            if _match(lab, audience, level, technique)
        ]
        filters = {"zielgruppe": audience, "niveau": level, "technik": technique}
        assets: AssetLog = self.settings["datenlabor_assets"]
        self.render_page(
            "gallery.html",
            labs=cards,
            total=len(self.labs),
            audiences=audiences,
            levels=list(LEVELS),
            techniques=techniques,
            filters=filters,
            filtered=any(filters.values()),
            public_url=self.settings.get("datenlabor_public_url", ""),
            prefetch=[u for u in assets.assets if not u.startswith(base + "datenlabor/")],
            qr_svg=self.settings.get("datenlabor_qr_svg", ""),
        )


class CoursePlanHandler(PageMixin, tornado.web.RequestHandler):
    """The Kursplan page (``datenlabor/kursplan``) and its PDF (``datenlabor/kursplan.pdf``).

    Lists every served lab with audience, duration, level, goals, exercises and
    AI-literacy topics, plus the half- and full-day workshop suggestions; the same
    content as ``datenlabor kursplan --html/--pdf``. The PDF is built in memory.
    """

    def initialize(self, labs: list[Lab]) -> None:
        self.labs = labs

    def get(self, pdf: str | None = None) -> None:
        from .. import courseplan

        items = self.settings.get("datenlabor_courseplan")
        if items is None:  # the labs do not change while the server runs: read them once
            items = self.settings["datenlabor_courseplan"] = courseplan.entries(self.labs)
        branding: Branding = self.settings["datenlabor_branding"]
        base = self.settings.get("base_url", "/")
        if pdf:
            self.set_header("Content-Type", "application/pdf")
            self.set_header("Content-Disposition", 'attachment; filename="kursplan-datenlabor.pdf"')
            self.set_header("Cache-Control", "no-store")
            self.finish(courseplan.plan_pdf(items, branding.organisation))
            return
        links = {lab.slug: base + app_path(lab) for lab in self.labs}
        self.render_page(
            "kursplan.html",
            title="Kursplan",
            intro=courseplan.INTRO,
            plan=courseplan.plan_body_html(items, links),
            pdf_url=base + "datenlabor/kursplan.pdf",
        )


class NotFoundHandler(PageMixin, tornado.web.RequestHandler):
    """Anything not explicitly served is a plain German 404."""

    def prepare(self) -> None:
        raise tornado.web.HTTPError(404)

    def check_xsrf_cookie(self) -> None:  # a POST to nowhere is a 404, not a 403
        pass

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        title, message = error_text(status_code)
        self.render_page("message.html", status=status_code, title=title, message=message)


class LabAppHandler(PageMixin, TornadoVoilaHandler):
    """Voilà's page handler behind the session cap, with German error pages."""

    streamed = False

    def flush(self, *args: Any, **kwargs: Any):
        self.streamed = True
        return super().flush(*args, **kwargs)

    def client(self) -> str:
        """The visitor's address (for limits only: kept in memory, never logged)."""
        address = self.request.connection.context.address
        peer = address[0] if isinstance(address, tuple) else str(self.request.remote_ip)
        networks = self.settings.get("datenlabor_trusted_proxies", [])
        return client_address(peer, self.request.headers.get("X-Forwarded-For"), networks)

    async def get(self, path: str | None = None) -> None:
        manager = self.kernel_manager
        sessions = manager.sessions
        started = time.monotonic()
        verdict = manager.admit_visitor(self.client())
        if not verdict:
            self.set_header("Retry-After", str(verdict.retry_after))
            if verdict.status == 429:
                self.render_page(
                    "message.html",
                    status=429,
                    title="Zu viele Anfragen",
                    message=LIMIT_MESSAGE.format(
                        wait=count(int(verdict.retry_after), "Sekunde", "Sekunden")
                    ),
                    retry=True,
                )
            else:
                self.render_page(
                    "message.html",
                    status=503,
                    title="Alle Plätze belegt",
                    message=FULL_MESSAGE,
                    retry=True,
                )
            return
        # Sets the _xsrf cookie: Voilà's front end sends it with the kernel shutdown
        # request when the page is left or reloaded (else 403 '_xsrf' argument missing).
        self.xsrf_token  # noqa: B018
        try:
            await super().get(path)
        finally:
            sessions.release()
            observe = self.settings.get("datenlabor_page_seconds")
            if observe is not None:
                observe(time.monotonic() - started)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # Never a traceback or exception text in the browser.
        if self.streamed:  # part of the page is out: just end it
            self.finish()
            return
        if status_code >= 500:
            title = "Fehler"
            message = "Die App konnte gerade nicht gestartet werden. Bitte laden Sie die Seite gleich noch einmal."
        else:  # e.g. 405 for DELETE, 403 for a POST without the page's token
            title, message = error_text(405 if status_code == 403 else status_code)
        self.render_page(
            "message.html",
            status=status_code,
            title=title,
            message=message,
            retry=status_code >= 500,
        )
