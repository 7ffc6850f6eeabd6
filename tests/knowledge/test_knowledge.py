"""Validation: every kind of broken edit is reported with file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.loader import KnowledgeError, load_knowledge
from tests.helpers import FACTS, GAPS, QA, SHIPPED, write_small_knowledge


def problems(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return [str(p) for p in caught.value.problems]


def test_small_knowledge_loads(tmp_path: Path) -> None:
    knowledge = load_knowledge(write_small_knowledge(tmp_path))
    assert set(knowledge.qas) == {"when", "who-organised", "which-companies"}
    assert knowledge.facts["tour-dates"].citation.paragraph == 1


def test_shipped_knowledge_is_valid_and_quotes_are_verbatim() -> None:
    knowledge = load_knowledge(SHIPPED)
    article = (SHIPPED / "article.txt").read_text(encoding="utf-8")
    assert len(knowledge.qas) >= 20
    for fact in knowledge.facts.values():
        assert fact.citation.quote in article
        assert fact.citation.quote in knowledge.article.paragraphs[fact.citation.paragraph - 1].text
    cited = {f.citation.paragraph for f in knowledge.facts.values()}
    assert cited == {p.number for p in knowledge.article.paragraphs}, "every paragraph is cited"
    phrasings = sum(len(qa.phrasings) for qa in knowledge.qas.values())
    assert phrasings >= 250


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    write_small_knowledge(tmp_path, qa=QA.replace("      - who ran the tour", "      - [who ran"))
    (found,) = problems(tmp_path)
    assert found.startswith(f"{tmp_path / 'qa.yaml'}:")
    assert "not valid YAML" in found


def test_quote_not_in_article_shows_closest_passage(tmp_path: Path) -> None:
    broken = FACTS.replace('"on January 30 and 31"', '"on January 31 and 30"')
    write_small_knowledge(tmp_path, facts=broken)
    (found,) = problems(tmp_path)
    assert found.startswith(f"{tmp_path / 'facts.yaml'}:4:")
    assert "not word for word in paragraph 1" in found
    assert "closest passage (paragraph 1)" in found


def test_straight_apostrophe_matches_but_citation_keeps_article_wording(tmp_path: Path) -> None:
    extra = FACTS + (
        "  - id: ecosystem\n"
        "    fact: The programme covered India's EV ecosystem.\n"
        '    quote: "key aspects of India\'s EV ecosystem"\n'
        "    paragraph: 2\n"
    )
    knowledge = load_knowledge(write_small_knowledge(tmp_path, facts=extra))
    assert knowledge.facts["ecosystem"].citation.quote == "key aspects of India’s EV ecosystem"


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    write_small_knowledge(tmp_path, qa=QA.replace("id: when", "id: tour-dates"))
    found = problems(tmp_path)
    assert any("qa.yaml:2: duplicate id 'tour-dates'" in p and "facts.yaml:2" in p for p in found)


def test_cited_fact_must_exist(tmp_path: Path) -> None:
    write_small_knowledge(tmp_path, qa=QA.replace("cites: [tour-dates]", "cites: [tour-days]"))
    (found,) = problems(tmp_path)
    assert "qa.yaml:8:" in found and "'tour-days', which does not exist" in found


def test_phrasing_under_two_qas(tmp_path: Path) -> None:
    write_small_knowledge(tmp_path, qa=QA.replace("who ran the tour", "When was the tour?"))
    (found,) = problems(tmp_path)
    assert "qa.yaml:13:" in found and "also under 'when'" in found and "qa.yaml:5" in found


def test_empty_answer_and_unknown_field(tmp_path: Path) -> None:
    broken = QA.replace("answer: On January 30 and 31.", 'answer: ""').replace(
        "    phrasings:\n      - who organized it", "    phrasing:\n      - who organized it"
    )
    write_small_knowledge(tmp_path, qa=broken)
    found = problems(tmp_path)
    assert any("qa.yaml:7: 'answer' is empty" in p for p in found)
    assert any("qa.yaml:11: unknown field 'phrasing'" in p for p in found)


def test_several_errors_reported_in_one_run(tmp_path: Path) -> None:
    facts = FACTS.replace("paragraph: 2", "paragraph: 9").replace(
        "id: organisers", "id: Organisers!"
    )
    write_small_knowledge(tmp_path, facts=facts)
    found = problems(tmp_path)
    assert len(found) == 3  # bad id, bad paragraph, and a Q&A citing an id that is now gone
    assert any("paragraph must be 1 to 6" in p for p in found)
    assert any("must be lowercase letters" in p for p in found)


def test_synonym_variant_under_two_canonicals(tmp_path: Path) -> None:
    synonyms = "synonyms:\n  electric vehicle: [ev]\n  electric van: [EV]\n"
    write_small_knowledge(tmp_path, synonyms=synonyms)
    (found,) = problems(tmp_path)
    assert "synonyms.yaml:3:" in found and "already a variant of 'electric vehicle'" in found


def test_unsafe_yaml_tag_is_refused(tmp_path: Path) -> None:
    write_small_knowledge(tmp_path, synonyms="synonyms: !!python/object/apply:os.system [ls]\n")
    (found,) = problems(tmp_path)
    assert "synonyms.yaml:1: unsupported YAML value" in found


def test_gaps_are_optional_and_load_when_present(tmp_path: Path) -> None:
    assert load_knowledge(write_small_knowledge(tmp_path / "without")).gaps == {}
    knowledge = load_knowledge(write_small_knowledge(tmp_path / "with", gaps=GAPS))
    gap = knowledge.gaps["gap-cost"]
    assert gap.says == "The article doesn't say what the tour cost."
    assert "was the tour expensive" in gap.phrasings


def test_broken_gaps_are_reported_with_file_and_line(tmp_path: Path) -> None:
    """A gap that reuses a Q&A's id or phrasing would silence that Q&A: both are errors,
    like a gap with nothing to say or no phrasing."""
    gaps = GAPS.replace("id: gap-cost", "id: when") + (
        "  - id: gap-year\n"  # line 8
        "    says: ''\n"
        "    phrasings:\n"
        "      - what year was it\n"
        "      - What dates was the tour?\n"  # line 12
        "  - id: gap-hotel\n"
        "    says: The article doesn't say where they stayed.\n"
        "    phrasings: []\n"  # line 15
    )
    write_small_knowledge(tmp_path, gaps=gaps)
    found = problems(tmp_path)
    assert len(found) == 3, found  # a gap that does not load is not checked further
    assert any("gaps.yaml:2: duplicate id 'when'" in p and "qa.yaml:2" in p for p in found)
    assert any("gaps.yaml:9: 'says' is empty" in p for p in found)
    assert any("gaps.yaml:15: a gap needs at least one phrasing" in p for p in found)
    write_small_knowledge(tmp_path, gaps=gaps.replace("says: ''", "says: Not said."))
    found = problems(tmp_path)
    assert any(
        "gaps.yaml:12:" in p and "also under 'when'" in p and "qa.yaml:6" in p for p in found
    ), found
