"""What moderators meet when they grow the knowledge: sources, warnings, errors they can act
on, teaching both ways. Each test names the failure of the old code it guards against."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.knowledge.loader import KnowledgeError, load_knowledge
from bot.knowledge.teach import TeachError, teach, untaught
from bot.matching.matcher import Matcher
from evals import NEWTOPIC, add_new_topic
from tests.helpers import ROOT, copy_shipped, write_small_knowledge


def tourbot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, check=False
    )


def with_workshop(directory: Path) -> Path:
    return add_new_topic(directory, NEWTOPIC)


# -- 1, 2: sources and citations ---------------------------------------------------------------


def test_a_fact_quotes_a_new_source_and_the_json_citation_names_it(tmp_path: Path) -> None:
    """News had nowhere to go: a fact could only quote the article."""
    kb = with_workshop(copy_shipped(tmp_path / "kb"))
    knowledge = load_knowledge(kb)
    answer = Matcher(knowledge).ask("when is the workshop")
    (citation,) = answer.to_json()["citations"]
    assert citation["source"] == "workshop-announcement"
    assert citation["title"].startswith("ALP and ICLEI South Asia announce")
    assert citation["url"].startswith("https://example.org/")
    assert citation["paragraph"] == 1 and "12 March 2027" in citation["quote"]
    article = Matcher(knowledge).ask("when was the study tour?").to_json()["citations"][0]
    assert article["source"] == "article" and article["url"] is None


def test_source_mistakes_are_reported_with_file_and_line(tmp_path: Path) -> None:
    kb = with_workshop(copy_shipped(tmp_path / "kb"))
    source = kb / "sources" / "workshop-announcement.md"
    source.write_text(
        source.read_text(encoding="utf-8").replace("date: 2026-12-05", "date: 5 Dec"),
        encoding="utf-8",
    )
    facts = kb / "facts.yaml"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace(
            "paragraph: 3\n    source: workshop-announcement",
            "paragraph: 3\n    source: workshop-anouncement",
            1,
        ),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb)
    text = str(caught.value)
    assert "workshop-announcement.md:3: the date 5 Dec must be a real date" in text
    assert "did you mean 'workshop-announcement'" not in text  # that source is broken...
    source.write_text(
        source.read_text(encoding="utf-8").replace("date: 5 Dec", "date: 2026-12-05"),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match=r"facts.yaml:\d+: the source 'workshop-anouncement'"):
        load_knowledge(kb)  # ...and once it is fixed, the typo gets a "did you mean"


# -- 4: gaps give way --------------------------------------------------------------------------


def test_gaps_speak_for_all_sources_and_check_warns_about_an_overtaken_gap(
    tmp_path: Path,
) -> None:
    """The gaps contradicted the new source: "The article doesn't say ..."."""
    kb = with_workshop(copy_shipped(tmp_path / "kb"))
    answer = Matcher(load_knowledge(kb)).ask("who is the CEO of LOHUM?")
    assert answer.note is not None and answer.note.startswith("The sources here don't say")
    result = tourbot("check", str(kb))
    assert result.returncode == 0, result.stderr
    assert "warning: the gap 'gap-programme-content'" in result.stderr
    assert "'ws-topics'" in result.stderr
    shipped = Matcher(load_knowledge(copy_shipped(tmp_path / "plain"))).ask(
        "who is the CEO of LOHUM?"
    )
    assert shipped.note is not None and shipped.note.startswith("The article doesn't say")


# -- 5: teach both ways ------------------------------------------------------------------------


def test_teach_a_gap_then_take_it_back(tmp_path: Path) -> None:
    """You could not teach a phrasing to a gap, and there was no undo."""
    kb = write_small_knowledge(
        tmp_path / "kb",
        gaps=(ROOT / "tests" / "helpers.py").read_text().split('GAPS = """\\\n')[1].split('"""')[0],
    )
    question = "what did the whole jaunt set them back"
    teach(kb, "gap-cost", question, by="mod")
    answer = Matcher(load_knowledge(kb)).ask(question)
    assert answer.note is not None and "cost" in answer.note
    removed = untaught(kb, "What did the whole jaunt set them back?", by="mod")
    assert [(r.qa, r.kind) for r in removed] == [("gap-cost", "gap")]
    assert load_knowledge(kb).taught == ()
    audit = [json.loads(line) for line in (kb / "audit.log").read_text().splitlines()]
    assert [a["action"] for a in audit] == ["teach", "untaught"]
    with pytest.raises(TeachError, match="no taught phrasing"):
        untaught(kb, "what did the whole jaunt set them back", by="mod")


def test_a_mistyped_target_gets_did_you_mean(tmp_path: Path) -> None:
    kb = write_small_knowledge(tmp_path / "kb")
    with pytest.raises(TeachError, match="did you mean 'who-organised'"):
        teach(kb, "who-organized", "whose idea was the jaunt", by="mod")
    result = tourbot("teach", "--knowledge", str(kb), "--undo", "who-organised", "nothing taught")
    assert result.returncode == 1 and "no taught phrasing" in result.stderr


# -- 6: errors a moderator can act on ----------------------------------------------------------


def test_a_yaml_syntax_error_is_its_one_line_and_nothing_else(tmp_path: Path) -> None:
    """One mis-indented line under a fact gave 57 problems, 56 of them false."""
    kb = copy_shipped(tmp_path / "kb")
    lines = (kb / "facts.yaml").read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.strip().startswith("quote:"))
    lines[number] = "  " + lines[number]
    (kb / "facts.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb)
    (problem,) = caught.value.problems
    assert problem.file.endswith("facts.yaml") and problem.line == number + 1


def test_a_short_indent_is_reported_where_it_is_not_far_below(tmp_path: Path) -> None:
    """A short indent in qa.yaml was reported 105 lines below the real error."""
    kb = copy_shipped(tmp_path / "kb")
    lines = (kb / "qa.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("  - id: lohum")
    first = next(i for i in range(start, len(lines)) if lines[i].startswith("      - "))
    lines[first] = lines[first][1:]  # one space short
    (kb / "qa.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb)
    (problem,) = caught.value.problems
    assert first + 1 <= problem.line <= first + 2, problem


def test_an_over_indented_phrasing_no_longer_merges_silently(tmp_path: Path) -> None:
    """One short indent passed check silently and merged three phrasings into one."""
    qa = """\
