"""When preheated pool kernels are (re)filled: not while participants arrive.

A refill executes the whole notebook (seconds of CPU). During a burst of
visitors that CPU belongs to them, so a refill waits until no visitor has
arrived for ``quiet`` seconds. Exceptions: a visitor is waiting for exactly
this kernel (*hurry*), or the pool has run low (then refills trickle in one at
a time). Kernels start a few at a time (a slot per CPU core, held until the
notebook has been executed): Voilà starts a whole pool at once, and 30 kernels
executing a notebook on two cores all miss their time-outs.

Plain asyncio; times come from an injectable ``clock`` (seconds), so tests
move time forward instead of sleeping.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


def low_water(pool_size: int) -> int:
    """Below this many ready kernels a pool counts as low (a quarter, at least 1)."""
    return max(1, pool_size // 4)


class RefillPolicy:
    """Decides when a pool kernel may start; one instance per server.

    ``quiet``: seconds without a new visitor before refills run freely;
    ``slot_timeout``: seconds a starting kernel may hold its slot at most;
    ``slots``: kernels starting at the same time (default: CPU cores);
    ``clock``: monotonic time in seconds; ``poll``: seconds between looks at the clock.
    """

    def __init__(
        self,
        quiet: float,
        slot_timeout: float,
        slots: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        poll: float = 0.5,
    ) -> None:
        self.quiet = quiet
        self.slot_timeout = slot_timeout
        self.clock = clock
        self.poll = poll
        self.last_arrival = float("-inf")
        self._slots = asyncio.Semaphore(max(1, slots or os.cpu_count() or 1))
        self._trickle = asyncio.Semaphore(1)
        self._hurry: dict[Any, asyncio.Event] = {}

    def visitor_arrived(self) -> None:
        """A visitor took (or started) a kernel just now: refills hold back for a while."""
        self.last_arrival = self.clock()

    def hurry(self, waiter: Any) -> bool:
        """A visitor waits for the kernel that ``waiter`` (a pool entry) starts: start it now."""
        event = self._hurry.get(waiter)
        if event is not None:
            event.set()
        return event is not None

    async def wait_for_turn(
        self, ready: Callable[[], int], low: int, hurry: asyncio.Event | None = None
    ) -> bool:
        """Wait until a refill may start; True if it must trickle (pool low during a burst).

        ``ready()`` counts the pool's ready kernels, ``low`` is its low-water mark.
        """
        hurry = hurry or asyncio.Event()
        while not hurry.is_set():
            if self.clock() - self.last_arrival >= self.quiet:
                return False
            if ready() < low:
                return True
            try:
                await asyncio.wait_for(hurry.wait(), self.poll)
            except asyncio.TimeoutError:
                pass
        return False

    async def refill(
        self,
        start: Callable[[], Awaitable[tuple[T, asyncio.Future]]],
        ready: Callable[[], int],
        low: int,
    ) -> T:
        """Start one pool kernel when it is its turn, holding a slot until it is executed.

        ``start()`` starts the kernel and returns ``(result, executed)``, where
        ``executed`` completes once the notebook has run in it. The slot is freed
        then, or after ``slot_timeout`` seconds at the latest. The current task
        is the pool entry that :meth:`hurry` can wake.
        """
        me = asyncio.current_task()
        event = asyncio.Event()
        self._hurry[me] = event
        try:
            trickle = await self.wait_for_turn(ready, low, event)
        finally:
            self._hurry.pop(me, None)
        held = [self._trickle, self._slots] if trickle else [self._slots]
        for semaphore in held:
            await semaphore.acquire()
        released = False

        def release(_: object = None) -> None:
            nonlocal released
            if not released:  # once: when the notebook ran, or at the latest after the time-out
                released = True
                for semaphore in held:
                    semaphore.release()

        try:
            result, executed = await start()
        except BaseException:
            release()
            raise
        executed.add_done_callback(release)
        # A kernel that dies while executing must not keep its slot for ever.
        asyncio.get_running_loop().call_later(self.slot_timeout, release)
        return result
