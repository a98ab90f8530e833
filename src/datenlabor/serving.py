"""The workshop app server: Voilà standalone, all labs, a gallery page.

Public by design, so it exposes only what an app page needs: no directory
tree, no contents API, no file downloads, no tracebacks. Only lab notebooks
from the catalogue can be rendered.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import tornado.web
from voila.app import Voila

from .catalog import Lab, discover
from .paths import labs_dir

TEMPLATES = Path(__file__).parent / "templates"


def app_path(lab: Lab) -> str:
    """URL path (below the server root) of a lab's app."""
    return f"voila/render/{lab.slug}/{lab.notebook.name}"


class GalleryHandler(tornado.web.RequestHandler):
    """The start page: one card per lab, in German."""

    def initialize(self, labs: list[Lab], env: Any) -> None:
        self.labs = labs
        self.env = env

    def get(self) -> None:
        template = self.env.get_template("gallery.html")
        base = self.settings.get("base_url", "/")
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
        ]
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(template.render(labs=cards, base_url=base))


class NotFoundHandler(tornado.web.RequestHandler):
    """Anything not explicitly served is a plain German 404."""

    def prepare(self) -> None:
        raise tornado.web.HTTPError(404)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish(f"{status_code}: Diese Seite gibt es nicht.")


class DatenlaborVoila(Voila):
    """Voilà with the tree, contents and file handlers replaced by a lab allowlist."""

    name = "datenlabor-serve"

    def init_handlers(self) -> list:
        import jinja2

        handlers = super().init_handlers()
        labs = [lab for lab in discover(labs_dir()) if lab.notebook.is_file()]
        allowed = "|".join(re.escape(f"{lab.slug}/{lab.notebook.name}") for lab in labs) or "(?!)"
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
        keep = []
        for handler in handlers:
            pattern = handler[0]
            if any(
                part in pattern
                for part in ("/voila/files/", "/voila/api/contents", "/voila/tree", "/voila/render/")
            ):
                continue
            if pattern.rstrip("/") == self.server_url.rstrip("/") or pattern == self.server_url:
                continue  # the directory tree at "/"
            keep.append(handler)
        render = [h for h in handlers if "/voila/render/" in h[0]][0]
        base = self.server_url
        return [
            (base, GalleryHandler, {"labs": labs, "env": env}),
            (base + r"voila/render/(" + allowed + ")", render[1], render[2]),
            *keep,
            (r".*", NotFoundHandler),
        ]


def build_argv(port: int, ip: str, extra: list[str] | None = None) -> list[str]:
    """Command-line configuration for the app server (also used by tests and benchmarks)."""
    return [
        str(labs_dir()),
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--no-browser",
        "--Voila.port_retries=0",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.file_allowlist=[]",
        "--VoilaConfiguration.file_denylist=['.*']",
        *(extra or []),
    ]


def serve(port: int = 8866, ip: str = "127.0.0.1", extra: list[str] | None = None) -> None:
    """Start the server in the foreground until Ctrl+C."""
    app = DatenlaborVoila()
    app.initialize(build_argv(port, ip, extra))
    app.start()
