"""Visitor sessions: a cap on how many run at once, and reclaiming abandoned ones.

A *session* is a kernel that was handed to a visitor (from a pool or freshly
started). Pool kernels waiting for a visitor are not sessions.

* :meth:`SessionBook.admit` reserves a place synchronously, before anything is
  awaited, so a burst of requests cannot overshoot the cap.
* A session whose websocket has not connected ``connect_timeout`` seconds after
  its page was delivered (a bot, a curl, a closed tab) is abandoned.
* A session whose last websocket closed is abandoned ``disconnect_timeout``
  seconds later (time enough for a page reload).
* Memory (:class:`MemoryBudget`): the PSS of the server's process tree is
  measured every few seconds; in between, each admitted visitor is counted as
  one more kernel of the learned size, so a burst cannot push the tree over the
  cap before the next measurement.

:class:`SessionBook` is the bookkeeping (plain Python, injectable clock);
:class:`SessionAdmission` wires it into the kernel manager and runs the reaper.
"""

from __future__ import annotations

import contextvars
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

_reservation: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "datenlabor_reservation", default=None
)


@dataclass
class Session:
    """One visitor kernel: since when it waits, whether it connected, when its visitor left.

    ``client`` is the visitor's address (memory only, never logged), ``delivered``
    whether its page has been sent (only then may it be reclaimed early).
    """

    since: float
    client: str | None = None
    connections: int = 0
    connected: bool = False
    left: float | None = None
    delivered: bool = False


