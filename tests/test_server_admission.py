"""Admission that favours real visitors: unit tests with an injected clock (fast).

A page request that never opens its websocket must not displace a visitor who
did; per-client limits and the token bucket bite only when places are short.
"""

from __future__ import annotations

import contextvars

import pytest

from datenlabor.errors import ServerOptionError
from datenlabor.server.admission import SessionBook, client_address, trusted_networks


class Clock:
    def __init__(self, now: float = 1024.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def book(clock: Clock, cap: int = 8, **kwargs) -> SessionBook:
    settings = dict(connect_timeout=120.0, disconnect_timeout=60.0, grace=15.0)
    settings.update(kwargs)
    return SessionBook(max_sessions=cap, clock=clock, **settings)


_ids = iter(range(10**6))


def visit(b: SessionBook, client: str | None, connect: bool = False, deliver: bool = True):
    """One page request in its own context (as tornado runs each request): verdict, kernel id."""

    def run():
        verdict = b.admit(client)
        if not verdict:
            return verdict, None
        kid = f"k{next(_ids)}"
        b.started(kid)
        if deliver:
            b.release()
        if connect:
            b.connected(kid)
        return verdict, kid

    return contextvars.copy_context().run(run)


def test_limits_do_not_bite_while_places_are_plenty():
    clock = Clock()
    b = book(clock, cap=40)
    results = [visit(b, "10.0.0.1")[0] for _ in range(29)]  # 29 of 40: below 75 %
    assert all(results)


def test_thirty_participants_behind_one_address_all_get_places():
    clock = Clock()
    b = book(clock, cap=40)
    for _ in range(30):
        verdict, _ = visit(b, "192.0.2.7", connect=True)
        assert verdict, verdict
        clock.now += 0.1
    assert b.count() == 30


def test_thirty_arriving_at_once_behind_one_address_all_get_places():
    clock = Clock()
    b = book(clock, cap=40)
    # all 30 pages are being delivered at the same moment (reservations, nobody connected yet)
    verdicts = [visit(b, "192.0.2.7", deliver=False)[0] for _ in range(30)]
    assert all(verdicts)


def test_flood_from_one_address_cannot_take_the_last_places():
    clock = Clock()
    b = book(clock, cap=8)  # short from 6 places on
    served = [visit(b, "198.51.100.1")[0] for _ in range(50)]
    assert sum(bool(v) for v in served) == 6 + 0  # up to "short", then 3 unopened at most: no more
    rejected = [v for v in served if not v]
    assert {v.status for v in rejected} == {429}
    assert all(v.retry_after >= 1 for v in rejected)
    # a visitor from another address still gets a place
    verdict, _ = visit(b, "198.51.100.2", connect=True)
    assert verdict


def test_never_connected_sessions_make_room_oldest_first_connected_never():
    clock = Clock()
    b = book(clock, cap=4, short_share=1.0)
    _, connected = visit(b, "a", connect=True)
    _, old = visit(b, "b")
    clock.now += 1
    _, newer = visit(b, "c")
    _, fresh = visit(b, "d", deliver=False)  # page still being delivered
    clock.now += 10
    verdict, _ = visit(b, "e")
    assert not verdict and verdict.status == 503  # nobody past the grace period yet
    clock.now += 6  # old and newer are past 15 s now
    verdict, _ = visit(b, "e", connect=True)
    assert verdict and b.evicting == [old]
    verdict, _ = visit(b, "f", connect=True)
    assert verdict and b.evicting == [old, newer]
    assert connected in b.sessions and fresh in b.sessions
    verdict, _ = visit(b, "g")
    assert not verdict and verdict.status == 503  # connected visitors are never displaced
    assert b.counters["verdraengt"] == 2 and b.counters["voll"] == 2


def test_a_left_session_makes_room_after_the_unopened_ones():
    clock = Clock()
    b = book(clock, cap=2, short_share=1.0)
    _, left = visit(b, "a", connect=True)
    _, unopened = visit(b, "b")
    b.disconnected(left)
    clock.now += 20
    assert visit(b, "c", connect=True)[0] and b.evicting == [unopened]
    assert visit(b, "d", connect=True)[0] and b.evicting == [unopened, left]


def test_own_oldest_unopened_page_makes_room_for_the_newest():
    clock = Clock()
    b = book(clock, cap=4, short_share=0.0, per_client_waiting=2)
    _, first = visit(b, "a")
    clock.now += 1
    visit(b, "a")
    assert not visit(b, "a")[0]  # two unopened, both within the grace period: 429
    clock.now += 20
    verdict, _ = visit(b, "a")
    assert verdict and b.evicting == [first]


def test_connected_limit_per_address_when_short():
    clock = Clock()
    b = book(clock, cap=10, short_share=0.0, per_client_connected=3)
    for _ in range(3):
        assert visit(b, "a", connect=True)[0]
    verdict, _ = visit(b, "a", connect=True)
    assert not verdict and verdict.status == 429
    assert visit(b, "b", connect=True)[0]


def test_token_bucket_says_when_to_try_again_and_forgets_the_address():
    clock = Clock()
    b = book(clock, cap=100, short_share=0.0, burst=5, rate=0.5, per_client_waiting=100)
    assert all(visit(b, "a", connect=True)[0] for _ in range(5))
    verdict, _ = visit(b, "a")
    assert not verdict and verdict.status == 429 and verdict.retry_after == 2
    clock.now += 2
    assert visit(b, "a", connect=True)[0]
    assert "a" in b.buckets
    clock.now += 60  # bucket full again: the address is forgotten
    b.abandoned(b.sessions)
    assert "a" not in b.buckets


def test_reaper_reclaims_unopened_pages_within_seconds_only_when_short():
    clock = Clock()
    b = book(clock, cap=4)  # short from 3 on
    _, a = visit(b, "x")
    _, c = visit(b, "y")
    clock.now += 20
    assert b.abandoned(b.sessions) == []  # 2 of 4: not short, connect timeout (120 s) applies
    _, d = visit(b, "z", connect=True)
    assert b.abandoned(b.sessions) == [a]  # short: oldest unopened first, until no longer short
    clock.now += 120
    assert b.abandoned(b.sessions) == [a, c]


def test_client_address_trusts_only_configured_proxies():
    nets = trusted_networks(["10.0.0.0/8", "127.0.0.1"])
    assert client_address("203.0.113.9", "1.2.3.4", nets) == "203.0.113.9"  # not a proxy
    assert client_address("10.1.1.1", "1.2.3.4", nets) == "1.2.3.4"
    # a client's own forged entry on the left is ignored: the nearest untrusted hop counts
    assert client_address("10.1.1.1", "6.6.6.6, 1.2.3.4, 10.2.2.2", nets) == "1.2.3.4"
    assert client_address("127.0.0.1", None, nets) == "127.0.0.1"
    with pytest.raises(ServerOptionError, match="keine Adresse"):
        trusted_networks(["proxy.example"])


# --- a real server: health, metrics, a flood from one address, then a visitor ---------

TOKEN = "test-token-4711"


@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory: pytest.TempPathFactory):
    """The fixture-lab server (tests/conftest.py) with metrics on a loopback port and a token."""
    from types import SimpleNamespace

    from tests.conftest import FIXTURE_SERVER_ARGS, fixture_env, start_server, stop_server
    from tests.helpers import free_port

    log = tmp_path_factory.mktemp("admission-serve") / "serve.log"
    metrics_port = free_port()
    args = [*FIXTURE_SERVER_ARGS, "--metrik-port", str(metrics_port), "--metrik-token", TOKEN]
    proc, base = start_server(args, log, fixture_env())
    yield SimpleNamespace(
        base=base,
        proc=proc,
        log=log,
        app="voila/render/mini/mini.ipynb",
        url=base + "voila/render/mini/mini.ipynb",
        metrics=f"http://127.0.0.1:{metrics_port}/metrics",
        metrics_port=metrics_port,
    )
    stop_server(proc)


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, dict(resp.headers), resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8", "replace")


