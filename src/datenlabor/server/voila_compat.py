"""Every place where the app server relies on Voilà internals, in one module.

Written for and tested with Voilà 0.5.8 – 0.5.13 (``voila>=0.5.8,<0.6`` in
pyproject.toml). ``tests/test_server_voila_compat.py`` fails loudly when one of
the :data:`INTERNALS` is missing, so a new Voilà cannot break the public server
silently. Everything else in :mod:`datenlabor.server` uses public traits,
subclasses and tornado APIs.

What is internal, and why:

* Voilà builds its preheating kernel manager with
  ``voila_kernel_manager_factory(base, preheat, pool_size, page_config_hook)``
  inside ``Voila.init_settings``; the class has no hook for *which* pool kernel
  a visitor gets or *when* a pool kernel starts. :func:`build_kernel_manager`
  builds the same class with our policy on top (:class:`PoolHooks`) and hands it
  to the web application instead of Voilà's own instance (which was created
  with empty pools and never starts a kernel).
* :class:`PoolHooks` overrides ``_initialize`` (starts one pool kernel) and
  ``get_rendered_notebook`` (hands a pool kernel to a visitor, taking
  ``_pools[notebook][0]``), and reads ``_pools``, whose entries are tasks
  resolving to ``{"kernel_id", "task", "renderer"}``.
* :func:`public_handlers` keeps Voilà's routes by handler class (an allowlist:
  an unknown new route is dropped, never served), and serves the kernel
  websocket with :class:`VisitorKernelWebsocket`, a subclass of Voilà's handler.
* :class:`VisitorKernelWebsocket` clears the ping settings of tornado's
  websocket protocol object (``WebSocketProtocol.params``, a tornado internal;
  see there why), also checked by the compatibility test.
"""

from __future__ import annotations

import asyncio
import collections
import functools
from typing import Any

import voila.app
from voila.voila_kernel_manager import voila_kernel_manager_factory

from .admission import SessionAdmission
from .pools import RefillPolicy, low_water

TESTED_VOILA = ">=0.5.8,<0.6"

# (object, attribute) pairs this module uses; checked by tests/test_server_voila_compat.py.
INTERNALS: list[tuple[str, str]] = [
    ("voila.voila_kernel_manager", "voila_kernel_manager_factory"),
    ("VoilaKernelManager", "_initialize"),
    ("VoilaKernelManager", "get_rendered_notebook"),
    ("VoilaKernelManager", "_pools"),
    ("voila.app", "KernelHandler"),
    ("voila.app", "VoilaKernelWebsocketHandler"),
    ("voila.app", "TemplateStaticFileHandler"),
    ("voila.app", "MultiStaticFileHandler"),
    ("voila.app", "ThemesHandler"),
    ("voila.app", "VoilaShutdownKernelHandler"),
    ("voila.app", "RequestInfoSocketHandler"),
    ("voila.app", "FileFindHandler"),
]


def is_ready(entry: asyncio.Future) -> bool:
    """A pool entry whose kernel runs and whose notebook has been executed."""
    if not entry.done() or entry.cancelled() or entry.exception() is not None:
        return False
    render = entry.result().get("task")
    return render is None or render.done()