@dataclass
class MemoryBudget:
    """Projects the PSS of the server's process tree between two measurements (MB).

    ``projected()`` = last measured PSS + (kernels still growing at that
    measurement + visitors admitted since, minus those evicted) x ``kernel_mb``.
    Every admitted visitor costs one kernel: a kernel started for the page, or
    the pool kernel that replaces the one they took. ``kernel_mb`` is learned
    from each measurement (upper quartile of the kernels' PSS; shared pages of
    the fork server counted proportionally, so it errs on the high side); until
    then it is the prior ``kernel_mb``. A ``cap_mb`` of 0 means no cap.
    ``reserve_share`` of the cap is kept free for what no projection sees: the
    server process itself and kernels that grow while a visitor computes (both
    show up at the next measurement).
    """

    cap_mb: float = 0.0
    reserve_share: float = 0.05
    kernel_mb: float = 150.0
    measured_mb: float = 0.0
    pending: int = 0  # kernels still starting when the last measurement began
    since: int = 0  # admitted minus evicted since the last measurement began
    _counted: int = 0
    _pending_next: int = 0

    def projected(self, extra: int = 0) -> float:
        """Expected PSS (MB) once every counted kernel has started, plus ``extra`` kernels."""
        return self.measured_mb + max(0, self.pending + self.since + extra) * self.kernel_mb

    def full(self, extra: int = 1) -> bool:
        """True if ``extra`` more kernels would take the tree over the cap (less the reserve)."""
        return bool(self.cap_mb) and self.projected(extra) > self.cap_mb * (1 - self.reserve_share)

    def begin(self, pending: int) -> None:
        """A measurement starts; ``pending`` kernels are still starting (not yet full size)."""
        self._counted, self._pending_next = self.since, pending

    def measured(self, total_mb: float, kernels_mb: Sequence[float] = ()) -> None:
        """The measurement begun last: tree PSS ``total_mb``, PSS of each kernel process."""
        self.measured_mb = total_mb
        self.since -= self._counted  # admissions during the measurement stay counted
        self.pending, self._counted = self._pending_next, 0
        sizes = sorted(k for k in kernels_mb if k > 0)
        if sizes:
            self.kernel_mb = sizes[(3 * len(sizes)) // 4]


@dataclass
class Verdict:
    """The answer to a page request: a place (truthy), or status 429/503 with ``retry_after`` s."""

    ok: bool
    status: int = 200
    retry_after: int = 0
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok


@dataclass
class SessionBook:
    """Live sessions and reservations of places (no I/O; times from ``clock`` in seconds).

    Places are *short* once ``short_share`` of ``max_sessions`` are taken; only
    then do the per-client limits bite: at most ``per_client_waiting``
    never-connected and ``per_client_connected`` connected sessions per client,
    and page requests beyond a token bucket (``burst`` pages, refilled at
    ``rate`` pages per second) get 429. When all places are taken, the oldest
    never-connected session whose page was delivered more than ``grace`` seconds
    ago makes room (then the oldest left one); connected visitors are never
    displaced. Evicted kernels are queued in ``evicting`` for the manager.
    ``memory`` counts every admitted visitor as one more kernel until the next
    measurement: when that would exceed the cap, places count as full.
    """

    max_sessions: int
    connect_timeout: float
    disconnect_timeout: float
    clock: Callable[[], float] = time.monotonic
    per_client_waiting: int = 3
    per_client_connected: int = 30
    short_share: float = 0.75
    grace: float = 15.0
    rate: float = 20 / 60
    burst: float = 40.0
    sessions: dict[str, Session] = field(default_factory=dict)
    reserved: int = 0
    memory_full: bool = False  # set by the reaper: the server tree's PSS is over the cap
    memory: MemoryBudget = field(default_factory=MemoryBudget)
    reserved_by: dict[str, int] = field(default_factory=dict)
    buckets: dict[str, list[float]] = field(default_factory=dict)
    evicting: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(
        default_factory=lambda: {"voll": 0, "grenze": 0, "rate": 0, "verdraengt": 0, "verbunden": 0}
    )

    def count(self) -> int:
        """Sessions plus places reserved by pages that are being delivered."""
        return len(self.sessions) + self.reserved

    def memory_short(self) -> bool:
        """True if the tree is over the memory cap, or one more kernel would take it there."""
        return self.memory_full or self.memory.full()

    def short(self) -> bool:
        """True once ``short_share`` of the places are taken: per-client limits apply."""
        return self.memory_short() or self.count() >= self.max_sessions * self.short_share

    def _tokens(self, client: str, now: float) -> float:
        """Take one token of the client's bucket; seconds until one is back if it was empty."""
        tokens, stamp = self.buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - stamp) * self.rate)
        if tokens >= 1.0:
            self.buckets[client] = [tokens - 1.0, now]
            return 0.0
        self.buckets[client] = [tokens, now]
        return (1.0 - tokens) / self.rate if self.rate > 0 else 60.0

    def forget_clients(self, now: float | None = None) -> None:
        """Drop the buckets that are full again (a client address is kept only while it limits)."""
        now = self.clock() if now is None else now
        for client, (tokens, stamp) in list(self.buckets.items()):
            if tokens + (now - stamp) * self.rate >= self.burst:
                del self.buckets[client]

    def _waiting(self, client: str) -> list[tuple[str, Session]]:
        return [
            (kid, s) for kid, s in self.sessions.items() if s.client == client and not s.connected
        ]

    def _over_limit(self) -> list[tuple[float, str]]:
        """Unopened delivered sessions of clients beyond their ``per_client_waiting`` newest
        ones, oldest first: these need no grace period (a flood, not a slow phone)."""
        by_client: dict[str, list[tuple[float, str]]] = {}
        for kid, s in self.sessions.items():
            if s.client is not None and not s.connected and s.delivered:
                by_client.setdefault(s.client, []).append((s.since, kid))
        out = []
        for entries in by_client.values():
            entries.sort()
            out += entries[: max(0, len(entries) - self.per_client_waiting)]
        return sorted(out)

    def _evictable(self, now: float, client: str | None = None) -> str | None:
        """The oldest never-connected delivered session past ``grace`` (then the oldest left one).

        Without ``client``, sessions of a client beyond its unopened limit go first.
        """
        if client is None:
            over = self._over_limit()
            if over:
                return over[0][1]
        waiting = [
            (s.since, kid)
            for kid, s in self.sessions.items()
            if not s.connected
            and s.delivered
            and now - s.since > self.grace
            and (client is None or s.client == client)
        ]
        if waiting:
            return min(waiting)[1]
        if client is not None:
            return None
        left = [
            (s.left, kid)
            for kid, s in self.sessions.items()
            if s.left is not None and not s.connections and now - s.left > self.grace
        ]
        return min(left)[1] if left else None

    def _evict(self, kernel_id: str) -> None:
        self.sessions.pop(kernel_id, None)
        self.evicting.append(kernel_id)
        self.counters["verdraengt"] += 1
        self.memory.since -= 1  # its memory is freed

    def _reject(self, status: int, retry_after: float, reason: str) -> Verdict:
        self.counters[reason] += 1
        return Verdict(False, status, max(1, math.ceil(retry_after)), reason)

    def admit(self, client: str | None = None) -> Verdict:
        """Reserve a place for the current request of ``client`` (an address, or None).

        Returns a truthy :class:`Verdict`, or a falsy one with status 429 (this
        client's limit) or 503 (all places taken) and ``retry_after`` seconds.
        """
        now = self.clock()
        wait = self._tokens(client, now) if client is not None else 0.0
        if len(self.buckets) > 10_000:
            self.forget_clients(now)
        if client is not None and self.short():
            if wait > 0:
                return self._reject(429, wait, "rate")
            waiting = self._waiting(client)
            if len(waiting) + self.reserved_by.get(client, 0) >= self.per_client_waiting:
                victim = self._evictable(now, client)
                if victim is None:
                    return self._reject(429, self.grace, "grenze")
                self._evict(victim)  # this client's own oldest unopened page makes room
            connected = sum(1 for s in self.sessions.values() if s.client == client and s.connected)
            if connected >= self.per_client_connected:
                return self._reject(429, 60, "verbunden")
        if self.count() >= self.max_sessions or self.memory_short():
            victim = self._evictable(now)
            if victim is None:
                return self._reject(503, 60, "voll")
            self._evict(victim)
        self.reserved += 1
        self.memory.since += 1  # one more kernel: started for this page, or a pool refill
        if client is not None:
            self.reserved_by[client] = self.reserved_by.get(client, 0) + 1
        _reservation.set({"used": False, "client": client})
        return Verdict(True)

    def _use(self, token: dict) -> None:
        if not token["used"]:
            token["used"] = True
            self.reserved = max(0, self.reserved - 1)
            client = token.get("client")
            if client is not None:
                left = self.reserved_by.get(client, 0) - 1
                if left > 0:
                    self.reserved_by[client] = left
                else:
                    self.reserved_by.pop(client, None)

    def started(self, kernel_id: str) -> None:
        """A kernel was handed to the visitor of the current request: it is a session now."""
        token = _reservation.get()
        client = token.get("client") if token is not None else None
        self.sessions[kernel_id] = Session(since=self.clock(), client=client)
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
                session.delivered = True
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
        """Sessions to shut down; sessions whose kernel is no longer ``alive`` are forgotten.

        While places are short, never-connected sessions past ``grace`` go too
        (oldest first, until places are no longer short).
        """
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
        over = [entry for entry in self._over_limit() if entry[1] not in out]
        early = over + sorted(
            (s.since, kid)
            for kid, s in self.sessions.items()
            if kid not in out
            and (s.since, kid) not in over
            and not s.connected
            and s.delivered
            and now - s.since > self.grace
        )
        limit = self.max_sessions * self.short_share
        for _, kernel_id in early:
            if self.count() - len(out) < limit and not self.memory_full:
                break
            out.append(kernel_id)
        self.forget_clients(now)
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
            per_client_waiting=options.je_adresse_wartend,
            per_client_connected=options.je_adresse_verbunden,
            short_share=options.knapp_prozent / 100,
            grace=options.schutz_sekunden,
            rate=options.seiten_je_minute / 60,
            burst=options.seiten_vorrat,
        )
        self.reap_interval = options.pruefabstand_sekunden
        self.memory_cap_mb = options.max_speicher_mb
        self.sessions.memory.cap_mb = options.max_speicher_mb
        self.memory_mb = 0.0  # PSS of the server's process tree at the last check
        self.kernel_starts = 0  # for the metrics: pool refills and kernels started for a page
        self.pools_filled_once = False
        self._reaper = None

    def admit_visitor(self, client: str | None) -> Verdict:
        """:meth:`SessionBook.admit`, then shut down the sessions it evicted (in the background)."""
        verdict = self.sessions.admit(client)
        self._shutdown_evicted()
        return verdict

    def _shutdown_evicted(self) -> None:
        from tornado.ioloop import IOLoop

        while self.sessions.evicting:
            kernel_id = self.sessions.evicting.pop()
            self.log.info("Sitzung %s ohne Verbindung für einen neuen Besuch beendet.", kernel_id)
            IOLoop.current().spawn_callback(self._shutdown_quietly, kernel_id)

    async def _shutdown_quietly(self, kernel_id: str) -> None:
        try:
            await self.shutdown_kernel(kernel_id, now=True)
        except Exception:  # noqa: BLE001 - a dying kernel must not stop the others
            self.sessions.ended(kernel_id)

    def session_started(self, kernel_id: str) -> None:
        self.sessions.started(kernel_id)

    def pending_kernels(self) -> int:
        """Kernels that are starting and not yet full size (pages being delivered)."""
        return self.sessions.reserved

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        kernel_id = await super().start_kernel(*args, **kwargs)
        self.kernel_starts += 1
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
        """Shut down every abandoned session (a failing shutdown does not stop the others).

        Measures the PSS of the server's process tree first (and what a kernel
        takes, for :class:`MemoryBudget`): above ``max_speicher_mb``, or if one
        more kernel would go above it, no new session is admitted unless an
        unopened one makes room.
        """
        import asyncio
        import os

        from ..forkserver import ENV_PID

        book = self.sessions
        book.memory.begin(self.pending_kernels())
        fork_server = int(os.environ.get(ENV_PID) or 0)
        total, kernels = await asyncio.get_running_loop().run_in_executor(
            None, tree_memory, None, (fork_server,)
        )
        book.memory.measured(total, kernels)
        self.memory_mb = total
        book.memory_full = bool(self.memory_cap_mb) and total > self.memory_cap_mb
        for kernel_id in self.sessions.abandoned(self.list_kernel_ids()):
            self.log.info("Sitzung %s ohne Verbindung beendet.", kernel_id)
            await self._shutdown_quietly(kernel_id)


