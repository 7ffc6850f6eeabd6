"""How long a message takes to answer as it grows to Discord's limit.

    python -m benchmarks.long_messages             # 3 rounds of 20 runs per length
    python -m benchmarks.long_messages --rounds 1  # a smoke run

A chat message is read whole and by its question parts (``bot.matching.message``), so a
long one costs more than a bare question: its whole reading embeds up to 128 word pieces
and its wording pass compares longer text. Each length is a preamble about the asker's day
repeated, then one question; the reference is that question alone, measured in the same
rounds, alternating with the long ones (this machine is shared and noisy). Printed: the
median per length and its ratio to the reference, and whether every message got the
question's answer.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence

from benchmarks.quality import ROOT
from bot.knowledge.loader import load_knowledge
from bot.matching.matcher import Matcher
from bot.matching.questions import MAX_MESSAGE_CHARS

QUESTION = "Anyway, can you tell me which companies they visited? Thanks a lot in advance!"
PREAMBLE = (
    "So yesterday I was chatting with my colleagues at the transport department about "
    "electric mobility and how our city could learn from other countries, and someone "
    "mentioned this article about a study tour where delegates from several countries "
    "visited factories. I didn't have time to read it properly because we had a long "
    "meeting about bus procurement and budgets, and then I had to pick up my kids. "
)


def message(length: int) -> str:
    """The question after as many whole preambles as fit in ``length`` characters."""
    repeats = max(0, (length - len(QUESTION)) // len(PREAMBLE))
    return PREAMBLE * repeats + QUESTION


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=20, help="runs per length per round")
    args = parser.parse_args(argv)
    matcher = Matcher(load_knowledge(ROOT / "knowledge"))
    messages = [QUESTION] + [message(n) for n in (500, 1000, MAX_MESSAGE_CHARS)]
    expected = matcher.ask(QUESTION).match
    times: dict[str, list[float]] = {m: [] for m in messages}
    right = {m: matcher.ask(m).match == expected for m in messages}  # also warms up
    for _ in range(args.rounds):
        for text in messages:  # alternating: every length in every round
            for _ in range(args.runs):
                start = time.perf_counter()
                matcher.ask(text)
                times[text].append(1000 * (time.perf_counter() - start))
    reference = statistics.median(times[QUESTION])
    print(f"{'characters':>10} {'median ms':>10} {'x question':>11} {'answered':>9}")
    for text in messages:
        median = statistics.median(times[text])
        print(f"{len(text):>10} {median:>10.1f} {median / reference:>11.1f} {right[text]!s:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
