"""The Voilà application of ``datenlabor serve``: all labs, a gallery, no files.

Its options are the traits of :class:`.options.DatenlaborServer`; the fixed
Voilà and Jupyter settings a public server needs are :data:`PRESETS` (a config
file may change them).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import tempfile
from importlib.resources import files
from pathlib import Path
from typing import Any

import tornado.web
from traitlets.config import Config
from voila.app import Voila

from ..catalog import Lab, discover
from ..errors import ServerOptionError
from ..paths import export_absolute, labs_dir
from . import voila_compat
from .admission import trusted_networks
from .branding import load_branding, logo_html
from .handlers import (
    MAX_HEADER_SIZE,
    AssetLog,
    CoursePlanHandler,
    GalleryHandler,
    GermanErrorPages,
    LabAppHandler,
    NotFoundHandler,
    OversizedHandler,
    OversizedRequest,
    SecurityHeaders,
    notebook_key,
    qr_svg,
)
from .kernelspecs import APP_KERNEL, AppKernelSpecManager
from .legal import load_legal, page_handler_class
from .metrics import HealthHandler, MetricsHandler, ServerMetrics, metrics_app
from .options import DatenlaborServer

TEMPLATE_NAME = "datenlabor"


def templates_dir() -> Path:
    """Our jinja2 pages; ``jupyter/voila/templates/datenlabor`` below it is the Voilà template."""
    return Path(str(files("datenlabor") / "templates"))


def static_dir() -> Path:
    """CSS and images of our own pages, served under ``/datenlabor/static/``."""
    return Path(str(files("datenlabor") / "static"))


# Settings of Voilà and Jupyter a public app server needs; a config file may change them.
PRESETS: dict[str, dict[str, Any]] = {
    "Voila": {
        "open_browser": False,
        "port_retries": 0,
        # Request lines, widget values and uploads are never logged: warnings only.
        "log_level": logging.WARNING,
    },
    "VoilaConfiguration": {
        "template": TEMPLATE_NAME,
        "theme": "light",
        "allow_template_override": "NO",
        "allow_theme_override": "NO",
        "show_tracebacks": False,
        "strip_sources": True,
        "preheat_kernel": True,
        "kernel_spec_manager_class": AppKernelSpecManager,
        # Front-end extensions an app page does not need (a JupyterLab button, code
        # highlighting for hidden sources): each costs requests and script time.
        "extension_denylist": ["@voila-dashboards/jupyterlab-preview", "jupyterlab_pygments"],
        # No file downloads at all (the handler is removed too; belt and braces).
        "file_allowlist": [],
        "file_denylist": [".*"],
    },
    "VoilaExporter": {"language_code": "de"},
    "KernelManager": {"transport": "ipc"},
    # Refills are held back while participants arrive (option ruhe_sekunden).
    "VoilaKernelManager": {"fill_delay": 0.5},
    # Backstop for connected but idle sessions (the reaper handles the rest).
    "MappingKernelManager": {
        "cull_idle_timeout": 1800,
        "cull_interval": 60,
        "cull_connected": False,
    },
}


def _closed_stream_filter(record: logging.LogRecord) -> bool:
    """Drop pyzmq's "Got events for closed stream" (dozens after websockets close):
    harmless late events of a kernel channel that was closed on purpose."""
    return not str(record.msg).startswith("Got events for closed stream")


def _untrusted_notebook_filter(record: logging.LogRecord) -> bool:
    """Drop jupyter_server's "Notebook … is not trusted" (once per page view): labs are
    stored without outputs, so there is nothing a signature would vouch for."""
    return record.msg != "Notebook %s is not trusted"


class DatenlaborVoila(Voila):
    """Voilà with the tree, contents and file handlers replaced by a lab allowlist.

    Its settings are :attr:`options` (:class:`.options.DatenlaborServer`).
    """

    name = "datenlabor-serve"
    description = "Der Workshop-App-Server: alle Labs als Apps, eine Startseite, keine Dateien."

    _fork_server = None
    pool_plan: dict[str, int] = {}

    def labs(self) -> list[Lab]:
        return [lab for lab in discover(labs_dir()) if lab.notebook.is_file()]

    def initialize(self, argv: list[str] | None = None) -> None:
        export_absolute()
        # Our template folder first, so Voilà finds the "datenlabor" template.
        paths = [
            str(templates_dir() / "jupyter"),
            *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep)),
        ]
        os.environ["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
        branding = load_branding()
        self.update_config(Config({"Voila": {"root_dir": str(labs_dir())}}))
        self.config.VoilaConfiguration.resources = {
            "datenlabor": {
                "name": branding.name,
                "organisation": branding.organisation,
                "logo": logo_html(branding),
                "css_variables": branding.css_variables(),
                "contact": branding.contact,
                "footer_links": load_legal().footer_links(""),  # relative; template adds base_url
                # tab titles: notebook name -> the lab's German title
                "titles": {lab.notebook.stem: lab.title for lab in self.labs()},
                "site": " ".join(filter(None, [branding.name, branding.organisation])),
            }
        }
        # Pool sizes go to our kernel manager only (voila_compat.build_kernel_manager).
        explicit = self.config.VoilaKernelManager.pop("kernel_pools_config", None)
        super().initialize(argv or [])
        # Voilà's own kernel manager must never fill a pool: ours replaces it (voila_compat).
        self.voila_configuration.default_pool_size = 0
        self.options = DatenlaborServer(parent=self)
        self.port, self.ip = self.options.port, self.options.ip
        self.trusted_proxies = trusted_networks(self.options.vertrauenswuerdige_proxys)
        if self.options.ausfuehrlich:
            self.log_level = logging.INFO
        self.log.addFilter(_untrusted_notebook_filter)
        logging.getLogger("tornado.general").addFilter(_closed_stream_filter)
        self.pools = explicit or self._pool_sizes()
        self.pool_plan = {k: v["pool_size"] for k, v in self.pools.items() if k != "default"}

    def _pool_sizes(self) -> dict[str, dict[str, int]]:
        """Pool size per lab notebook; notebooks that are no lab get no pool."""
        labs = self.labs()
        slugs = {lab.slug for lab in labs}
        focus = {s.strip() for item in self.options.fokus for s in item.split(",") if s.strip()}
        unknown = focus - slugs
        if unknown:
            raise ServerOptionError(
                f"Unbekanntes Lab im Fokus: {', '.join(sorted(unknown))}. "
                f"Vorhandene Labs: {', '.join(sorted(slugs)) or 'keine'} (siehe „datenlabor list“)."
            )
        pools: dict[str, dict[str, int]] = {"default": {"pool_size": 0}}
        for lab in labs:
            pools[notebook_key(lab)] = {
                "pool_size": self.options.pool_fokus if lab.slug in focus else self.options.pool
            }
        # Voilà matches the denylist against absolute paths: deny every notebook but the labs.
        allowed = "|".join(re.escape(notebook_key(lab)) for lab in labs) or "(?!)"
        root = re.escape(str(labs_dir()).rstrip("/") + "/")
        self.config.VoilaKernelManager.preheat_denylist = [rf"^(?!(?:{root})?(?:{allowed})$)"]
        return pools

    def _start_fork_server(self) -> None:
        """Must run before the pools start filling (when the kernel manager is created)."""
        from .. import forkserver

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

    def init_settings(self) -> dict:
        if self.options.vorstart and self._fork_server is None:
            self._start_fork_server()
        settings = super().init_settings()
        manager = voila_compat.build_kernel_manager(self, settings, self.pools)
        manager.start_reaper()
        self.metrics = ServerMetrics(manager)
        return settings

    def listen(self) -> None:
        # Voilà's listen() runs the IOLoop until the server stops: the metrics port first.
        if self.options.metrik_port:  # loopback only: never public
            metrics_app(self.metrics).listen(self.options.metrik_port, "127.0.0.1")
        # a request with a very long address is read, then answered in German (414), not dropped
        self.app.listen = functools.partial(self.app.listen, max_header_size=MAX_HEADER_SIZE)
        super().listen()

    def stop(self) -> None:
        # Kernels first: their IPC sockets live in the connection folder.
        from jupyter_core.utils import run_sync

        run_sync(self.kernel_manager.shutdown_all)()
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

        kept, page = voila_compat.public_handlers(self, super().init_handlers())
        labs = self.labs()
        allowed = "|".join(re.escape(notebook_key(lab)) for lab in labs) or "(?!)"
        assets = AssetLog()
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True
        )
        env.globals["footer_links"] = load_legal().footer_links(self.server_url)
        self.app.settings.update(
            datenlabor_env=env,
            datenlabor_branding=load_branding(),
            datenlabor_public_url=self.options.url,
            datenlabor_qr_svg=qr_svg(self.options.url) if self.options.url else "",
            datenlabor_assets=assets,
            serve_traceback=False,
            datenlabor_trusted_proxies=self.trusted_proxies,
            datenlabor_page_seconds=self.metrics.page_seconds.observe,
        )
        # tornado's English error pages (static files, 405 for DELETE/PUT on a page) in German
        self.app.transforms.append(functools.partial(GermanErrorPages, settings=self.app.settings))
        self.app.transforms.append(functools.partial(SecurityHeaders, assets=assets))
        # after SecurityHeaders (which edits the uncompressed page): gzip for HTML, JS, CSS, JSON
        self.app.transforms.append(tornado.web.GZipContentEncoding)
        base = self.server_url
        return [
            (OversizedRequest(), OversizedHandler),  # German 414/431 before any other handler
            (base, GalleryHandler, {"labs": labs}),
            (
                base + r"datenlabor/static/(.*)",
                tornado.web.StaticFileHandler,
                {"path": str(static_dir())},
            ),
            (base + r"datenlabor/(impressum|datenschutz|barrierefreiheit)", page_handler_class()),
            (base + r"datenlabor/kursplan(\.pdf)?", CoursePlanHandler, {"labs": labs}),
            (base + r"datenlabor/health", HealthHandler),
            *(
                [
                    (
                        base + r"datenlabor/metrics",
                        MetricsHandler,
                        {"metrics": self.metrics, "token": self.options.metrik_token},
                    )
                ]
                if self.options.metrik_token
                else []
            ),
            (base + r"voila/render/(" + allowed + ")", LabAppHandler, page[2]),
            *kept,
            (r".*", NotFoundHandler),
        ]


def presets() -> Config:
    """A fresh copy of :data:`PRESETS` as traitlets configuration."""
    return Config({section: dict(values) for section, values in PRESETS.items()})