def tree_memory(pid: int | None = None, exclude: Iterable[int] = ()) -> tuple[float, list[float]]:
    """PSS (shared pages counted once) of process ``pid`` (default: this one) and all its
    descendants in MB, and the PSS of each descendant not in ``exclude`` (the kernels;
    the fork server is excluded). Processes that vanish meanwhile are skipped."""
    import os

    import psutil

    try:
        root = psutil.Process(pid or os.getpid())
        family = root.children(recursive=True)
    except psutil.Error:
        return 0.0, []
    skip = set(exclude)
    total, kernels = 0.0, []
    for proc in [root, *family]:
        try:
            pss = proc.memory_full_info().pss / 2**20
        except psutil.Error:
            continue
        total += pss
        if proc is not root and proc.pid not in skip:
            kernels.append(pss)
    return total, kernels


def tree_pss_mb(pid: int | None = None) -> float:
    """PSS of process ``pid`` (default: this one) and all its descendants, in MB."""
    return tree_memory(pid)[0]


def trusted_networks(entries: Iterable[str]) -> list:
    """``ipaddress`` networks of the trusted proxies (``vertrauenswuerdige_proxys``).

    Raises :class:`~datenlabor.errors.ServerOptionError` (German) for an entry that
    is neither an address nor a network.
    """
    import ipaddress

    from ..errors import ServerOptionError

    out = []
    for entry in entries:
        for part in filter(None, (p.strip() for p in entry.split(","))):
            try:
                out.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ServerOptionError(
                    f"„{part}“ ist keine Adresse und kein Netz (z. B. 10.0.0.5 oder 10.0.0.0/8)."
                ) from None
    return out


def _trusted(address: str, networks: list) -> bool:
    import ipaddress

    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(peer: str, forwarded_for: str | None, networks: list) -> str:
    """The visitor's address: ``peer``, or, when ``peer`` is a trusted proxy, the first
    untrusted address of ``X-Forwarded-For`` read from the right (the nearest hop first).

    A client cannot choose its key by sending its own X-Forwarded-For: only
    addresses appended by trusted proxies are skipped.
    """
    if not forwarded_for or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer
