"""Visitor sessions: a cap on how many run at once, and reclaiming abandoned ones.

A *session* is a kernel that was handed to a visitor (from a pool or freshly
started). Pool kernels waiting for a visitor are not sessions.

* :meth:`SessionBook.admit` reserves a place synchronously, before anything is
  awaited, so a burst of requests cannot overshoot the cap.
* A session whose websocket has not connected ``connect_timeout`` seconds after
  its page was delivered (a bot, a curl, a closed tab) is abandoned.
* A session whose last websocket closed is abandoned ``disconnect_timeout``
  seconds later (time enough for a page reload).

:class:`SessionBook` is the bookkeeping (plain Python, injectable clock);
:class:`SessionAdmission` wires it into the kernel manager and runs the reaper.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

_reservation: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "datenlabor_reservation", default=None
)


@dataclass
class Session:
    """One visitor kernel: since when it waits, whether it connected, when its visitor left."""

    since: float
    connections: int = 0
    connected: bool = False
    left: float | None = None


@dataclass
class SessionBook:
    """Live sessions and reservations of places (no I/O; times from ``clock`` in seconds)."""

    max_sessions: int
    connect_timeout: float
    disconnect_timeout: float
    clock: Callable[[], float] = time.monotonic
    sessions: dict[str, Session] = field(default_factory=dict)
    reserved: int = 0

    def count(self) -> int:
        """Sessions plus places reserved by pages that are being delivered."""
        return len(self.sessions) + self.reserved

    def admit(self) -> bool:
        """Reserve a place for the current request; False if all places are taken."""
        if self.count() >= self.max_sessions:
            return False
        self.reserved += 1
        _reservation.set({"used": False})
        return True

    def _use(self, token: dict) -> None:
        if not token["used"]:
            token["used"] = True
            self.reserved = max(0, self.reserved - 1)

    def started(self, kernel_id: str) -> None:
        """A kernel was handed to the visitor of the current request: it is a session now."""
        self.sessions[kernel_id] = Session(since=self.clock())
        token = _reservation.get()
        if token is not None:
            token["kernel_id"] = kernel_id
            self._use(token)

    def release(self) -> None:
        """The page is delivered (or failed): free an unused reservation, start the connect clock."""
        token = _reservation.get()
        if token is not None:
            self._use(token)
            session = self.sessions.get(token.get("kernel_id", ""))
            if session is not None:
                session.since = self.clock()
        _reservation.set(None)

    def connected(self, kernel_id: str) -> None:
        """A websocket of the session opened."""
        session = self.sessions.get(kernel_id)
        if session is not None:
            session.connections += 1
            session.connected, session.left = True, None

    def disconnected(self, kernel_id: str) -> None:
        """A websocket of the session closed; the last one starts the disconnect clock."""
        session = self.sessions.get(kernel_id)
        if session is not None:
            session.connections = max(0, session.connections - 1)
            if not session.connections:
                session.left = self.clock()

    def ended(self, kernel_id: str) -> None:
        """The kernel was shut down."""
        self.sessions.pop(kernel_id, None)

    def abandoned(self, alive: Iterable[str], now: float | None = None) -> list[str]:
        """Sessions to shut down; sessions whose kernel is no longer ``alive`` are forgotten."""
        now = self.clock() if now is None else now
        alive = set(alive)
        out = []
        for kernel_id, session in list(self.sessions.items()):
            if kernel_id not in alive:
                self.sessions.pop(kernel_id, None)
            elif session.connections:
                continue
            elif not session.connected and now - session.since > self.connect_timeout:
                out.append(kernel_id)
            elif session.left is not None and now - session.left > self.disconnect_timeout:
                out.append(kernel_id)
        return out


class SessionAdmission:
    """Kernel-manager mixin: counts sessions and shuts abandoned ones down.

    Sits above Voilà's pool class (see :mod:`.voila_compat`), so only kernels
    the page handler starts itself pass :meth:`start_kernel` here; pool kernels
    become sessions when they are taken (:meth:`session_started`). The limits
    come from the application's ``options``: ``max_sitzungen``,
    ``verbindung_sekunden``, ``weg_sekunden``, ``pruefabstand_sekunden``.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        options = self.parent.options
        self.sessions = SessionBook(
            max_sessions=options.max_sitzungen,
            connect_timeout=options.verbindung_sekunden,
            disconnect_timeout=options.weg_sekunden,
        )
        self.reap_interval = options.pruefabstand_sekunden
        self._reaper = None

    def session_started(self, kernel_id: str) -> None:
        self.sessions.started(kernel_id)

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        kernel_id = await super().start_kernel(*args, **kwargs)
        self.session_started(kernel_id)
        return kernel_id

    def notify_connect(self, kernel_id: str) -> None:
        super().notify_connect(kernel_id)
        self.sessions.connected(kernel_id)

    def notify_disconnect(self, kernel_id: str) -> None:
        super().notify_disconnect(kernel_id)
        self.sessions.disconnected(kernel_id)

    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any):
        self.sessions.ended(kernel_id)
        return await super().shutdown_kernel(kernel_id, *args, **kwargs)

    def start_reaper(self) -> None:
        """Check for abandoned sessions every ``pruefabstand_sekunden`` seconds."""
        from tornado.ioloop import PeriodicCallback

        if self._reaper is None and self.reap_interval > 0:
            self._reaper = PeriodicCallback(self.reap, self.reap_interval * 1000)
            self._reaper.start()

    async def reap(self) -> None:
        """Shut down every abandoned session (a failing shutdown does not stop the others)."""
        for kernel_id in self.sessions.abandoned(self.list_kernel_ids()):
            self.log.info("Sitzung %s ohne Verbindung beendet.", kernel_id)
            try:
                await self.shutdown_kernel(kernel_id, now=True)
            except Exception:  # noqa: BLE001 - a dying kernel must not stop the reaper
                self.sessions.ended(kernel_id)