qa:
  - id: when
    question: When did the study tour take place?
    phrasings:
      - when was the tour
        - what dates was the tour
        - which days was the trip
    answer: On January 30 and 31.
    cites: [tour-dates]
"""
    kb = write_small_knowledge(tmp_path / "kb", qa=qa)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb)
    (problem,) = caught.value.problems
    assert problem.line == 6 and "indent" in problem.reason


def test_a_field_indented_into_an_answer_is_caught(tmp_path: Path) -> None:
    qa = """\
qa:
  - id: when
    question: When did the study tour take place?
    answer: >-
      On January 30
      and 31.
      cites: [tour-dates]
"""
    kb = write_small_knowledge(tmp_path / "kb", qa=qa)
    with pytest.raises(KnowledgeError, match=r"qa.yaml:7: .*indent"):
        load_knowledge(kb)


def test_limits_are_stated_in_the_file_headers() -> None:
    for name in ("qa.yaml", "facts.yaml", "gaps.yaml"):
        header = (ROOT / "knowledge" / name).read_text(encoding="utf-8").split("\n\n")[0]
        assert "1,500" in header or "1500" in header, name


def test_ask_on_broken_knowledge_says_what_is_wrong_and_exits_1(tmp_path: Path) -> None:
    kb = copy_shipped(tmp_path / "kb")
    (kb / "qa.yaml").write_text("qa:\n  - id: [broken\n", encoding="utf-8")
    result = tourbot("ask", "--knowledge", str(kb), "when was the tour")
    assert result.returncode == 1
    assert "qa.yaml:" in result.stderr and "Traceback" not in result.stderr


# -- 7: moderation offline ---------------------------------------------------------------------


def test_ask_log_feeds_unanswered(tmp_path: Path) -> None:
    """`tourbot unanswered` had nothing to show offline: `tourbot ask` never logged."""
    import os

    env = os.environ | {"TOURBOT_DATABASE": str(tmp_path / "log.sqlite3")}
    asked = tourbot("ask", "--log", "what colour were the buses", env=env)
    assert asked.returncode == 0, asked.stderr
    shown = tourbot("unanswered", env=env)
    assert shown.returncode == 0 and "what colour were the buses" in shown.stdout
