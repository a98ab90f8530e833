"""A shared app: a named server ``app-<slug>`` that runs only the lab's Voilà app.

Started by :class:`.spawner.DatenlaborSpawner` as the owner's system user with
``python -m datenlabor.hub.appserver <slug>``. It publishes a snapshot of the owner's
copy ``~/labs/<slug>`` (later edits do not change the running app) through the
hardened app server of ``datenlabor serve`` (:class:`..server.app.DatenlaborVoila`:
no tree, no contents, no files, no code execution from the browser), and puts
JupyterHub's OAuth in front of every handler (:class:`HubGuard`): only people holding
``access:servers!server=<owner>/app-<slug>`` — the owner and, through the role the
spawner grants, the tenant's group — get in; everybody else gets 403 from the hub.
There is no JupyterLab, terminal or contents API on this server at all.
"""

from __future__ import annotations

import inspect
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlparse

APP_PREFIX = "app-"


def _guarded(handler_class: type) -> type:
    """``handler_class`` with JupyterHub OAuth checked before anything else runs."""
    from jupyterhub.services.auth import HubOAuth
    from tornado.httputil import url_concat
    from tornado.web import HTTPError
    from tornado.websocket import WebSocketHandler

    class HubGuard(handler_class):  # type: ignore[misc, valid-type]
        async def prepare(self):  # noqa: D401 - tornado hook
            auth = HubOAuth.instance()
            model = await auth.get_user(self, sync=False)
            if model is None:
                if self.request.method in ("GET", "HEAD") and not isinstance(
                    self, WebSocketHandler
                ):
                    state = auth.set_state_cookie(self, next_url=self.request.uri)
                    self.redirect(url_concat(auth.login_url, {"state": state}))
                    return
                raise HTTPError(403)
            if not auth.check_scopes(auth.access_scopes, model):
                raise HTTPError(403)
            result = super().prepare()
            if inspect.isawaitable(result):
                await result

    HubGuard.__name__ = HubGuard.__qualname__ = f"Hub{handler_class.__name__}"
    return HubGuard


# What a JupyterLab server offers and an app server never does: refused outright (403),
# so a colleague sees the same answer whether or not the owner's server would have it.
FORBIDDEN = r"(?:lab|tree|edit|notebooks|terminals|files|view|api/(?:contents|terminals|sessions|kernels/?$|kernelspecs|config|nbconvert|me|status))(?:/.*)?"


def _forbidden_handler() -> type:
    import tornado.web

    class ForbiddenHandler(tornado.web.RequestHandler):
        """403 in German for everything a JupyterLab server would offer."""

        def _refuse(self, *args, **kwargs):
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("Kein Zugriff: Dieser Server zeigt nur die geteilte App.\n")

        get = post = put = patch = delete = head = options = _refuse

    return ForbiddenHandler


def guard_handlers(handlers: list, prefix: str) -> list:
    """Every handler of ``handlers`` guarded, plus the OAuth callback under ``prefix``.

    Paths of :data:`FORBIDDEN` answer 403 to everybody who got past the guard.
    """
    from jupyterhub.services.auth import HubOAuthCallbackHandler

    guarded = [
        (prefix + "oauth_callback", HubOAuthCallbackHandler),
        (prefix + FORBIDDEN, _guarded(_forbidden_handler())),
    ]
    for spec in handlers:
        pattern, cls, *rest = spec
        guarded.append((pattern, _guarded(cls), *rest))
    return guarded


def publish(slug: str, home: Path) -> Path:
    """Snapshot ``home/labs/<slug>`` into ``home/.datenlabor/apps/<slug>/``; returns that root."""
    from ..errors import HubError
    from .workspace import _private_copy

    source = home / "labs" / slug
    if "/" in slug or slug.startswith(".") or not (source / "lab.yaml").is_file():
        raise HubError(f"Im Arbeitsbereich gibt es kein Lab „{slug}“ (Ordner labs/{slug}).")
    root = home / ".datenlabor" / "apps" / slug
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True, mode=0o700)
    _private_copy(source, root / slug)
    return root


def main(argv: list[str] | None = None) -> int:
    from traitlets.config import Config

    from ..errors import DatenlaborError

    argv = list(sys.argv[1:] if argv is None else argv)
    os.umask(0o077)
    try:
        root = publish(argv[0] if argv else "", Path.home())
    except DatenlaborError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    os.environ["DATENLABOR_LABS"] = str(root)
    from ..server.app import DatenlaborVoila
    from ..server.launch import layered_config

    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]

    class HubAppVoila(DatenlaborVoila):
        name = "datenlabor-hub-app"

        def init_handlers(self) -> list:
            return guard_handlers(super().init_handlers(), prefix)

    config = layered_config(
        Config(
            {
                "DatenlaborServer": {
                    "ip": url.hostname or "127.0.0.1",
                    "port": url.port or 8888,
                    "pool": 0,
                    "vorstart": False,
                    "max_sitzungen": 20,
                },
                "Voila": {"base_url": prefix},
            }
        )
    )
    app = HubAppVoila(config=config)
    app.initialize([])
    print(f"App „{argv[0]}“ wird unter {prefix} geteilt.", flush=True)
    app.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
