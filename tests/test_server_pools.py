"""Pool refills give way to arriving participants; the session cap and reclaiming.

Unit level, no server: the policies run on an injected clock that the tests move
forward, so nothing here sleeps on the real clock (the event loop only turns a
few times at ``POLL`` intervals).
"""

from __future__ import annotations

import asyncio

from datenlabor.server.admission import SessionBook
from datenlabor.server.pools import RefillPolicy, low_water
from tests.browser import run_async

POLL = 0.005  # seconds of real time between the policy's looks at the (fake) clock


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, now: float = 1024.0) -> None:  # a power of two: exact sums
        self.now = now

    def __call__(self) -> float:
        return self.now


def _policy(clock: Clock) -> RefillPolicy:
    return RefillPolicy(quiet=2.0, slot_timeout=120.0, slots=1, clock=clock, poll=POLL)


async def _turns(task: asyncio.Task, n: int = 20) -> None:
    """Let the waiting refill look at the clock a few times."""
    for _ in range(n):
        if task.done():
            return
        await asyncio.sleep(POLL)


def _scenario(ready: int, arrived: bool, steps):
    """A pool of 8 with ``ready`` ready kernels; ``steps(clock, hurry)`` moves time.

    Returns (result, clock seconds that passed); result None: still waiting.
    """

    async def run():
        clock = Clock()
        policy = _policy(clock)
        if arrived:
            policy.visitor_arrived()
        hurry = asyncio.Event()
        start = clock.now
        task = asyncio.ensure_future(policy.wait_for_turn(lambda: ready, low_water(8), hurry))
        for step in steps:
            await _turns(task)
            if task.done():
                break
            step(clock, hurry)
        await _turns(task)
        result = task.result() if task.done() else None
        task.cancel()
        return result, clock.now - start

    return run_async(run())


def test_refill_starts_at_once_on_a_quiet_server():
    trickle, waited = _scenario(ready=7, arrived=False, steps=[])
    assert trickle is False and waited == 0


def test_refill_waits_while_participants_arrive():
    def one_second(clock, hurry):
        clock.now += 1.0

    trickle, waited = _scenario(ready=7, arrived=True, steps=[one_second])
    assert trickle is None and waited == 1.0  # still holding back after 1 s (quiet time 2 s)


def test_refill_starts_when_quiet_again():
    def half_a_second(clock, hurry):
        clock.now += 0.5

    trickle, waited = _scenario(ready=7, arrived=True, steps=[half_a_second] * 10)
    assert trickle is False and waited == 2.0


def test_a_waiting_participant_hurries_the_refill():
    def hurry_up(clock, hurry):
        clock.now += 0.2
        hurry.set()

    trickle, waited = _scenario(ready=7, arrived=True, steps=[hurry_up])
    assert trickle is False and waited < 1.0  # well before the quiet time (2 s)


def test_a_pool_running_low_refills_one_at_a_time_during_a_burst():
    assert low_water(8) == 2
    trickle, waited = _scenario(ready=1, arrived=True, steps=[])
    assert trickle is True and waited == 0


def test_hurry_wakes_exactly_the_pool_entry_a_visitor_waits_for():
    async def run():
        clock = Clock()
        policy = _policy(clock)
        policy.visitor_arrived()
        started = []

        async def start():
            started.append(clock.now)
            done = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return "kernel", done

        entries = [
            asyncio.ensure_future(policy.refill(start, ready=lambda: 7, low=2)) for _ in range(2)
        ]
        await _turns(entries[0])
        assert not started  # both wait: participants are arriving
        assert policy.hurry(entries[1]) and not policy.hurry(asyncio.current_task())
        await _turns(entries[1])
        assert entries[1].done() and entries[1].result() == "kernel"
        assert not entries[0].done()
        clock.now += 2.0  # quiet again: the other one follows
        await _turns(entries[0])
        assert entries[0].result() == "kernel" and len(started) == 2

    run_async(run())


# --- sessions: cap, connect and disconnect time-outs ------------------------------


def _book(clock: Clock, cap: int = 2) -> SessionBook:
    return SessionBook(max_sessions=cap, connect_timeout=15.0, disconnect_timeout=3.0, clock=clock)


def test_the_cap_counts_reservations_before_a_kernel_is_handed_out():
    async def run():
        book = _book(Clock())
        assert book.admit() and book.admit()
        assert not book.admit()  # two pages are being delivered: no third place
        book.started("k1")
        assert book.count() == 2 and book.reserved == 1

    run_async(run())


def test_a_session_that_never_connects_is_reclaimed_after_the_connect_timeout():
    async def run():
        clock = Clock()
        book = _book(clock)
        assert book.admit()
        book.started("k1")
        clock.now += 10.0
        book.release()  # page delivered: the connect clock starts now
        clock.now += 14.0
        assert book.abandoned({"k1"}) == []
        clock.now += 2.0
        assert book.abandoned({"k1"}) == ["k1"]

    run_async(run())


def test_a_left_session_is_reclaimed_and_a_reload_keeps_it():
    clock = Clock()
    book = _book(clock)
    book.started("k1")
    book.connected("k1")
    clock.now += 600.0
    assert book.abandoned({"k1"}) == []  # connected: never reclaimed
    book.disconnected("k1")
    clock.now += 2.0
    book.connected("k1")  # a reload
    clock.now += 10.0
    assert book.abandoned({"k1"}) == []
    book.disconnected("k1")
    clock.now += 3.5
    assert book.abandoned({"k1"}) == ["k1"]
    assert book.abandoned(set()) == [] and book.count() == 0  # a dead kernel is forgotten
