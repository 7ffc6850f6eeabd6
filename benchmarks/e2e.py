"""End-to-end speed: questions through the real bot process and the loopback fake Discord.

``tourbot run`` runs in its own process, configured only by environment variables, exactly
as deployed; this process plays Discord (tests/fake_discord.py). Many users mention the
bot; latency is from dispatching MESSAGE_CREATE to the bot's reply arriving over REST.

    python -m benchmarks.e2e                 # closed loop + 300 q/s open loop
    python -m benchmarks.e2e --quick         # a few seconds, for a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.fake_discord import FakeDiscord

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789"
QUESTIONS = [
    "when was the study tour?",
    "who organised it?",
    "which countries took part",
    "what companies did they visit",
    "what is LG-CTA",
    "what happens next",
    "what did prillya agusti say",
    "how much did the tour cost",
    "wen was the tour",
    "what about electric buses",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Probe:
    """Dispatches mentions and matches each reply to its question by message reference."""

    def __init__(self, fake: FakeDiscord, users: int) -> None:
        self.fake = fake
        self.users = [
            {
                "id": str(10**17 + n),
                "username": f"user{n}",
                "discriminator": "0",
                "global_name": f"User{n}",
                "avatar": None,
                "bot": False,
            }
            for n in range(users)
        ]
        self.sent: dict[str, float] = {}
        self.latency: dict[str, float] = {}
        self._seen = 0
        self._arrived = asyncio.Event()

    def collect(self) -> None:
        requests = self.fake.requests
        while self._seen < len(requests):
            request = requests[self._seen]
            self._seen += 1
            if request.method != "POST" or not request.path.endswith("/messages"):
                continue
            body = request.json or {}
            ref = str((body.get("message_reference") or {}).get("message_id", ""))
            if ref in self.sent and ref not in self.latency:
                self.latency[ref] = request.at - self.sent[ref]

    async def ask(self, n: int) -> str:
        user = self.users[n % len(self.users)]
        question = QUESTIONS[n % len(QUESTIONS)]
        started = time.monotonic()
        message = await self.fake.mention_bot(question, author=user)
        self.sent[message["id"]] = started
        return str(message["id"])

    async def wait_for(self, message_ids: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.collect()
            if all(m in self.latency for m in message_ids):
                return
            await asyncio.sleep(0.001)


async def closed_loop(probe: Probe, concurrency: int, total: int) -> dict[str, Any]:
    """Each of ``concurrency`` users asks, waits for the answer, asks again."""
    counter = itertools.count()

    async def user() -> None:
        while (n := next(counter)) < total:
            message_id = await probe.ask(n)
            await probe.wait_for([message_id], 10)

    started = time.monotonic()
    await asyncio.gather(*(user() for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    answered = [probe.latency[m] for m in list(probe.sent)[-total:] if m in probe.latency]
    return summarise(answered, total, elapsed) | {"concurrency": concurrency}


async def open_loop(probe: Probe, rate: float, seconds: float) -> dict[str, Any]:
    """Questions arrive at a fixed rate whatever the bot does (sustained load)."""
    total = int(rate * seconds)
    ids: list[str] = []
    started = time.monotonic()
    for n in range(total):
        delay = started + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        ids.append(await probe.ask(n))
    await probe.wait_for(ids, 15)
    elapsed = max(probe.sent[m] + probe.latency[m] for m in ids if m in probe.latency) - started
    answered = [probe.latency[m] for m in ids if m in probe.latency]
    return summarise(answered, total, elapsed) | {"offered_rate": rate}


def summarise(latencies: list[float], total: int, elapsed: float) -> dict[str, Any]:
    return {
        "questions": total,
        "answered": len(latencies),
        "seconds": round(elapsed, 3),
        "questions_per_second": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "median_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2) if latencies else None,
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    fake = FakeDiscord()
    await fake.start()
    workdir = Path(tempfile.mkdtemp(prefix="tourbot-bench-"))
    env = os.environ | {
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "TOURBOT_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "TOURBOT_DATABASE": str(workdir / "log.sqlite3"),
        "TOURBOT_COOLDOWN_RATE": "1000000",
        "TOURBOT_LOG_LEVEL": "WARNING",
        "TOURBOT_HEARTBEAT_FILE": str(workdir / "heartbeat"),
    }
    started = time.monotonic()
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=workdir, env=env
    )
    try:
        await fake.wait_connected(timeout=30)
        probe = Probe(fake, users=args.users)
        # Ready: from the gateway's HELLO to the first question answered, asked as soon as
        # the session is up (issue 18's budget is 3 s).
        first = await probe.ask(0)
        await probe.wait_for([first], 30)
        answered = time.monotonic()
        ready = {
            "start_to_hello_ms": round(1000 * (fake.hellos[0] - started), 1),
            "hello_to_first_answer_ms": round(1000 * (answered - fake.hellos[0]), 1),
        }
        await fake.wait_until(lambda: fake.commands or None, 10, "command sync")
        warm = [await probe.ask(n) for n in range(20)]
        await probe.wait_for(warm, 10)
        results = {
            "ready": ready,
            "closed_loop": await closed_loop(probe, args.concurrency, args.total),
            "open_loop": await open_loop(probe, args.rate, args.seconds),
            "users": args.users,
        }
    finally:
        bot.terminate()
        await bot.wait()
        await fake.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--total", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "e2e.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.total, args.seconds, args.concurrency = 200, 1.0, 10
    random.seed(0)
    results = asyncio.run(run(args))
    ready = results["ready"]
    print(
        f"ready        HELLO {ready['start_to_hello_ms']} ms after start, first answer "
        f"{ready['hello_to_first_answer_ms']} ms after HELLO"
    )
    for name in ("closed_loop", "open_loop"):
        r = results[name]
        print(
            f"{name:12s} {r['answered']}/{r['questions']} answered in {r['seconds']} s: "
            f"{r['questions_per_second']} q/s, median {r['median_ms']} ms, p99 {r['p99_ms']} ms"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
