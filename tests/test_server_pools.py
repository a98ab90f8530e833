"""Pool refills give way to arriving participants (unit level, no server)."""

from __future__ import annotations

import asyncio
import time

from datenlabor.serving import SessionTrackingMixin
from tests.browser import run_async

NB = "lab/lab.ipynb"


class Manager(SessionTrackingMixin):
    """Just the state the refill policy looks at."""

    def __init__(self, pool_size: int, ready: int, pending: int) -> None:
        super().__init__(refill_quiet=2.0)
        self.kernel_pools_config = {NB: {"pool_size": pool_size}}
        self._pools = {NB: []}
        self._ready_n = ready
        self._pending_n = pending

    async def fill(self) -> None:
        loop = asyncio.get_running_loop()
        for _ in range(self._ready_n):
            done = loop.create_future()
            done.set_result({"task": None})
            self._pools[NB].append(done)
        for _ in range(self._pending_n):
            self._pools[NB].append(loop.create_future())


def _turn(manager: Manager, hurry_after: float | None = None, limit: float = 1.0):
    async def scenario():
        await manager.fill()
        hurry = asyncio.Event()
        if hurry_after is not None:
            asyncio.get_running_loop().call_later(hurry_after, hurry.set)
        t0 = time.monotonic()
        try:
            trickle = await asyncio.wait_for(manager._wait_for_turn(NB, hurry), limit)
        except asyncio.TimeoutError:
            return None, time.monotonic() - t0
        return trickle, time.monotonic() - t0

    return run_async(scenario())


def test_refill_starts_at_once_on_a_quiet_server():
    trickle, waited = _turn(Manager(pool_size=8, ready=7, pending=1))
    assert trickle is False and waited < 0.2


def test_refill_waits_while_participants_arrive():
    manager = Manager(pool_size=8, ready=7, pending=1)
    manager._last_take = time.monotonic()
    trickle, waited = _turn(manager, limit=1.0)
    assert trickle is None  # still holding back after 1 s (quiet time is 2 s)


def test_refill_starts_when_quiet_again():
    manager = Manager(pool_size=8, ready=7, pending=1)
    manager._last_take = time.monotonic()
    trickle, waited = _turn(manager, limit=10.0)
    assert trickle is False and 1.5 <= waited < 8.0


def test_a_waiting_participant_hurries_the_refill():
    manager = Manager(pool_size=8, ready=7, pending=1)
    manager._last_take = time.monotonic()
    trickle, waited = _turn(manager, hurry_after=0.2, limit=1.5)
    assert trickle is False and waited < 1.0


def test_a_pool_running_low_refills_one_at_a_time_during_a_burst():
    manager = Manager(pool_size=8, ready=1, pending=7)  # low water: 8 // 4 = 2
    manager._last_take = time.monotonic()
    trickle, waited = _turn(manager)
    assert trickle is True and waited < 0.2
