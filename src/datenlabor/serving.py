"""The workshop app server: Voilà standalone, all labs, a gallery page.

Public by design, so it exposes only what an app page needs: no directory
tree, no contents API, no file downloads, no tracebacks. Only lab notebooks
from the catalogue can be rendered.

What this module adds to stock Voilà:

* **fast**: preheated kernel pools per lab (bigger pools for the labs in
  workshop focus), so a page view takes a ready kernel instead of starting one;
  kernels are forked from one process that has the labs' libraries imported
  (:mod:`datenlabor.forkserver`: milliseconds instead of seconds per kernel,
  imported code shared between kernels); refills of a pool wait until a burst
  of arriving participants is over, so their CPU goes to the participants;
  app pages preload the scripts earlier pages needed;
* **safe**: a cap on live visitor sessions (German 503 page instead of running
  out of memory), kernels whose websocket never connects or whose visitor left
  are shut down after a short time, the sandbox kernelspec ``datenlabor-app``
  (resource limits, throw-away folder) over IPC instead of TCP, strict security
  headers, no execute requests from the browser (standalone Voilà refuses them);
* **offline**: a custom Voilà template without CDN links, all assets local;
* **friendly**: German gallery with filters and a QR code, municipal branding
  from one file (``branding.yaml``), German loading and connection messages.
"""

from __future__ import annotations

import asyncio
import contextvars
import html
import logging
import os
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
from traitlets import Bool, Dict, Float, Integer, Unicode
from traitlets.config import LoggingConfigurable
from voila.app import Voila

from .catalog import AUDIENCES, LEVELS, Lab, discover
from .legal import load_legal, page_handler_class
from .paths import export_absolute, kernels_dir, labs_dir

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
# Voilà looks templates up as <root>/voila/templates/<name>; TEMPLATE_ROOT is our <root>.
TEMPLATE_ROOT = TEMPLATES / "jupyter"
TEMPLATE_NAME = "datenlabor"
APP_KERNEL = "datenlabor-app"
FULL_MESSAGE = "Gerade sind alle Plätze belegt – bitte in einer Minute erneut versuchen."

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


def app_path(lab: Lab) -> str:
    """URL path (below the server root) of a lab's app."""
    return f"voila/render/{lab.slug}/{lab.notebook.name}"


def notebook_key(lab: Lab) -> str:
    """The notebook's path relative to the labs folder (Voilà's key for kernel pools)."""
    return f"{lab.slug}/{lab.notebook.name}"


# --- branding ----------------------------------------------------------------


@dataclass
class Branding:
    """Name, logo and colours of the municipality (from ``branding.yaml``)."""

    name: str
    organisation: str
    tagline: str
    logo_svg: str
    logo_alt: str
    colors: dict[str, str]
    contact: str = ""

    def css_variables(self) -> str:
        return "; ".join(f"--dl-{key}: {value}" for key, value in self.colors.items())


def branding_file() -> Path:
    return Path(os.environ.get("DATENLABOR_BRANDING") or HERE / "branding.yaml")


def load_branding(path: Path | None = None) -> Branding:
    """Read the branding file; the logo is inlined (SVG), so it needs no extra request."""
    import yaml

    path = path or branding_file()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    colors = {
        "primary": "#00557f",
        "primary-text": "#ffffff",
        "accent": "#b3001b",
        "background": "#f6f7f8",
        "text": "#1a1a1a",
        **{str(k).replace("_", "-"): str(v) for k, v in (data.get("farben") or {}).items()},
    }
    for key, value in colors.items():
        if not re.fullmatch(r"#[0-9a-fA-F]{3,8}", value):
            raise ValueError(
                f"{path}: Farbe „{key}“ muss ein Hex-Wert wie #00557f sein, nicht {value!r}."
            )
    logo = ""
    if data.get("logo"):
        logo_path = (path.parent / str(data["logo"])).resolve()
        logo = logo_path.read_text(encoding="utf-8")
        logo = re.sub(r"<\?xml[^>]*\?>", "", logo).strip()
    return Branding(
        name=str(data.get("name", "Datenlabor")),
        organisation=str(data.get("kommune", "")),
        tagline=str(data.get("untertitel", "Experimentierräume für Daten und KI")),
        logo_svg=logo,
        logo_alt=str(data.get("logo_alt", "")),
        colors=colors,
        contact=str(data.get("kontakt", "")),
    )