class PoolHooks:
    """Kernel-manager mixin above Voilà's pool class: which pool kernel a visitor
    gets (a ready one), and when a pool kernel starts (:class:`.pools.RefillPolicy`)."""

    refill_policy: RefillPolicy

    def pool_entries(self, notebook: str) -> list[asyncio.Future]:
        return self._pools.get(notebook, [])

    def ready_count(self, notebook: str) -> int:
        return sum(1 for entry in self.pool_entries(notebook) if is_ready(entry))

    def pending_kernels(self) -> int:
        """Pages being delivered plus pool kernels that are not ready yet (still growing)."""
        waiting = sum(1 for pool in self._pools.values() for entry in pool if not is_ready(entry))
        return super().pending_kernels() + waiting

    def low_water(self, notebook: str) -> int:
        config = self.kernel_pools_config
        return low_water(config.get(notebook, config.get("default", {})).get("pool_size", 1))

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        # Only the page handler calls this on the manager itself; pool kernels are
        # started by Voilà's pool class below this one.
        self.refill_policy.visitor_arrived()
        return await super().start_kernel(*args, **kwargs)

    async def get_rendered_notebook(self, notebook_name: str, *args: Any, **kwargs: Any):
        self.refill_policy.visitor_arrived()
        pool = self.pool_entries(notebook_name)
        ready = [entry for entry in pool if is_ready(entry)]
        if ready:  # Voilà takes the first entry: make it one that is ready
            pool.remove(ready[0])
            pool.insert(0, ready[0])
        elif pool:
            self.refill_policy.hurry(pool[0])  # nobody ready: this visitor's kernel starts now
        result = await super().get_rendered_notebook(notebook_name, *args, **kwargs)
        self.session_started(result[2])
        return result

    async def _initialize(self, notebook_path: str, kernel_id: str | None = None, **kwargs: Any):
        if kernel_id is not None:  # restart of a known kernel
            return await super()._initialize(notebook_path, kernel_id, **kwargs)
        initialize = functools.partial(super()._initialize, notebook_path, None, **kwargs)

        async def start():
            self.kernel_starts += 1
            result = await initialize()
            return result, result["task"]

        return await self.refill_policy.refill(
            start,
            ready=functools.partial(self.ready_count, notebook_path),
            low=self.low_water(notebook_path),
        )


def kernel_manager_class(app: voila.app.Voila) -> type:
    """Voilà's preheating kernel manager with session admission and refill policy on top."""
    configuration = app.voila_configuration
    pooled = voila_kernel_manager_factory(
        configuration.multi_kernel_manager_class,
        True,
        0,
        page_config_hook=configuration.page_config_hook,
    )

    class DatenlaborKernelManager(PoolHooks, SessionAdmission, pooled):
        """Voilà's pool manager, session cap and reaper, refills that give way to visitors."""

        def __init__(self, **kwargs: Any) -> None:
            options = kwargs["parent"].options
            self.refill_policy = RefillPolicy(
                quiet=options.ruhe_sekunden, slot_timeout=options.start_sekunden
            )
            super().__init__(**kwargs)

    return DatenlaborKernelManager


VISITOR_FORBIDDEN_MESSAGES = frozenset({"shutdown_request"})
"""Kernel messages Voilà allows by default that a public visitor must not send."""


def build_kernel_manager(app: voila.app.Voila, settings: dict, pools: dict) -> Any:
    """Replace the kernel manager Voilà created in ``init_settings`` by ours.

    Voilà's instance must have been created with empty pools (``default_pool_size``
    0 and no ``kernel_pools_config``), so it never started a kernel; ours gets the
    same constructor arguments and the pool sizes ``pools``.
    """
    stock = app.kernel_manager
    manager = kernel_manager_class(app)(
        parent=app,
        connection_dir=app.connection_dir,
        kernel_spec_manager=app.kernel_spec_manager,
        # A visitor's websocket may drive widgets, never shut the kernel down: Voilà's own
        # front end leaves through the REST shutdown route (sendBeacon), not this message.
        allowed_message_types=[
            t for t in stock.allowed_message_types if t not in VISITOR_FORBIDDEN_MESSAGES
        ],
        kernel_pools_config=pools,
    )
    app.kernel_manager = settings["kernel_manager"] = manager
    return manager


MAX_VISITOR_MESSAGE_BYTES = 3 * 1024 * 1024
"""Largest websocket message a visitor may send to a kernel: an upload of at most
``upload.MAX_UPLOAD_MB`` (2 MB) plus base64 or framing overhead; checked in the
frame header before the payload is read (tornado closes with code 1009)."""

MAX_CONNECTIONS_PER_KERNEL = 3
"""Open websockets per app kernel: a page uses one, a reconnect briefly two."""

TOO_MANY_CONNECTIONS = (
    "Zu viele Verbindungen zu dieser Sitzung. Bitte schließen Sie andere Fenster."
)


