"""The matcher benchmark's quick path runs and writes the results it promises.

A smoke test, not a timing assertion: speed depends on the machine, so only the shape of
the results and the fact that both matchers answered something are checked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import e2e, long_messages, match
from benchmarks.startup import write_synthetic
from bot.knowledge.loader import load_knowledge

SPEED_KEYS = {"median_ms", "p99_ms", "max_ms", "questions_per_second", "questions", "outcomes"}


def test_quick_benchmark_writes_results(tmp_path: Path) -> None:
    out = tmp_path / "match.json"
    code = match.main(["--quick", "--sizes", "120", "--queries", "16", "--json", str(out)])
    assert code == 0
    results = json.loads(out.read_text(encoding="utf-8"))

    assert set(results) >= {
        "meta",
        "speed",
        "reload",
        "memory",
        "cold_start",
        "quality",
        "targets",
    }
    assert results["meta"]["quick"] is True
    synthetic = [row for row in results["speed"] if row["knowledge"] == "synthetic-120"]
    assert len(synthetic) == 1
    row = synthetic[0]
    assert row["qas"] == 120 and row["phrasings"] > 120
    for who in ("matcher", "baseline"):
        assert set(row[who]) >= SPEED_KEYS
        assert row[who]["questions"] > 0
        assert row[who]["outcomes"]["answered"] > 0, f"the {who} answered nothing"
    assert row["speedup_median"] > 0 and row["speedup_p99"] > 0
    assert row["build_s"] >= 0

    memory = results["memory"]
    assert memory["size"] == 120 and memory["peak_rss_mb"] > 0 and "method" in memory
    assert results["cold_start"]["ask_median_ms"] > 0
    assert set(results["targets"]) == {
        "p99_10k_ms",
        "p99_100k_ms",
        "speedup_10k",
        "memory_100k_mb",
    }


def test_quick_end_to_end_benchmark_reports_ready_time_and_answers(tmp_path: Path) -> None:
    """The real bot process through the fake Discord: the ready time after HELLO is
    measured and every question of the quick run is answered."""
    out = tmp_path / "e2e.json"
    assert e2e.main(["--quick", "--json", str(out)]) == 0
    results = json.loads(out.read_text(encoding="utf-8"))
    ready = results["ready"]
    assert ready["start_to_hello_ms"] > 0 and ready["hello_to_first_answer_ms"] > 0
    loop = results["closed_loop"]
    assert loop["answered"] == loop["questions"] > 0


def test_the_restart_benchmarks_synthetic_knowledge_passes_the_loaders_checks(
    tmp_path: Path,
) -> None:
    """The 100,000-entry restart once failed because the files it wrote did not load (a
    synonyms key written twice, phrasings two entries share); 2,000 entries already meet
    both."""
    question, dropped = write_synthetic(tmp_path / "k", 2_000)
    knowledge = load_knowledge(tmp_path / "k")
    assert 1_900 < len(knowledge.qas) <= 2_000
    assert question in {qa.question for qa in knowledge.qas.values()}
    assert dropped > 0


def test_long_messages_benchmark_runs_and_every_length_is_answered(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert long_messages.main(["--rounds", "1", "--runs", "1"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert len(rows) == 4
    assert all(row.split()[-1] == "True" for row in rows), rows
