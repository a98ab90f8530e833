"""Fails loudly when a Voilà internal that datenlabor.server.voila_compat relies on is gone."""

from __future__ import annotations

import importlib
import inspect
from importlib.metadata import version

import pytest
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from packaging.specifiers import SpecifierSet
from voila.app import Voila
from voila.voila_kernel_manager import voila_kernel_manager_factory

from datenlabor.server import voila_compat

POOL_CLASS = voila_kernel_manager_factory(AsyncMappingKernelManager, True, 0)


def test_installed_voila_is_the_tested_series():
    assert version("voila") in SpecifierSet(voila_compat.TESTED_VOILA), (
        f"Voilà {version('voila')} is not the series voila_compat was written for "
        f"({voila_compat.TESTED_VOILA}): check every entry of voila_compat.INTERNALS."
    )


@pytest.mark.parametrize("owner, name", voila_compat.INTERNALS)
def test_internal_still_exists(owner, name):
    if owner == "VoilaKernelManager":
        source = inspect.getsource(POOL_CLASS)
        assert name in source, f"Voilà's pool class no longer has {name}"
    else:
        module = importlib.import_module(owner)
        assert hasattr(module, name), f"{owner}.{name} is gone"


def test_pool_class_contract():
    """What PoolHooks assumes about Voilà's pool class, in Voilà's own source."""
    get = inspect.getsource(POOL_CLASS.get_rendered_notebook)
    assert "self._pools[notebook_name].pop(0)" in get  # the first entry is handed out
    assert "return render_task, renderer.rendered_cache, kernel_id" in get
    init = inspect.getsource(POOL_CLASS._initialize)
    assert "super().start_kernel(" in init  # pool kernels do not pass our start_kernel
    assert '"task": task' in init and '"kernel_id": kernel_id' in init
    assert "self._pools" in inspect.getsource(POOL_CLASS.__init__)
    assert list(inspect.signature(POOL_CLASS._initialize).parameters)[:3] == [
        "self",
        "notebook_path",
        "kernel_id",
    ]


def test_voila_builds_its_kernel_manager_in_init_settings():
    """build_kernel_manager replaces what init_settings created, before the web app exists."""
    source = inspect.getsource(Voila.init_settings)
    assert "self.kernel_manager = kernel_manager_class(" in source
    assert "kernel_manager=self.kernel_manager" in source
    start = inspect.getsource(Voila.start)
    assert start.index("self.init_settings()") < start.index("tornado.web.Application(")


def test_public_routes_are_an_allowlist_of_handler_classes():
    from types import SimpleNamespace

    import tornado.web
    import voila.app
    from voila.tornado.handler import TornadoVoilaHandler

    class Unknown(tornado.web.RequestHandler):
        """A route a future Voilà might add."""

    class Login(tornado.web.RequestHandler):
        pass

    app = SimpleNamespace(
        identity_provider=SimpleNamespace(get_handlers=lambda: [("/login", Login)])
    )
    handlers = [
        ("/api/kernels/(?P<kernel_id>x)", voila.app.KernelHandler),
        ("/voila/templates/(.*)", voila.app.TemplateStaticFileHandler),
        ("/voila/files/(.*)", voila.app.AllowListFileHandler, {}),
        ("/voila/tree(.*)", voila.app.TornadoVoilaTreeHandler, {}),
        ("/voila/api/contents(.*)", voila.app.VoilaContentsHandler, {}),
        ("/voila/render/(.*)", TornadoVoilaHandler, {"config": None}),
        ("/login", Login),
        ("/neu/(.*)", Unknown),
    ]
    handlers.append(
        ("/api/kernels/(?P<kernel_id>x)/channels", voila.app.VoilaKernelWebsocketHandler)
    )
    kept, page = voila_compat.public_handlers(app, handlers)
    assert kept[-1][1] is voila_compat.VisitorKernelWebsocket  # with the visitor limits
    assert page == handlers[5]
    patterns = [h[0] for h in kept]
    assert patterns[0] == "/api/kernels/(?P<kernel_id>x)" and "/login" in patterns
    assert not any(
        p.startswith(("/voila/files", "/voila/tree", "/voila/api/contents", "/neu"))
        for p in patterns
    )
    template = next(p for p in patterns if p.startswith("/voila/templates/"))
    assert template.endswith(
        "/static/(?:(?!\\.\\.|%2[eE])[^?])*)"
    )  # a template's static folder only


def test_tornado_websocket_params_contract():
    """VisitorKernelWebsocket switches tornado's own pings off through ``protocol.params``."""
    import tornado.websocket

    ping = inspect.getsource(tornado.websocket.WebSocketProtocol13)
    assert "self.params = params" in inspect.getsource(
        tornado.websocket.WebSocketProtocol13.__init__
    )
    assert "self.params.ping_interval" in ping and "self.params.ping_timeout" in ping
    handler = inspect.getsource(tornado.websocket.WebSocketHandler.get_websocket_protocol)
    assert "max_message_size=self.max_message_size" in handler
