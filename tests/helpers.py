"""Shared test helpers: small knowledge directories and paths to the shipped one."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from bot.matching.embedding import CACHE_ENV, cache_dir

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "knowledge"
EVAL_SETS = ROOT / "evals" / "sets"

FACTS = """\
facts:
  - id: tour-dates
    fact: The tour took place on January 30 and 31.
    quote: "on January 30 and 31"
    paragraph: 1
  - id: organisers
    fact: The Asia LEDS Partnership and ICLEI South Asia organised it.
    quote: "organized by the Asia LEDS Partnership (ALP) and ICLEI South Asia"
    paragraph: 1
  - id: companies
    fact: Participants visited LOHUM and Omega Seiki Mobility.
    quote: "leading EV manufacturers like LOHUM and Omega Seiki Mobility"
    paragraph: 2
"""

QA = """\
qa:
  - id: when
    question: When did the study tour take place?
    phrasings:
      - when was the tour
      - what dates was the tour
    answer: On January 30 and 31.
    cites: [tour-dates]
  - id: who-organised
    question: Who organised the study tour?
    phrasings:
      - who organized it
      - who ran the tour
    answer: The Asia LEDS Partnership (ALP) and ICLEI South Asia.
    cites: [organisers]
  - id: which-companies
    question: Which companies did they visit?
    phrasings:
      - which ev makers were visited
    answer: LOHUM and Omega Seiki Mobility.
    cites: [companies]
"""

GAPS = """\
gaps:
  - id: gap-cost
    says: The article doesn't say what the tour cost.
    phrasings:
      - how much did the tour cost
      - what was the price of the tour
      - was the tour expensive
"""

SYNONYMS = """\
synonyms:
  electric vehicle: [ev, evs]
  organised: [organized]
"""


def write_small_knowledge(directory: Path, **overrides: str) -> Path:
    """A tiny but valid knowledge directory; pass facts=/qa=/synonyms= to replace a file."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(SHIPPED / "article.txt", directory / "article.txt")
    files = {"facts": FACTS, "qa": QA, "synonyms": SYNONYMS} | overrides
    for name, text in files.items():
        (directory / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def copy_shipped(directory: Path) -> Path:
    """A private copy of the shipped knowledge that a test may break or teach."""
    shutil.copytree(
        SHIPPED, directory, ignore=shutil.ignore_patterns("taught.yaml", "audit.log", ".*")
    )
    return directory


def model_cache_env() -> dict[str, str]:
    """The sentence-model cache for a subprocess whose HOME is a temporary folder: the
    suite's own, so a bot started by a test loads the model in a fraction of a second
    instead of building it (bot.matching.embedding)."""
    return {CACHE_ENV: str(cache_dir())}