def logo_html(branding: Branding) -> str:
    """The logo as inline SVG with a text alternative (or hidden if decorative)."""
    if not branding.logo_svg:
        return ""
    alt = html.escape(branding.logo_alt or branding.organisation or branding.name)
    svg = re.sub(
        r"<svg\b",
        f'<svg role="img" aria-label="{alt}" focusable="false"',
        branding.logo_svg,
        count=1,
    )
    return f'<span class="dl-logo">{svg}</span>'


# --- kernels: sandbox kernelspec, sessions, culling --------------------------

_reservation: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "datenlabor_reservation", default=None
)


class AppKernelSpecManager(KernelSpecManager):
    """Maps the notebooks' kernel ``datenlabor`` (and python3) to the sandbox ``datenlabor-app``."""

    kernel_map = Dict(
        {"datenlabor": APP_KERNEL, "python3": APP_KERNEL},
        config=True,
        help="Kernel names in notebooks -> kernelspec used by the app server.",
    )

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        target = self.kernel_map.get(kernel_name, kernel_name)
        try:
            return super().get_kernel_spec(target)
        except NoSuchKernel:
            if target != APP_KERNEL:
                raise
        # Not installed (fresh checkout): use the one in the repository.
        return KernelSpec.from_resource_dir(str(kernels_dir() / APP_KERNEL))


