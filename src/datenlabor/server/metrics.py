"""Health and Prometheus metrics of ``datenlabor serve``, for load balancers and operators.

* ``/datenlabor/health`` (public, no personal data): 200 with ``{"bereit": true, ...}``
  when every pool has been filled once and a place is free, else 503. For
  HAProxy health checks and Kubernetes readiness probes.
* Metrics in the Prometheus text format (``prometheus_client``) are never public
  by default: on their own port bound to 127.0.0.1 (option ``metrik_port``), and/or
  under ``/datenlabor/metrics`` only with ``Authorization: Bearer <metrik_token>``.

Metrics are read from the kernel manager when scraped (sessions, places, pool
fill, rejected and evicted visitors, kernel starts); page latency is a histogram.
No client address is ever part of a metric.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from typing import Any

import tornado.web
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class ManagerCollector:
    """Reads sessions, places and pools from the kernel manager at scrape time."""

    def __init__(self, manager: Any) -> None:
        self.manager = manager

    def collect(self) -> Iterator[Any]:
        book = self.manager.sessions
        sessions = list(book.sessions.values())
        states = GaugeMetricFamily(
            "datenlabor_sessions", "Besucher-Kernel nach Zustand", labels=["zustand"]
        )
        states.add_metric(["verbunden"], sum(1 for s in sessions if s.connections))
        states.add_metric(["nie_verbunden"], sum(1 for s in sessions if not s.connected))
        states.add_metric(
            ["verlassen"], sum(1 for s in sessions if s.connected and not s.connections)
        )
        states.add_metric(["reserviert"], book.reserved)
        yield states
        yield GaugeMetricFamily("datenlabor_places", "Plätze insgesamt", value=book.max_sessions)
        yield GaugeMetricFamily(
            "datenlabor_memory_pss_bytes",
            "PSS des Prozessbaums bei der letzten Prüfung",
            value=getattr(self.manager, "memory_mb", 0.0) * 2**20,
        )
        yield GaugeMetricFamily(
            "datenlabor_memory_projected_bytes",
            "Erwarteter PSS, wenn alle gezählten Kernel gestartet sind",
            value=book.memory.projected() * 2**20,
        )
        yield GaugeMetricFamily(
            "datenlabor_kernel_memory_bytes",
            "Gelernter Speicher je Kernel (PSS, oberes Quartil)",
            value=book.memory.kernel_mb * 2**20,
        )
        yield GaugeMetricFamily(
            "datenlabor_places_free", "Freie Plätze", value=max(0, book.max_sessions - book.count())
        )
        ready = GaugeMetricFamily(
            "datenlabor_pool_ready", "Bereite Vorrats-Kernel je Notebook", labels=["notebook"]
        )
        size = GaugeMetricFamily(
            "datenlabor_pool_size", "Soll-Größe des Vorrats je Notebook", labels=["notebook"]
        )
        for notebook, (have, want) in pool_fill(self.manager).items():
            ready.add_metric([notebook], have)
            size.add_metric([notebook], want)
        yield ready
        yield size
        rejected = CounterMetricFamily(
            "datenlabor_rejected_visitors",
            "Abgewiesene Seitenabrufe nach Grund (voll, grenze, rate, verbunden)",
            labels=["grund"],
        )
        for reason in ("voll", "grenze", "rate", "verbunden"):
            rejected.add_metric([reason], book.counters.get(reason, 0))
        yield rejected
        yield CounterMetricFamily(
            "datenlabor_evicted_visitors",
            "Nie verbundene Sitzungen, die einem neuen Besuch weichen mussten",
            value=book.counters.get("verdraengt", 0),
        )
        yield CounterMetricFamily(
            "datenlabor_kernel_starts",
            "Gestartete Kernel (Vorrat und direkt)",
            value=getattr(self.manager, "kernel_starts", 0),
        )


def pool_fill(manager: Any) -> dict[str, tuple[int, int]]:
    """(ready kernels, pool size) per notebook with a pool."""
    config = getattr(manager, "kernel_pools_config", {}) or {}
    out = {}
    for notebook, entry in config.items():
        if notebook == "default" or not entry.get("pool_size"):
            continue
        out[notebook] = (manager.ready_count(notebook), entry["pool_size"])
    return out


class ServerMetrics:
    """The registry of one server: the manager collector plus the page-latency histogram."""

    def __init__(self, manager: Any) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(ManagerCollector(manager))
        self.page_seconds = Histogram(
            "datenlabor_page_seconds",
            "Zeit bis eine App-Seite ausgeliefert ist (Sekunden)",
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120),
            registry=self.registry,
        )

    def text(self) -> bytes:
        return generate_latest(self.registry)


def health(manager: Any) -> tuple[bool, dict[str, Any]]:
    """Ready (every pool filled once, a place free) and the numbers behind it."""
    fill = pool_fill(manager)
    if not getattr(manager, "pools_filled_once", False):
        manager.pools_filled_once = all(have >= want for have, want in fill.values())
    book = manager.sessions
    free = max(0, book.max_sessions - book.count())
    ready = manager.pools_filled_once and free > 0 and not book.memory_short()
    return ready, {
        "bereit": ready,
        "vorrat_gefuellt": manager.pools_filled_once,
        "plaetze": book.max_sessions,
        "frei": free,
        "sitzungen": len(book.sessions),
        "vorrat": {nb: {"bereit": have, "soll": want} for nb, (have, want) in fill.items()},
    }


class HealthHandler(tornado.web.RequestHandler):
    """``/datenlabor/health``: 200 when ready, 503 otherwise; JSON either way."""

    def get(self) -> None:
        ready, body = health(self.settings["kernel_manager"])
        self.set_status(200 if ready else 503)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body, ensure_ascii=False))

    head = get


class MetricsHandler(tornado.web.RequestHandler):
    """Prometheus text format; with a ``token``, only for ``Authorization: Bearer <token>``."""

    def initialize(self, metrics: ServerMetrics, token: str = "") -> None:
        self.metrics, self.token = metrics, token

    def get(self) -> None:
        if self.token:
            given = self.request.headers.get("Authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
                self.set_status(401)
                self.set_header("WWW-Authenticate", 'Bearer realm="datenlabor"')
                self.set_header("Content-Type", "text/plain; charset=UTF-8")
                self.finish("Nur mit gültigem Token.\n")
                return
        self.set_header("Content-Type", CONTENT_TYPE)
        self.set_header("Cache-Control", "no-store")
        self.finish(self.metrics.text())


def metrics_app(metrics: ServerMetrics) -> tornado.web.Application:
    """The loopback-only metrics server (``/metrics``)."""
    return tornado.web.Application([(r"/metrics", MetricsHandler, {"metrics": metrics})])
