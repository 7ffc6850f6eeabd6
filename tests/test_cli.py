"""The command line, run as a user would: a subprocess, real files, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, SHIPPED, write_small_knowledge

ARTICLE = (SHIPPED / "article.txt").read_text(encoding="utf-8")


def tourbot(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=None if env is None else os.environ | env,
    )


def test_a_question_whose_words_are_all_known_never_loads_the_word_lists() -> None:
    """wordfreq's import and lists took 0.1-0.2 s of every cold `tourbot ask`; only a word
    the knowledge does not know, or one that may be a slip, needs them."""
    script = (
        "import sys; from pathlib import Path; from bot.matching.compiled import load_matcher;"
        "m = load_matcher(Path('knowledge'));"
        "assert m.ask('When was the study tour?').answered;"
        "print('wordfreq' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_ask_json_answers_with_verbatim_citations() -> None:
    result = tourbot("ask", "--json", "who organised the study tour?")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"answered", "answer", "confidence", "citations", "suggestions", "match"}
    assert payload["answered"] is True
    assert payload["match"]["kind"] in ("qa", "fact")
    assert "Asia LEDS Partnership" in payload["answer"]
    assert payload["citations"]
    for citation in payload["citations"]:
        assert citation["quote"] in ARTICLE
        assert 1 <= citation["paragraph"] <= 6


def test_ask_json_abstains_off_topic() -> None:
    payload = json.loads(tourbot("ask", "--json", "what is the price of a Tata Nexon").stdout)
    assert payload["answered"] is False
    assert payload["answer"] is None and payload["match"] is None and payload["citations"] == []


def test_a_question_the_article_does_not_answer_says_so() -> None:
    """Closest to an entry of gaps.yaml: not answered, and the JSON carries what the
    article lacks as "note" (a key present only then), and what it does answer nearby as
    "suggestions"."""
    payload = json.loads(tourbot("ask", "--json", "who is the CEO of LOHUM?").stdout)
    assert payload["answered"] is False and payload["answer"] is None
    assert payload["note"].startswith("The article doesn't say")
    assert payload["suggestions"] == ["What is LOHUM?"]
    text = tourbot("ask", "who is the CEO of LOHUM?").stdout
    assert text.startswith("The article doesn't say") and "won't guess" in text
    assert "Related questions I can answer:\n  1. What is LOHUM?" in text


def test_ask_text_prints_answer_and_citation() -> None:
    result = tourbot("ask", "which", "companies", "did", "they", "visit")
    assert result.returncode == 0
    assert "LOHUM" in result.stdout and "paragraph 2" in result.stdout


def test_batch_from_stdin_keeps_order_one_object_per_line() -> None:
    questions = ["when was the tour", "hello there", "", "what is LG-CTA"]
    result = tourbot("ask", "--json", "--batch", "-", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(questions)
    assert lines[0]["match"]["id"] == "when"
    assert lines[1]["answered"] is False
    assert lines[2]["answered"] is False and "empty" in lines[2]["error"]
    assert lines[3]["answered"] and "Leadership Group for Clean Transport" in lines[3]["answer"]


@pytest.mark.parametrize("question", ["", "   ", "x" * 4000])
def test_empty_or_over_long_question_exits_2_without_traceback(question: str) -> None:
    result = tourbot("ask", "--json", question)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.startswith("tourbot ask:")
    assert result.stdout == ""


def test_check_passes_on_shipped_and_fails_with_file_line(tmp_path: Path) -> None:
    ok = tourbot("check")
    assert ok.returncode == 0 and ok.stdout.startswith("OK:")
    broken = write_small_knowledge(tmp_path, facts="facts:\n  - id: x\n    fact: y\n")
    result = tourbot("check", str(broken))
    assert result.returncode == 1
    assert f"{broken / 'facts.yaml'}:2: missing field 'quote'" in result.stderr
    assert "Traceback" not in result.stderr


def test_eval_prints_figures(tmp_path: Path) -> None:
    labelled = tmp_path / "set.yaml"
    labelled.write_text(
        "- {q: when was the tour, expect: when, kind: in_scope}\n"
        "- {q: what is the weather in delhi today, expect: null, kind: out_of_scope}\n"
    )
    result = tourbot("eval", str(labelled))
    assert result.returncode == 0, result.stderr
    assert "in-scope answered correctly: 100.0%" in result.stdout
    assert "near-miss + out-of-scope not answered: 100.0%" in result.stdout


def test_eval_counts_a_suggestion_that_offers_the_right_answer(tmp_path: Path) -> None:
    labelled = tmp_path / "set.yaml"
    labelled.write_text(
        "- {q: 'ev?', expect: companies, kind: in_scope}\n"
        "- {q: 'ev?', expect: lohum, kind: in_scope}\n"
    )
    result = tourbot("eval", "--json", str(labelled))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["in_scope"]["suggested"] == 2  # "ev?" is ambiguous
    assert report["in_scope_offered"] == 1  # "companies" is among the choices, "lohum" is not
    assert report["in_scope_reachable"] == 0.5


def test_eval_of_a_malformed_set_is_a_clear_error(tmp_path: Path) -> None:
    labelled = tmp_path / "set.yaml"
    labelled.write_text("- {q: when?, expect: when\n")
    result = tourbot("eval", str(labelled))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "set.yaml" in result.stderr


def test_teach_and_unanswered_from_the_shell(tmp_path: Path) -> None:
    from bot.matching.answer import Answer, Outcome
    from bot.moderation.questionlog import QuestionLog

    kb = write_small_knowledge(tmp_path / "kb")
    database = tmp_path / "log.sqlite3"
    log = QuestionLog(database)
    for text in ["who ran the show", "Who ran the show?", "what colour were the buses"]:
        log.record(text, Answer(Outcome.ABSTAINED, 20.0), "slash")
    log.close()

    listed = tourbot("unanswered", "--database", str(database), "--knowledge", str(kb))
    assert listed.returncode == 0, listed.stderr
    first, second = listed.stdout.splitlines()[0], listed.stdout.splitlines()[-1]
    assert first.strip().startswith("2x") and "who ran the show" in first
    assert "colour" in second

    taught = tourbot(
        "teach",
        "who-organised",
        "who",
        "ran",
        "the",
        "show",
        "--by",
        "alice",
        "--knowledge",
        str(kb),
    )
    assert taught.returncode == 0, taught.stderr
    asked = json.loads(tourbot("ask", "--json", "--knowledge", str(kb), "who ran the show").stdout)
    assert asked["match"]["id"] == "who-organised"
    refused = tourbot("teach", "nope", "anything", "--knowledge", str(kb))
    assert refused.returncode == 1 and "no Q&A or gap with the id 'nope'" in refused.stderr


def test_the_same_question_gets_the_same_reply_whatever_the_hash_seed() -> None:
    """Python salts string hashes per process, so anything that iterates a set of words
    can differ between runs. Words tied in rarity once entered the shortlist in set order,
    and a phrasing cut off in one run but not another changed this reply's confidence
    (49.4 under seeds 3 and 4, 49.8 under the others)."""
    question = (
        "What does the article say about battery-powered motorbikes and scooters in "
        "India's EV success story"
    )
    replies = {
        tourbot("ask", "--json", question, env={"PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "3", "4")
    }
    assert len(replies) == 1 and json.loads(replies.pop())["answered"]