class SessionTrackingMixin(LoggingConfigurable):
    """Kernel manager add-on: session cap and quick reclaiming of abandoned kernels.

    A *session* is a kernel that was handed to a visitor (from the pool or
    freshly started). Pool kernels waiting for a visitor are not sessions.

    * ``admit()`` reserves a place synchronously, before anything is awaited,
      so a burst of requests cannot overshoot ``max_sessions``.
    * A session whose websocket has not connected after ``connect_timeout``
      seconds (a bot, a curl, a closed tab) is shut down.
    * A session whose last websocket closed is shut down after
      ``disconnect_timeout`` seconds (time enough for a page reload).
    """

    max_sessions = Integer(
        40, config=True, help="Most visitor kernels at the same time (pools not counted)."
    )
    connect_timeout = Float(
        120.0, config=True, help="Seconds a session may wait for its websocket."
    )
    disconnect_timeout = Float(
        60.0, config=True, help="Seconds a session survives without a websocket."
    )
    reap_interval = Float(5.0, config=True, help="Seconds between checks for abandoned sessions.")
    slot_timeout = Float(
        120.0, config=True, help="Seconds a pool kernel may hold a start slot at most."
    )
    refill_quiet = Float(
        5.0,
        config=True,
        help="Refill pools once no visitor has arrived for this many seconds (or a pool runs low).",
    )

    def __init__(self, **kwargs: Any) -> None:
        self._sessions: dict[str, dict[str, Any]] = {}
        self._reserved = 0
        self._reaper = None
        self._slots: asyncio.Semaphore | None = None
        self._trickle: asyncio.Semaphore | None = None
        self._hurry: dict[asyncio.Task, asyncio.Event] = {}
        self._last_take = 0.0
        super().__init__(**kwargs)

    # admission ------------------------------------------------------------
    def session_count(self) -> int:
        return len(self._sessions) + self._reserved

    def admit(self) -> bool:
        if self.session_count() >= self.max_sessions:
            return False
        self._reserved += 1
        _reservation.set({"used": False})
        return True

    def release(self) -> None:
        """The page is delivered (or failed): free an unused reservation, start the connect clock."""
        token = _reservation.get()
        if token is not None:
            if not token["used"]:
                token["used"] = True
                self._reserved = max(0, self._reserved - 1)
            info = self._sessions.get(token.get("kernel_id", ""))
            if info is not None:
                info["since"] = time.monotonic()
        _reservation.set(None)

    def _register(self, kernel_id: str) -> None:
        self._sessions[kernel_id] = {"since": time.monotonic(), "connected": False, "left": None}
        token = _reservation.get()
        if token is not None:
            token["kernel_id"] = kernel_id
            if not token["used"]:
                token["used"] = True
                self._reserved = max(0, self._reserved - 1)

    # hooks into Voilà / jupyter_server -----------------------------------------
    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        # Only the page handler calls this on the manager itself; pool kernels
        # are started by Voilà's pool code below this class and are not sessions.
        self._last_take = time.monotonic()
        kernel_id = await super().start_kernel(*args, **kwargs)
        self._register(kernel_id)
        return kernel_id

    async def get_rendered_notebook(self, notebook_name: str, *args: Any, **kwargs: Any):
        self._last_take = time.monotonic()
        pool = self._pools.get(notebook_name, [])
        ready = self._ready(notebook_name)
        if ready:  # Voilà takes the first entry: make it one that is ready
            pool.remove(ready[0])
            pool.insert(0, ready[0])
        elif pool and pool[0] in self._hurry:
            self._hurry[pool[0]].set()  # nobody ready: this visitor's kernel starts now
        result = await super().get_rendered_notebook(notebook_name, *args, **kwargs)
        self._register(result[2])
        return result

    def notify_connect(self, kernel_id: str) -> None:
        super().notify_connect(kernel_id)
        if kernel_id in self._sessions:
            self._sessions[kernel_id].update(connected=True, left=None)

    def notify_disconnect(self, kernel_id: str) -> None:
        super().notify_disconnect(kernel_id)
        if kernel_id in self._sessions and not self._kernel_connections.get(kernel_id, 0):
            self._sessions[kernel_id]["left"] = time.monotonic()

    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any):
        self._sessions.pop(kernel_id, None)
        return await super().shutdown_kernel(kernel_id, *args, **kwargs)

    # pool filling ------------------------------------------------------------
    def _ready(self, notebook_name: str) -> list[asyncio.Task]:
        """Pool entries whose kernel runs and whose notebook has been executed."""
        out = []
        for task in self._pools.get(notebook_name, []):
            if task.done() and not task.cancelled() and task.exception() is None:
                render = task.result().get("task")
                if render is None or render.done():
                    out.append(task)
        return out

    def _low_water(self, notebook_name: str) -> int:
        config = self.kernel_pools_config
        size = config.get(notebook_name, config.get("default", {})).get("pool_size", 1)
        return max(1, size // 4)

    async def _wait_for_turn(self, notebook_name: str, hurry: asyncio.Event) -> bool:
        """Hold a refill back while participants are joining; returns True if it may trickle.

        A refill executes the whole notebook (seconds of CPU). During a burst of
        visitors that CPU belongs to them, so refills wait until no visitor has
        arrived for ``refill_quiet`` seconds. Exceptions: a visitor is waiting for
        exactly this kernel (``hurry``), or the pool has run low (then refills
        trickle in one at a time).
        """
        while not hurry.is_set():
            if time.monotonic() - self._last_take >= self.refill_quiet:
                return False
            if len(self._ready(notebook_name)) < self._low_water(notebook_name):
                return True
            try:
                await asyncio.wait_for(hurry.wait(), 0.5)
            except asyncio.TimeoutError:
                pass
        return False

    async def _initialize(self, notebook_path: str, kernel_id: str | None = None, **kwargs: Any):
        """Start and execute pool kernels a few at a time, and not while visitors arrive.

        Voilà starts a whole pool at once; 30 kernels executing a notebook on two
        cores all miss their time-outs. With a slot per CPU core (held until the
        notebook has been executed) the pool fills steadily.
        """
        if kernel_id is not None:  # restart of a known kernel
            return await super()._initialize(notebook_path, kernel_id, **kwargs)
        if self._slots is None:
            self._slots = asyncio.Semaphore(max(1, os.cpu_count() or 1))
            self._trickle = asyncio.Semaphore(1)
        me = asyncio.current_task()
        hurry = asyncio.Event()
        self._hurry[me] = hurry
        try:
            trickle = await self._wait_for_turn(notebook_path, hurry)
        finally:
            self._hurry.pop(me, None)
        held = [self._trickle, self._slots] if trickle else [self._slots]
        for semaphore in held:
            await semaphore.acquire()

        released = False

        def release(_: object = None) -> None:
            nonlocal released
            if not released:  # once: when the notebook ran, or at the latest after the time-out
                released = True
                for semaphore in held:
                    semaphore.release()

        try:
            result = await super()._initialize(notebook_path, kernel_id, **kwargs)
        except BaseException:
            release()
            raise
        result["task"].add_done_callback(release)
        # A kernel that dies while executing must not keep its slot for ever.
        asyncio.get_running_loop().call_later(self.slot_timeout, release)
        return result

    # reclaiming -------------------------------------------------------------
    def start_reaper(self) -> None:
        from tornado.ioloop import PeriodicCallback

        if self._reaper is None and self.reap_interval > 0:
            self._reaper = PeriodicCallback(self.reap, self.reap_interval * 1000)
            self._reaper.start()

    def abandoned(self, now: float | None = None) -> list[str]:
        now = time.monotonic() if now is None else now
        out = []
        for kernel_id, info in list(self._sessions.items()):
            if kernel_id not in self._kernels:
                self._sessions.pop(kernel_id, None)
                continue
            if self._kernel_connections.get(kernel_id, 0):
                continue
            if not info["connected"] and now - info["since"] > self.connect_timeout:
                out.append(kernel_id)
            elif info["left"] is not None and now - info["left"] > self.disconnect_timeout:
                out.append(kernel_id)
        return out

    async def reap(self) -> None:
        for kernel_id in self.abandoned():
            self.log.info("Sitzung %s ohne Verbindung beendet.", kernel_id)
            try:
                await self.shutdown_kernel(kernel_id, now=True)
            except Exception:  # noqa: BLE001 - a dying kernel must not stop the reaper
                self._sessions.pop(kernel_id, None)


# --- handlers ------------------------------------------------------------------


# Asset URLs app pages have loaded; the gallery lets the browser prefetch them
# while the participant chooses a lab, so the app itself starts from the cache.
SEEN_ASSETS: dict[str, None] = {}
CACHEABLE = ("/voila/static/", "/voila/labextensions/", "/voila/templates/", "/datenlabor/static/")
# Scripts app pages have loaded; app pages announce them with <link rel="preload">, so
# the browser fetches Voilà's ~90 chunks at once instead of discovering them one
# wave after the other (measured on the mini lab: about 0.3 s less per page view).
SEEN_SCRIPTS: dict[str, None] = {}
# A content hash in the file name (webpack chunks) or a ?v= query: the URL changes with the content.
VERSIONED = re.compile(r"(?:[./][0-9a-f]{16,}\.(?:js|css|woff2?|svg)$|[?&]v=[0-9a-f]{8,})")


def _script_key(uri: str) -> str | None:
    """A script URL worth preloading; made-up query strings are not accepted (bounded list)."""
    path, _, query = uri.partition("?")
    if not path.endswith(".js") or ".." in path or "%" in path:
        return None
    if query and not (query.startswith("v=") and len(query) > 6 and query[2:] in path):
        return None
    return uri


def preload_links() -> bytes:
    return "".join(
        f'<link rel="preload" as="script" href="{html.escape(url)}">' for url in SEEN_SCRIPTS
    ).encode()


class SecurityHeaders(tornado.web.OutputTransform):
    """Adds the security headers to every HTTP response (also Voilà's and errors).

    Static assets (Voilà's bundle, widget extensions, our CSS) may be cached
    for an hour, so a participant who opens a second lab or reloads does not
    fetch ~100 files again.
    """

    def __init__(self, request) -> None:  # noqa: ANN001
        super().__init__(request)
        self.path = request.path
        self.uri = request.uri

    def transform_first_chunk(self, status_code, headers, chunk, finishing):  # noqa: ANN001
        for key, value in SECURITY_HEADERS.items():
            headers[key] = value
        if status_code in (200, 304) and any(part in self.path for part in CACHEABLE):
            versioned = VERSIONED.search(self.uri) is not None
            headers["Cache-Control"] = (
                "public, max-age=31536000, immutable" if versioned else "public, max-age=3600"
            )
            if len(SEEN_ASSETS) < 400 and ".." not in self.uri:
                SEEN_ASSETS.setdefault(self.uri, None)
            key = _script_key(self.uri)
            if key and len(SEEN_SCRIPTS) < 300:
                SEEN_SCRIPTS.setdefault(key, None)
        elif status_code == 200 and "/voila/render/" in self.path and SEEN_SCRIPTS:
            # at the end of <head>: the page's own blocking scripts are requested first
            at = chunk.find(b"</head>")
            if at >= 0:
                chunk = chunk[:at] + preload_links() + chunk[at:]
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


def _match(lab: Lab, audience: str, level: str, technique: str) -> bool:
    if audience and lab.audience not in (audience, "beide"):
        return False
    if level and lab.level != level:
        return False
    return not (technique and technique.casefold() not in {t.casefold() for t in lab.techniques})


class GalleryHandler(PageMixin, tornado.web.RequestHandler):
    """The start page: one card per lab, in German, filterable without JavaScript."""

    def initialize(self, labs: list[Lab]) -> None:
        self.labs = labs

    def get(self) -> None:
        base = self.settings.get("base_url", "/")
        audience = self.get_argument("zielgruppe", "")
        level = self.get_argument("niveau", "")
        technique = self.get_argument("technik", "")
        # one entry per technique whatever its capitalisation ("Logistische"/"logistische Regression")
        spelled: dict[str, str] = {}
        for t in (t for lab in self.labs for t in lab.techniques):
            if t.casefold() not in spelled or t[:1].isupper():
                spelled[t.casefold()] = t
        techniques = sorted(spelled.values(), key=str.casefold)
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
                "techniques": lab.techniques,
                "url": base + app_path(lab),
            }
            for lab in self.labs
            if _match(lab, audience, level, technique)
        ]
        filters = {"zielgruppe": audience, "niveau": level, "technik": technique}
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
            prefetch=[u for u in SEEN_ASSETS if not u.startswith(base + "datenlabor/")],
            qr_svg=self.settings.get("datenlabor_qr_svg", ""),
        )