@pytest.mark.slow
def test_health_is_ready_once_the_pools_are_filled(fixture_server):
    import json
    import time

    deadline = time.monotonic() + 180
    while True:
        status, headers, body = fetch(fixture_server.base + "datenlabor/health")
        if status == 200 or time.monotonic() > deadline:
            break
        assert status == 503 and json.loads(body)["bereit"] is False
        time.sleep(1)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    data = json.loads(body)
    assert data["bereit"] is True and data["plaetze"] == 4 and data["frei"] >= 1
    assert data["vorrat"] == {"mini/mini.ipynb": {"bereit": 2, "soll": 2}}
    # the container image's HEALTHCHECK command against this server: alive
    assert container_healthcheck(fixture_server.base) == 0
    assert container_healthcheck("http://127.0.0.1:1/") == 1  # nobody listening


def container_healthcheck(base: str) -> int:
    """Exit code of deploy/container/Containerfile's HEALTHCHECK command run against ``base``."""
    import io
    import json
    import subprocess
    import sys
    from pathlib import Path
    from urllib.parse import urlparse

    from dockerfile_parse import DockerfileParser

    containerfile = Path(__file__).resolve().parents[1] / "deploy/container/Containerfile"
    parser = DockerfileParser(fileobj=io.BytesIO(containerfile.read_bytes()))
    (value,) = [i["value"] for i in parser.structure if i["instruction"] == "HEALTHCHECK"]
    command = json.loads(value.split("CMD", 1)[1])
    assert command[0] == "python"
    command = [
        sys.executable,
        *(c.replace(":8866/", f":{urlparse(base).port}/") for c in command[1:]),
    ]
    return subprocess.run(command, capture_output=True, timeout=60).returncode