class VisitorKernelWebsocket(voila.app.VoilaKernelWebsocketHandler):
    """Voilà's kernel websocket with limits for the public: size, connections, bad frames.

    * messages above :data:`MAX_VISITOR_MESSAGE_BYTES` end the connection (1009)
      before they are read;
    * at most :data:`MAX_CONNECTIONS_PER_KERNEL` websockets per kernel; more are
      refused before the upgrade (429, German text);
    * a frame that is no kernel message (not JSON, broken binary) is logged as
      one line and ends the connection (1007), instead of a traceback in the log.

    Keep-alive: jupyter_server's ``WebSocketMixin`` sends its own pings and reads
    ``ping_interval``/``ping_timeout`` in milliseconds (30000/90000); tornado ≥ 6.5
    reads the same two properties in *seconds* for its own pings and warns at
    every start that the timeout (90000) is longer than the interval (30000).
    Tornado's pings would come every 8 hours, so they are switched off here and
    jupyter_server's keep-alive (every 30 s, 90 s for the answer) stays the only one.
    """

    @property
    def max_message_size(self) -> int:
        return self.settings.get("datenlabor_ws_max_bytes", MAX_VISITOR_MESSAGE_BYTES)

    def get_websocket_protocol(self):  # noqa: ANN201
        protocol = super().get_websocket_protocol()
        if protocol is not None:
            protocol.params.ping_interval = protocol.params.ping_timeout = None
        return protocol

    def _open_counts(self) -> collections.Counter:
        return self.settings.setdefault("datenlabor_ws_open", collections.Counter())

    async def get(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        counts = self._open_counts()
        cap = self.settings.get("datenlabor_ws_per_kernel", MAX_CONNECTIONS_PER_KERNEL)
        if counts[kernel_id] >= cap:
            self.set_status(429)
            self.set_header("Retry-After", "10")
            self.set_header("Content-Type", "text/plain; charset=UTF-8")
            self.finish(TOO_MANY_CONNECTIONS)
            return
        counts[kernel_id] += 1  # the whole life of the connection: get() returns when it closes
        try:
            await super().get(kernel_id, *args, **kwargs)
        finally:
            counts[kernel_id] -= 1
            if counts[kernel_id] <= 0:
                del counts[kernel_id]

    def on_message(self, message: str | bytes) -> None:
        try:
            super().on_message(message)
        except Exception as exc:  # noqa: BLE001 - a visitor's bad frame is no server error
            self.log.warning(
                "Unlesbare Nachricht an Kernel %s verworfen (%s); Verbindung beendet.",
                getattr(self, "kernel_id", "?"),
                type(exc).__name__,
            )
            self.close(1007, "Ungültige Nachricht")


def public_handlers(app: voila.app.Voila, handlers: list) -> tuple[list, tuple]:
    """Voilà's routes an app page needs, by handler class; and Voilà's page route.

    Kept: kernels and their websocket, static files, themes, widget extensions,
    the request-info socket, login/shutdown. Dropped: the directory tree, the
    contents API, file downloads and everything unknown. A template's files are
    served from its ``static`` folder only, never its source.
    """
    keep = {
        voila.app.KernelHandler,
        voila.app.VoilaKernelWebsocketHandler,
        voila.app.MultiStaticFileHandler,
        voila.app.ThemesHandler,
        voila.app.VoilaShutdownKernelHandler,
        voila.app.RequestInfoSocketHandler,
        voila.app.FileFindHandler,
        *(handler[1] for handler in app.identity_provider.get_handlers()),  # login, logout
    }
    from voila.tornado.handler import TornadoVoilaHandler

    out, page = [], None
    for handler in handlers:
        pattern, cls = handler[0], handler[1]
        if cls is TornadoVoilaHandler:
            page = handler
        elif cls is voila.app.TemplateStaticFileHandler:
            out.append(
                (
                    pattern[: -len("(.*)")] + r"([\w-]+/static/(?:(?!\.\.|%2[eE])[^?])*)",
                    *handler[1:],
                )
            )
        elif cls is voila.app.VoilaKernelWebsocketHandler:
            out.append((pattern, VisitorKernelWebsocket, *handler[2:]))
        elif cls in keep:
            out.append(handler)
    if page is None:
        raise RuntimeError("Voilà bietet keine Seiten-Route mehr an (voila_compat prüfen).")
    return out, page