class NotFoundHandler(PageMixin, tornado.web.RequestHandler):
    """Anything not explicitly served is a plain German 404."""

    def prepare(self) -> None:
        raise tornado.web.HTTPError(404)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if status_code == 404:
            self.render_page(
                "message.html",
                status=404,
                title="Seite nicht gefunden",
                message="Diese Seite gibt es nicht.",
                retry=False,
            )
        else:
            self.render_page(
                "message.html",
                status=status_code,
                title="Fehler",
                message="Das hat leider nicht geklappt.",
                retry=False,
            )


def _render_handler_class():
    from voila.tornado.handler import TornadoVoilaHandler

    class LabAppHandler(PageMixin, TornadoVoilaHandler):
        """Voilà's page handler behind the session cap, with German error pages."""

        async def get(self, path: str | None = None) -> None:
            km = self.kernel_manager
            if not km.admit():
                self.set_header("Retry-After", "60")
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
                km.release()

        def write_error(self, status_code: int, **kwargs: Any) -> None:
            # Never a traceback or exception text in the browser.
            if self._headers_written:
                self.finish()
                return
            message = (
                "Diese Seite gibt es nicht."
                if status_code == 404
                else (
                    "Die App konnte gerade nicht gestartet werden. Bitte laden Sie die Seite gleich noch einmal."
                )
            )
            self.render_page(
                "message.html", status=status_code, title="Fehler", message=message, retry=True
            )

    return LabAppHandler