@pytest.mark.slow
def test_metrics_only_on_loopback_port_or_with_the_token(fixture_server):
    import socket

    status, headers, text = fetch(fixture_server.metrics)
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    for name in (
        "datenlabor_sessions",
        "datenlabor_places 4.0",
        "datenlabor_places_free",
        "datenlabor_memory_projected_bytes",
        "datenlabor_kernel_memory_bytes",
        'datenlabor_pool_ready{notebook="mini/mini.ipynb"}',
        "datenlabor_rejected_visitors_total",
        "datenlabor_evicted_visitors_total",
        "datenlabor_kernel_starts_total",
        "datenlabor_page_seconds_bucket",
    ):
        assert name in text, name
    # the metrics port listens on 127.0.0.1 only
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", fixture_server.metrics_port), timeout=5).close()
    # on the public port: only with the token
    public = fixture_server.base + "datenlabor/metrics"
    assert fetch(public)[0] == 401
    assert fetch(public, {"Authorization": "Bearer falsch"})[0] == 401
    status, _, text = fetch(public, {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and "datenlabor_places 4.0" in text


@pytest.mark.slow
def test_flood_of_unopened_pages_does_not_lock_out_a_visitor_from_another_address(
    fixture_server,
):
    """50 GETs from 127.0.0.1 without websocket, then a normal visitor from 127.0.0.2.

    The server listens on 127.0.0.1 only; the visitor's sockets are bound to the
    source address 127.0.0.2 (the whole 127/8 is loopback), so the server sees
    two clients.
    """
    import importlib.util
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from tests.browser import run_async

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("bench_server", root / "scripts/bench_server.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    def hit(_):
        try:
            with urllib.request.urlopen(fixture_server.url, timeout=120) as resp:
                return resp.status, ""
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    with ThreadPoolExecutor(max_workers=16) as ex:
        results = list(ex.map(hit, range(50)))
    statuses = [status for status, _ in results]
    assert set(statuses) <= {200, 429}, sorted(set(statuses))
    assert statuses.count(200) <= 4 and statuses.count(429) >= 40
    limited = next(body for status, body in results if status == 429)
    assert "Zu viele Anfragen" in limited and "Sekunden erneut" in limited

    async def visitor():
        client = bench.AppClient(
            fixture_server.base, fixture_server.app, timeout=120, source_ip="127.0.0.2"
        )
        assert await client.fetch_page() == 200
        await client.connect()
        await client.widget_state()
        comm_id, _ = client.find("Rechenart")
        mid = await client.update(comm_id, {"index": 1})
        msgs = await client.outputs_until_idle(mid, timeout=60)
        await client.close()
        return "".join(m["content"].get("text", "") for m in msgs)

    assert "mittel" in run_async(visitor())
    _, _, text = fetch(fixture_server.metrics)
    assert 'datenlabor_rejected_visitors_total{grund="grenze"} 0.0' not in text
    log = fixture_server.log.read_text(errors="replace")
    assert "127.0.0.2" not in log  # client addresses are never logged


def test_over_the_memory_cap_only_an_unopened_page_makes_room():
    clock = Clock()
    b = book(clock, cap=100)
    _, unopened = visit(b, "a")
    _, connected = visit(b, "b", connect=True)
    b.memory_full = True
    verdict, _ = visit(b, "c")
    assert not verdict and verdict.status == 503
    clock.now += 20
    assert b.abandoned(b.sessions) == [unopened]  # reclaimed by the reaper
    assert visit(b, "c", connect=True)[0] and b.evicting == [unopened]
    assert connected in b.sessions


def test_a_flooding_address_makes_room_at_once_beyond_its_unopened_limit():
    clock = Clock()
    b = book(clock, cap=10, short_share=1.0, per_client_waiting=3)
    flood = []
    for _ in range(9):  # plenty of places: no limit yet
        flood.append(visit(b, "flut")[1])
        clock.now += 0.5
    _, phone = visit(b, "telefon")  # a slow phone: unopened, within its grace period
    verdict, _ = visit(b, "besuch", connect=True)  # all 10 taken, nobody past the grace period
    assert verdict and b.evicting == [flood[0]]  # the flood's oldest, not the phone
    clock.now += 1
    reclaimed = b.abandoned(b.sessions)
    assert phone not in reclaimed and set(reclaimed) <= set(flood)


# --- the memory cap holds between two measurements ------------------------------------


def test_memory_cap_holds_between_two_measurements_on_the_injected_clock():
    """A visitor every 0.25 s, PSS measured every 5 s: the tree never goes over the cap.

    The simulated tree: 300 MB server and fork server, 100 MB per kernel at once
    (worst case: a kernel is full size the moment its visitor is admitted); 5 % of
    the cap stay in reserve.
    Without the budget all 100 visitors would get a kernel (10 300 MB).
    """
    from datenlabor.server.admission import MemoryBudget

    clock = Clock()
    b = book(clock, cap=100, memory=MemoryBudget(cap_mb=1000))
    kernels: list[str] = []

    def tree_mb() -> float:
        return 300 + 100 * len(kernels)

    peak, next_check, rejected = 0.0, clock.now + 5, 0
    for i in range(100):
        verdict, kid = visit(b, f"10.0.{i}.1", connect=True)
        if verdict:
            kernels.append(kid)
        else:
            rejected += 1
            assert verdict.status == 503
        peak = max(peak, tree_mb())
        clock.now += 0.25
        if clock.now >= next_check:
            b.memory.begin(pending=0)
            b.memory.measured(tree_mb(), [100.0] * len(kernels))
            next_check += 5
    assert peak <= 1000, peak
    assert len(kernels) == 6 and rejected == 94  # 300 + 6 x 100 = 900 <= 950 < 1000
    assert b.memory.kernel_mb == 100


def test_memory_budget_counts_admissions_during_a_measurement_and_growing_kernels():
    from datenlabor.server.admission import MemoryBudget

    m = MemoryBudget(cap_mb=1300, kernel_mb=100)  # 1235 without the reserve
    m.measured(500)
    m.since = 2  # two visitors admitted
    m.begin(pending=3)  # measurement starts: three pool kernels still executing the notebook
    m.since += 1  # a visitor admitted while the tree is being measured
    m.measured(700, [60.0, 80.0, 100.0, 120.0])
    # 700 measured + (3 growing + 1 admitted meanwhile) x 120 (upper quartile)
    assert m.projected() == 700 + 4 * 120
    assert not m.full(extra=0) and m.full(extra=1) is True
    assert not MemoryBudget(cap_mb=0, measured_mb=10**6).full()  # 0: no cap


def test_an_evicted_unopened_page_pays_for_the_new_visitor_when_memory_is_short():
    from datenlabor.server.admission import MemoryBudget

    clock = Clock()
    memory = MemoryBudget(cap_mb=1000, kernel_mb=100, measured_mb=750)  # 950 usable
    b = book(clock, cap=100, memory=memory)
    _, unopened = visit(b, "bot")  # 850 MB projected
    visit(b, "a", connect=True)  # 950 MB projected: the last kernel that fits
    assert b.memory_short()
    verdict, _ = visit(b, "b")
    assert not verdict and verdict.status == 503  # the bot's page is still in its grace period
    clock.now += 20
    verdict, _ = visit(b, "b", connect=True)
    assert verdict and b.evicting == [unopened] and b.memory.projected() == 950


def test_the_default_memory_cap_follows_the_cgroup_limit(tmp_path):
    from datenlabor.server.options import cgroup_memory_limit_mb

    v2 = tmp_path / "v2"
    (v2 / "system.slice" / "datenlabor@8871.service").mkdir(parents=True)
    (v2 / "system.slice" / "memory.max").write_text("max\n")
    (v2 / "system.slice" / "datenlabor@8871.service" / "memory.max").write_text(f"{6 * 2**30}\n")
    proc = tmp_path / "cgroup"
    proc.write_text("0::/system.slice/datenlabor@8871.service\n")
    assert cgroup_memory_limit_mb(str(v2), str(proc)) == 6 * 1024
    v1 = tmp_path / "v1"
    (v1 / "memory").mkdir(parents=True)
    (v1 / "memory" / "memory.limit_in_bytes").write_text("9223372036854771712\n")  # no limit
    proc.write_text("4:memory:/kubepods/pod1\n1:cpu:/\n")
    assert cgroup_memory_limit_mb(str(v1), str(proc)) == 0
    assert cgroup_memory_limit_mb(str(v1), str(tmp_path / "missing")) == 0


def test_tree_memory_counts_descendants_and_leaves_out_the_fork_server():
    import subprocess
    import sys

    from datenlabor.server.admission import tree_memory, tree_pss_mb

    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=-1)
    try:
        total, kernels = tree_memory()
        assert len(kernels) >= 1 and total > max(kernels) > 0
        _, without = tree_memory(exclude=(child.pid,))
        assert len(without) == len(kernels) - 1
        assert tree_pss_mb(child.pid) > 0
    finally:
        child.communicate(b"")
