"""A per-user sliding-window rate limit, so one eager user cannot flood a channel.

Refusing is not enough on its own: a refusal posted for every refused message is itself
the flood (50 rapid mentions got 5 answers and 45 "slow down" replies). So a user who is
over the limit is told once per window, and then not answered at all until it passes.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

# Past this many tracked users, forget the idle ones: the memory stays bounded however
# many users a large server has, and an idle user's window is empty anyway.
MAX_TRACKED = 10_000


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do with one request."""

    wait: float  # 0 when allowed, else seconds until one is allowed
    notify: bool = False  # refused, and the user has not been told in this window

    @property
    def allowed(self) -> bool:
        return self.wait <= 0


class Cooldown:
    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.per = per
        self._clock = clock
        self._hits: dict[Hashable, deque[float]] = {}
        self._told: dict[Hashable, float] = {}  # when each user was last told to slow down

    def check(self, key: Hashable) -> Verdict:
        """Record a request; allowed, or refused with or without a notice to send."""
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= self.per:
            hits.popleft()
        if len(hits) >= self.rate:
            wait = self.per - (now - hits[0])
            told = self._told.get(key)
            notify = told is None or now - told >= self.per
            if notify:
                self._told[key] = now
            return Verdict(wait, notify)
        hits.append(now)
        if len(self._hits) > MAX_TRACKED:
            self._forget_idle(now)
        return Verdict(0.0)

    def hit(self, key: Hashable) -> float:
        """Record a request; return 0 if allowed, else the seconds until one is allowed."""
        return self.check(key).wait

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, h in self._hits.items() if not h or now - h[-1] >= self.per]
        for key in idle:
            del self._hits[key]
            self._told.pop(key, None)