class DatenlaborVoila(Voila):
    """Voilà with the tree, contents and file handlers replaced by a lab allowlist."""

    name = "datenlabor-serve"

    public_url = Unicode(
        "", config=True, help="The URL participants use (shown as text and QR code)."
    )
    focus = Unicode(
        "", config=True, help="Comma-separated slugs of labs in workshop focus (bigger pools)."
    )
    focus_pool_size = Integer(10, config=True, help="Preheated kernels per lab in workshop focus.")
    pool_size = Integer(1, config=True, help="Preheated kernels per other lab.")
    fork_kernels = Bool(
        True,
        config=True,
        help="Fork app kernels from one process with the labs' imports done (fast, shared memory).",
    )
    _fork_server = None

    def labs(self) -> list[Lab]:
        return [lab for lab in discover(labs_dir()) if lab.notebook.is_file()]

    def initialize(self, argv: list[str] | None = None) -> None:
        export_absolute()
        # Our template folder first, so Voilà finds the "datenlabor" template.
        paths = [
            str(TEMPLATE_ROOT),
            *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep)),
        ]
        os.environ["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
        branding = load_branding()
        # No file downloads at all (the handler is removed too; belt and braces).
        self.config.VoilaConfiguration.file_allowlist = []
        self.config.VoilaConfiguration.file_denylist = [".*"]
        self.config.VoilaConfiguration.resources = {
            "datenlabor": {
                "name": branding.name,
                "organisation": branding.organisation,
                "logo": logo_html(branding),
                "css_variables": branding.css_variables(),
                "contact": branding.contact,
                "footer_links": load_legal().footer_links(""),  # relative; template adds base_url
            }
        }
        super().initialize(argv)
        self._configure_pools()

    def _start_fork_server(self) -> None:
        """Must run before the pools start filling (when the kernel manager is created)."""
        import tempfile

        from . import forkserver

        spec = AppKernelSpecManager().get_kernel_spec(APP_KERNEL)
        folder = tempfile.mkdtemp(prefix="datenlabor-vorstart-")  # 0700: only this user
        path = os.path.join(folder, "vorstart.sock")
        env = {**os.environ, **spec.env}
        env.pop(forkserver.ENV_SOCKET, None)
        env.pop(forkserver.ENV_PID, None)
        self._fork_server = forkserver.start_server(path, env, labs_dir())
        self._fork_folder = folder
        os.environ[forkserver.ENV_SOCKET] = path
        os.environ[forkserver.ENV_PID] = str(self._fork_server.pid)

    def _configure_pools(self) -> None:
        """Pool size per lab notebook; notebooks that are no lab get no pool."""
        labs = self.labs()
        focus = {s.strip() for s in self.focus.split(",") if s.strip()}
        unknown = focus - {lab.slug for lab in labs}
        if unknown:
            raise ValueError(f"Unbekannte Labs im Fokus: {', '.join(sorted(unknown))}")
        pools: dict[str, Any] = {"default": {"pool_size": 0}}
        for lab in labs:
            pools[notebook_key(lab)] = {
                "pool_size": self.focus_pool_size if lab.slug in focus else self.pool_size
            }
        allowed = "|".join(re.escape(notebook_key(lab)) for lab in labs) or "(?!)"
        if "kernel_pools_config" in self.config.VoilaKernelManager:
            pools = (
                self.config.VoilaKernelManager.kernel_pools_config
            )  # explicit configuration wins
        else:
            self.config.VoilaKernelManager.kernel_pools_config = pools
        # Voilà matches the denylist against absolute paths: deny every notebook but the labs.
        root = re.escape(str(labs_dir()).rstrip("/") + "/")
        self.config.VoilaKernelManager.preheat_denylist = [rf"^(?!(?:{root})?(?:{allowed})$)"]
        self.pool_plan = {k: v["pool_size"] for k, v in pools.items() if k != "default"}

    def init_settings(self) -> dict:
        from unittest import mock

        import voila.app

        original = voila.app.voila_kernel_manager_factory
        if self.fork_kernels and self._fork_server is None:
            self._start_fork_server()

        def factory(*args: Any, **kwargs: Any):
            cls = original(*args, **kwargs)
            return type("DatenlaborKernelManager", (SessionTrackingMixin, cls), {})

        with mock.patch.object(voila.app, "voila_kernel_manager_factory", factory):
            settings = super().init_settings()
        self.kernel_manager.start_reaper()
        return settings

    def stop(self) -> None:
        # Kernels first: their IPC sockets live in the connection folder.
        from jupyter_core.utils import run_sync

        run_sync(self.kernel_manager.shutdown_all)()
        import shutil

        shutil.rmtree(self.connection_dir, ignore_errors=True)
        if self._fork_server is not None:
            self._fork_server.terminate()
            try:
                self._fork_server.wait(10)
            except Exception:  # noqa: BLE001
                self._fork_server.kill()
            shutil.rmtree(self._fork_folder, ignore_errors=True)

    def init_handlers(self) -> list:
        import jinja2

        handlers = super().init_handlers()
        labs = self.labs()
        allowed = "|".join(re.escape(notebook_key(lab)) for lab in labs) or "(?!)"
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
        env.globals["footer_links"] = load_legal().footer_links(self.server_url)
        branding = load_branding()
        self.app.settings.update(
            datenlabor_env=env,
            datenlabor_branding=branding,
            datenlabor_public_url=self.public_url,
            datenlabor_qr_svg=qr_svg(self.public_url) if self.public_url else "",
            serve_traceback=False,
        )
        self.app.transforms.append(SecurityHeaders)
        # after SecurityHeaders (which edits the uncompressed page): gzip for HTML, JS, CSS, JSON
        self.app.transforms.append(tornado.web.GZipContentEncoding)
        keep = []
        for handler in handlers:
            pattern = handler[0]
            if any(
                part in pattern
                for part in (
                    "/voila/files/",
                    "/voila/api/contents",
                    "/voila/tree",
                    "/voila/render/",
                )
            ):
                continue
            if pattern.rstrip("/") == self.server_url.rstrip("/") or pattern == self.server_url:
                continue  # the directory tree at "/"
            if pattern.endswith("/voila/templates/(.*)"):
                # only a template's static folder, never its source
                handler = (
                    pattern[: -len("(.*)")] + r"([\w-]+/static/(?:(?!\.\.|%2[eE])[^?])*)",
                    *handler[1:],
                )
            keep.append(handler)
        render = [h for h in handlers if "/voila/render/" in h[0]][0]
        base = self.server_url
        return [
            (base, GalleryHandler, {"labs": labs}),
            (
                base + r"datenlabor/static/(.*)",
                tornado.web.StaticFileHandler,
                {"path": str(STATIC)},
            ),
            (base + r"datenlabor/(impressum|datenschutz|barrierefreiheit)", page_handler_class()),
            (base + r"voila/render/(" + allowed + ")", _render_handler_class(), render[2]),
            *keep,
            (r".*", NotFoundHandler),
        ]


# --- command line ---------------------------------------------------------------


def lan_address() -> str:
    """This machine's address in the local network (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: only selects the outgoing interface
            return s.getsockname()[0]
        except OSError:
            return socket.gethostbyname(socket.gethostname())


def workshop_url(ip: str, port: int) -> str:
    """The URL participants type (or scan): the LAN address when serving on all interfaces."""
    host = lan_address() if ip in ("0.0.0.0", "", "::") else ip
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def qr_svg(url: str) -> str:
    """Inline SVG QR code of ``url`` (generated locally, no external service)."""
    import segno

    svg = segno.make(url, error="m").svg_inline(scale=5, border=2, dark="#000000", light="#ffffff")
    label = html.escape(f"QR-Code für {url}")
    return re.sub(r"<svg\b", f'<svg role="img" aria-label="{label}"', svg, count=1)


def default_max_sessions(per_kernel_mb: int = 200, share: float = 0.6) -> int:
    """As many sessions as fit into ``share`` of the available memory (at least 4)."""
    try:
        import psutil

        available = psutil.virtual_memory().available / 1024 / 1024
    except Exception:  # noqa: BLE001
        return 20
    return max(4, int(available * share / per_kernel_mb))


def build_argv(
    port: int, ip: str, extra: list[str] | None = None, max_sessions: int | None = None
) -> list[str]:
    """Command-line configuration for the app server (also used by tests and benchmarks)."""
    max_sessions = max_sessions or default_max_sessions()
    extra = list(extra or [])
    overridden = {opt.split("=", 1)[0] for opt in extra if opt.startswith("--")}
    defaults = [
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--no-browser",
        "--Voila.port_retries=0",
        # Request lines, widget values and uploads are never logged: warnings only.
        "--Voila.log_level=WARN",
        f"--VoilaConfiguration.template={TEMPLATE_NAME}",
        "--VoilaConfiguration.theme=light",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.preheat_kernel=True",
        "--VoilaConfiguration.kernel_spec_manager_class=datenlabor.serving.AppKernelSpecManager",
        "--VoilaExporter.language_code=de",
        # Front-end extensions an app page does not need (a JupyterLab button, code
        # highlighting for hidden sources): each costs requests and script time.
        "--VoilaConfiguration.extension_denylist=@voila-dashboards/jupyterlab-preview",
        "--VoilaConfiguration.extension_denylist=jupyterlab_pygments",
        "--KernelManager.transport=ipc",
        # Refills are held back while participants arrive (SessionTrackingMixin.refill_quiet).
        "--VoilaKernelManager.fill_delay=0.5",
        # Backstop for connected but idle sessions (the reaper handles the rest).
        "--MappingKernelManager.cull_idle_timeout=1800",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=False",
        f"--DatenlaborKernelManager.max_sessions={max_sessions}",
    ]
    kept = [opt for opt in defaults if opt.split("=", 1)[0] not in overridden]
    return [str(labs_dir()), *kept, *extra]


def banner(url: str, ip: str, pool_plan: dict[str, int], max_sessions: str) -> str:
    import io

    import segno

    out = io.StringIO()
    print("Datenlabor-Workshop-Server läuft.", file=out)
    print(f"  Adresse für Teilnehmende: {url}", file=out)
    if ip in ("127.0.0.1", "localhost", "::1"):
        print("  (nur auf diesem Rechner erreichbar; für andere Geräte: --ip 0.0.0.0)", file=out)
    warm = ", ".join(f"{k.split('/')[0]}: {v}" for k, v in pool_plan.items()) or "keine"
    print(f"  Vorgewärmte Kernel je Lab: {warm}", file=out)
    print(f"  Höchstens {max_sessions} gleichzeitige Sitzungen. Beenden mit Strg+C.", file=out)
    segno.make(url, error="m").terminal(out=out, compact=True)
    return out.getvalue()


def serve(
    port: int = 8866,
    ip: str = "127.0.0.1",
    extra: list[str] | None = None,
    public_url: str | None = None,
    max_sessions: int | None = None,
    quiet: bool = False,
) -> None:
    """Start the server in the foreground until Ctrl+C."""
    url = public_url or workshop_url(ip, port)
    max_sessions = max_sessions or default_max_sessions()
    app = DatenlaborVoila()
    from .running import patch_kernel_polling

    patch_kernel_polling()  # Voilà executes notebooks with nbclient too (nbclient#312)
    app.initialize(
        build_argv(port, ip, [f"--DatenlaborVoila.public_url={url}", *(extra or [])], max_sessions)
    )
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
    if not quiet:
        print(banner(url, ip, app.pool_plan, str(max_sessions)), flush=True)
    app.start()
