"""The matcher's decisions (meaning + wording, one rule), on small knowledge bases and on
the shipped one, and the wording signal's building blocks."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz

from bot.knowledge.loader import Knowledge, load_knowledge
from bot.matching import matcher as matcher_module
from bot.matching import smalltalk
from bot.matching.answer import Outcome
from bot.matching.evaluation import cut_phrasings
from bot.matching.index import SHORTLIST
from bot.matching.matcher import Matcher, Scored, Thresholds, complete
from bot.matching.meaning import fact_owners
from bot.matching.message import QUESTION_WORDS
from bot.matching.textnorm import Normaliser, content_tokens, word_key
from bot.matching.vectors import shared_store
from bot.matching.wording import RARE_CREDIT, USAGE_SMOOTHING, USAGE_WEIGHT
from bot.matching.wording import Scored as Worded
from evals import NEWTOPICS, add_new_topic
from tests.helpers import GAPS, QA, SHIPPED, copy_shipped, write_small_knowledge


@pytest.fixture
def matcher(tmp_path: Path) -> Matcher:
    return Matcher(load_knowledge(write_small_knowledge(tmp_path)))


@pytest.fixture(scope="module")
def shipped_knowledge() -> Knowledge:
    return load_knowledge(SHIPPED)


@pytest.fixture(scope="module")
def shipped(shipped_knowledge: Knowledge) -> Matcher:
    return Matcher(shipped_knowledge)


@pytest.fixture(scope="module")
def shipped_without_gaps(shipped_knowledge: Knowledge) -> Matcher:
    return Matcher(dataclasses.replace(shipped_knowledge, gaps={}))


def scored(matcher: Matcher, question: str, target_id: str) -> Scored:
    """The target's scores for the question read whole."""
    return next(
        s for s in matcher.rank(question) if matcher.index.targets[s.target].id == target_id
    )


def worded(matcher: Matcher, question: str) -> list[Worded]:
    """The wording signal's ranking alone (0-100 confidences)."""
    return matcher.wording.rank(matcher.index.terms(question))


def test_normalisation_folds_case_punctuation_accents_plurals_and_synonyms() -> None:
    normaliser = Normaliser({"EV": "electric vehicle", "2W": "two-wheeler"})
    assert normaliser.normalise("Which EV?! Café’s 2W batteries") == (
        "which electric vehicle cafe two wheeler battery"
    )


def test_answers_paraphrase_with_citation(matcher: Matcher) -> None:
    answer = matcher.ask("Who organized the tour?")
    assert answer.outcome is Outcome.ANSWERED
    assert answer.match is not None and answer.match.id == "who-organised"
    assert answer.citations and "Asia LEDS Partnership" in answer.citations[0].quote
    assert 0 <= answer.confidence <= 100
    assert answer.parts == () and answer.reply is None


def test_a_phrasing_asked_exactly_is_answered(matcher: Matcher) -> None:
    for question in (
        "which ev makers were visited",
        "Who ran the tour?",
        "what dates was the tour",
    ):
        answer = matcher.ask(question)
        assert answer.answered, question
        assert answer.match is not None and answer.match.kind == "qa", question


def test_typos_are_corrected(matcher: Matcher) -> None:
    answer = matcher.ask("wich companies did they vist")
    assert answer.answered and answer.match is not None and answer.match.id == "which-companies"


def test_a_typo_is_only_corrected_to_a_word_some_target_knows(shipped: Matcher) -> None:
    """The article's own words were candidates too, through the gaps' context, though no
    target counts them: "cemter of the tour" was corrected to the article's "center",
    whose weight did not exist, and the question raised KeyError instead of an answer."""
    index = shipped.index
    for word in index._vocabulary:  # a synonym's variant stands for its canonical words
        said = index._variants.get(word, word)
        assert all(word_key(w) in index.idf for w in content_tokens(said.split())), word
    assert "center" not in index.terms("cemter of the tour").normalised
    shipped.ask("cemter of the tour")


def test_a_typo_of_a_synonym_is_read_as_what_the_synonym_stands_for(shipped: Matcher) -> None:
    """synonyms.yaml rewrites "nation" as "country", so no normalised text has "nation",
    and "naions" (a letter dropped) was one edit from nothing the knowledge knows: "how
    many naions sent delegates" got "did you mean". The model reads the word people meant."""
    index = shipped.index
    assert word_key("country") in index.terms("how many naions sent delegates").tokens
    assert index.respell("how many naions sent delegates") == "how many nation sent delegates"
    found = shipped.ask("how many naions sent delegates")
    assert found.match is not None and found.match.id == "country-count", found


def test_a_typo_in_a_plural_is_read_as_the_plural(shipped: Matcher) -> None:
    """Texts are known with plurals folded ("factories" as "factory"), so a typo in a
    plural's ending ("factoreis", "cnutries") was three edits or more from every known word
    and counted as a word the knowledge lacks. Unknown words without a typo stay unknown:
    "recipes" is not read as anything the knowledge says."""
    index = shipped.index
    assert index.respell("so which factoreis did they see?") == "so which factories did they see?"
    assert word_key("factory") in index.terms("so which factoreis did they see?").tokens
    assert word_key("country") in index.terms("how many cnutries came").tokens
    found = shipped.ask("how many cnutries came")
    assert found.match is not None and found.match.id == "country-count", found
    assert shipped.ask("got any good recipes for butter chicken?").outcome is Outcome.SMALL_TALK


def test_a_slip_some_phrasing_makes_is_read_as_the_word_it_is(shipped: Matcher) -> None:
    """Phrasings with typos ("elctric") put the typo among the known words, so the same
    typo in a question was neither corrected for the model nor matched to the many
    phrasings that spell the word: "what about elctric buses?" was held back by a gap
    whose phrasing has the slip. A known word that is no English word, one edit from a
    known English word more targets use, is read as that word; names have no such
    neighbour and stay as typed."""
    index = shipped.index
    assert "elctric" in index._vocabulary
    assert word_key("electric") in index.terms("what about elctric buses?").tokens
    assert index.respell("what about elctric buses?") == "what about electric buses?"
    assert index.respell("who is Prillya Agusti, LOHUM?") == "who is Prillya Agusti, LOHUM?"
    found = shipped.ask("what about elctric buses?")
    assert found.match is not None and found.match.id == "public-transport", found


def test_an_english_word_is_read_as_another_only_one_edit_away(shipped: Matcher) -> None:
    """Two edits make an English word a different word: "commands" read as "company"
    made an apology for spamming the bot's commands a question about the companies."""
    index = shipped.index
    assert "compani" not in index.terms("messing around with the commands").tokens
    assert index.respell("messing around with the commands") == "messing around with the commands"


def test_the_model_reads_rare_shorthand_spelled_out(shipped: Matcher) -> None:
    """The wording signal spells out "whr" as "where"; the model read "whr", a word it has
    hardly seen, and "who" after typo correction. Shorthand common on the web ("u", "im")
    it knows, and stays as typed."""
    index = shipped.index
    assert index.respell("whr were the participants from") == "where were the participants from"
    assert index.respell("im off, thank u") == "im off, thank u"


@pytest.mark.parametrize(
    "question",
    ["what is the price of a Tata Nexon", "how much did the tour cost", "what hour is it"],
)
def test_abstains_when_the_question_asks_about_unknown_things(
    matcher: Matcher, question: str
) -> None:
    answer = matcher.ask(question)
    assert answer.outcome in (Outcome.ABSTAINED, Outcome.SUGGESTED)
    assert answer.text is None and answer.citations == () and answer.match is None
    assert answer.reply is None


def test_unsure_offers_suggestions_instead_of_guessing(tmp_path: Path) -> None:
    knowledge = load_knowledge(write_small_knowledge(tmp_path))
    strict = Matcher(knowledge, Thresholds(answer=2.01))  # above the best possible score
    answer = strict.ask("when did the tour take place")
    assert answer.outcome is Outcome.SUGGESTED
    assert 1 <= len(answer.suggestions) <= 3
    assert answer.suggestions[0].id == "when"
    assert len({s.id for s in answer.suggestions}) == len(answer.suggestions)
    assert answer.match is None and answer.citations == ()


def test_a_target_that_means_something_else_is_not_answered_on_its_words(tmp_path: Path) -> None:
    """Meaning must reach ``Thresholds.meaning`` on its own: with it out of reach nothing is
    answered, however well the words fit; below it the best is offered instead."""
    knowledge = load_knowledge(write_small_knowledge(tmp_path))
    strict = Matcher(knowledge, Thresholds(meaning=1.01))
    answer = strict.ask("who ran the tour")
    assert not answer.answered
    assert [s.id for s in answer.suggestions][:1] == ["who-organised"]


def test_answer_by_id_and_autocomplete(matcher: Matcher) -> None:
    answer = matcher.answer_id("which-companies")
    assert answer is not None and answer.text == "LOHUM and Omega Seiki Mobility."
    assert answer.citations and answer.citations[0].quote.startswith("leading EV manufacturers")
    fact = matcher.answer_id("tour-dates")
    assert fact is not None and fact.match is not None and fact.match.kind == "fact"
    assert matcher.answer_id("nope") is None
    assert complete(matcher, "who org")[0].id == "who-organised"
    assert complete(matcher, "wich compan")[0].id == "which-companies"
    assert len(complete(matcher, "", limit=2)) == 2


def test_fact_can_answer_directly(matcher: Matcher) -> None:
    answer = matcher.ask("Participants visited LOHUM and Omega Seiki Mobility")
    assert answer.answered and answer.match is not None
    assert answer.match.id in ("companies", "which-companies")


def test_every_citation_is_verbatim_from_the_article(shipped: Matcher) -> None:
    article = (SHIPPED / "article.txt").read_text(encoding="utf-8")
    for question in (
        "who organised it",
        "when was the tour",
        "which companies did they visit",
        "who organised it and when was it?",
        "what did prillya agusti say",
    ):
        answer = shipped.ask(question)
        assert answer.answered and answer.citations, question
        for part in answer.parts or (answer,):
            assert part.citations, question
            for citation in part.citations:
                assert citation.quote in article, question
                paragraph = shipped.knowledge.article.paragraph(citation.paragraph)
                assert paragraph is not None and citation.quote in paragraph.text, question


# -- the meaning signal ----------------------------------------------------------------


def _shares_no_content_word(matcher: Matcher, question: str) -> bool:
    """No word of the question other than a question word is in any phrasing."""
    phrasing_words = set().union(*matcher.index.target_vocab)
    asked = {t for t in matcher.index.terms(question).tokens if t not in QUESTION_WORDS}
    return asked.isdisjoint(phrasing_words)


def test_a_paraphrase_sharing_no_word_with_any_phrasing_is_answered(matcher: Matcher) -> None:
    """ "firms", "group", "go to see": no phrasing uses them, so the wording signal gives
    the companies entry nothing; its meaning alone carries the answer."""
    question = "what firms did the group go to see?"
    assert _shares_no_content_word(matcher, question)
    assert scored(matcher, question, "which-companies").wording == 0.0
    answer = matcher.ask(question)
    assert answer.answered and answer.match is not None and answer.match.id == "which-companies"
    assert answer.citations


# The small knowledge's first two Q&As, then one whose answer the tests choose.
ANSWER_SAYS_IT = (
    QA[: QA.index("  - id: which-companies")]
    + """\
  - id: about-lohum
    question: What does LOHUM do?
    phrasings:
      - what is lohum
      - tell me about lohum
    answer: {answer}
    cites: [tour-dates]
"""
)


def test_a_question_close_only_to_an_answer_finds_its_entry(tmp_path: Path) -> None:
    """The meaning signal reads a Q&A's answer, not only how it is asked: "who recycles
    old batteries?" is near no phrasing of about-lohum, only its answer. With an answer
    that says nothing of recycling, the same entry is not found."""
    question = "who recycles old batteries?"
    says = ANSWER_SAYS_IT.format(answer="LOHUM recycles old batteries.")
    matcher = Matcher(load_knowledge(write_small_knowledge(tmp_path / "says", qa=says)))
    assert _shares_no_content_word(matcher, question)
    answer = matcher.ask(question)
    assert answer.answered and answer.match is not None and answer.match.id == "about-lohum"
    assert answer.text == "LOHUM recycles old batteries."

    silent = ANSWER_SAYS_IT.format(answer="It is one of the companies the delegates visited.")
    other = Matcher(load_knowledge(write_small_knowledge(tmp_path / "silent", qa=silent)))
    assert not other.ask(question).answered


def test_a_qa_knows_the_words_of_its_answer(tmp_path: Path) -> None:
    """The wording signal credits words the answer uses, though no phrasing does: a
    moderator's entry with a few phrasings is not a stranger to its own subject. ("lohum"
    is in its phrasings; "recycles" and "batteries" only in one of the two answers.)"""
    question = "does lohum recycle old batteries?"
    says = ANSWER_SAYS_IT.format(answer="LOHUM recycles old batteries.")
    matcher = Matcher(load_knowledge(write_small_knowledge(tmp_path / "says", qa=says)))
    silent = ANSWER_SAYS_IT.format(answer="It is one of the companies the delegates visited.")
    other = Matcher(load_knowledge(write_small_knowledge(tmp_path / "silent", qa=silent)))
    knows = scored(matcher, question, "about-lohum").wording
    assert knows > 1.5 * scored(other, question, "about-lohum").wording > 0


def test_meaning_holds_back_what_shares_words_but_not_sense(matcher: Matcher) -> None:
    """ "what time is it" shares its question word with "what dates was the tour"; its
    meaning is nowhere near, so it is not answered."""
    when = scored(matcher, "what time is it now", "when")
    assert when.meaning < scored(matcher, "what dates was the tour", "when").meaning - 0.3
    assert not matcher.ask("what time is it now").answered


# -- messages of several questions -------------------------------------------------------


def test_two_questions_in_one_message_get_two_answers(shipped: Matcher) -> None:
    answer = shipped.ask("who organised it and when was it?")
    assert answer.outcome is Outcome.ANSWERED
    assert len(answer.parts) == 2
    ids = [part.match.id for part in answer.parts if part.match is not None]
    assert ids == ["organisers", "when"]
    first, second = answer.parts
    assert first.citations and second.citations
    assert first.citations != second.citations
    assert "Asia LEDS Partnership" in first.citations[0].quote
    assert first.text != second.text
    # The top level is the first part's, so a reader of one answer still gets one.
    assert answer.match == first.match and answer.text == first.text
    assert answer.citations == first.citations


@pytest.mark.parametrize(
    "message", ["how many countries went and which ones?", "how many nations, which ones?"]
)
def test_a_count_and_which_ones_get_both_answers(shipped: Matcher, message: str) -> None:
    """The second question is elliptic: it asks which of what the first one counted, and
    used to get no answer of its own."""
    answer = shipped.ask(message)
    ids = [part.match.id for part in answer.parts if part.match is not None]
    assert ids == ["country-count", "countries"], answer


def test_two_things_asked_without_a_second_question_word_get_two_answers(
    shipped: Matcher,
) -> None:
    answer = shipped.ask("date and venue?")
    assert [part.match.id for part in answer.parts if part.match is not None] == ["when", "where"]


def test_pieces_of_one_question_do_not_overrule_the_whole(shipped: Matcher) -> None:
    """Cut at its "and", "did they visit LOHUM and Omega Seiki?" has pieces answered by
    the two companies' own entries, and the whole message's answer (the companies
    visited) is not among them: it is one question and gets one answer."""
    whole = shipped.ask("did they visit LOHUM and Omega Seiki?")
    assert whole.answered and whole.parts == ()
    pieces = [shipped.ask(p) for p in ("did they visit LOHUM", "Omega Seiki")]
    assert all(p.answered for p in pieces)
    assert whole.match not in [p.match for p in pieces]


def test_two_questions_asked_in_their_own_words_overrule_the_whole(shipped: Matcher) -> None:
    """ "what's lohum and what's omega seiki" asks twice; read whole it leans to a third
    entry, and each question alone is surer than that: the two answers win."""
    message = "what's lohum and what's omega seiki"
    whole = shipped.ask(message)
    assert [p.match.id for p in whole.parts if p.match] == ["lohum", "omega-seiki"]
    alone = [shipped.ask(q) for q in ("what's lohum", "what's omega seiki")]
    assert [a.match.id for a in alone if a.match] == ["lohum", "omega-seiki"]


def test_a_part_naming_only_its_question_word_does_not_overrule_the_whole(
    tmp_path: Path,
) -> None:
    """ "tell me when and in which city the ... trial began" asks about one trial: its
    "tell me when" names nothing, and alone would be the tour's dates. The whole message
    keeps its answer (evals/newtopic2's pilot), however sure that bare part is."""
    topic = NEWTOPICS[1]
    knowledge = load_knowledge(add_new_topic(copy_shipped(tmp_path / "knowledge"), topic))
    matcher = Matcher(knowledge)
    message = (
        "Could you please tell me when and in which city the electric three-wheeler trial began?"
    )
    bare = matcher.ask("Could you please tell me when").match
    assert bare is not None and bare.id == "when"  # precondition
    found = matcher.ask(message)
    assert [p.match.id for p in found.parts or (found,) if p.match] == ["pl-launch-when"]


def test_a_part_does_not_overrule_what_the_whole_message_was_held_back_by(
    shipped: Matcher,
) -> None:
    """Asked whole, this is whether the tour was a success, which the sources lack; its
    first sentence alone came near the recycling entry, and answered it."""
    message = "was the tour actually useful tho? what do u think"
    first = shipped.ask("was the tour actually useful tho")
    assert first.answered  # precondition: the part alone is answered
    found = shipped.ask(message)
    assert not found.answered and found.note is not None and "success" in found.note


def test_a_bare_question_word_after_a_held_back_question_is_about_it(shipped: Matcher) -> None:
    """The "when" of "who founded iclei and when" is the founding's, which the sources lack;
    alone it would be the tour's dates. A message of question words alone asks about the
    tour, whatever gap its whole comes near, and so do bare questions after one about the
    tour."""
    found = shipped.ask("who founded iclei and when")
    assert not found.answered and found.note is not None
    both = shipped.ask("when and where")
    assert [p.match.id for p in both.parts if p.match] == ["when", "where"]
    three = shipped.ask("who organised the tour? when was it? where was it?")
    assert [p.match.id for p in three.parts if p.match] == ["organisers", "when", "where"]


def test_a_two_part_answer_keeps_the_json_of_one_and_adds_its_parts(shipped: Matcher) -> None:
    single = shipped.ask("who organised the study tour?").to_json()
    payload = shipped.ask("who organised it and when was it?").to_json()
    assert set(payload) == set(single) | {"parts"}
    assert "parts" not in single
    assert payload["answered"] is True
    assert payload["answer"] == payload["parts"][0]["answer"]
    assert payload["match"] == payload["parts"][0]["match"]
    assert payload["citations"] == payload["parts"][0]["citations"]
    assert isinstance(payload["parts"], list) and len(payload["parts"]) == 2
    for part in payload["parts"]:
        assert set(part) == set(payload) - {"parts"}
        assert part["answered"] is True and part["citations"]
    assert [p["match"]["id"] for p in payload["parts"]] == ["organisers", "when"]


def test_a_message_of_one_question_has_no_parts(shipped: Matcher) -> None:
    for question in ("when was the tour?", "hey, quick one: who organised it?"):
        answer = shipped.ask(question)
        assert answer.answered and answer.parts == (), question
        assert "parts" not in answer.to_json(), question


def test_a_question_after_a_preamble_is_answered(shipped: Matcher) -> None:
    answer = shipped.ask("hey all, quick one, was reading this on my phone. who organised it?")
    assert answer.answered and answer.match is not None and answer.match.id == "organisers"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("wher wuz the tuor", "where"),
        ("wat compnies did tehy visit", "companies"),
        ("who orgnised teh tuor", "organisers"),
    ],
)
def test_the_sentence_model_reads_typos_corrected(
    shipped: Matcher, message: str, expected: str
) -> None:
    """The sentence model has never seen "tuor": with the typos as typed, the meaning of
    these messages was nowhere near their entry, and they got "did you mean" or nothing.
    It reads what the wording signal reads, each misspelt word the knowledge knows
    corrected, the rest as typed."""
    assert shipped.index.respell(message) != message
    found = shipped.ask(message)
    assert found.match is not None and found.match.id == expected, found


def test_respelling_leaves_known_words_chat_and_unknown_names_as_typed(shipped: Matcher) -> None:
    index = shipped.index
    assert index.respell("Who organised the EV tour?") == "Who organised the EV tour?"
    assert index.respell("perfect, thanks! and Tesla?") == "perfect, thanks! and Tesla?"
    assert index.respell("wher wuz the tuor") == "where wuz the tour"


def test_a_run_of_question_marks_is_one_mark_to_the_model(shipped: Matcher) -> None:
    """ "when??" is "when?" said louder: read as typed, the model put it below the meaning
    floor and the bot offered "did you mean" where "when?" is answered."""
    assert shipped.index.respell("when????") == "when?"
    assert shipped.index.respell("who organised it?!?") == "who organised it?"
    for asked in ("when?", "when??", "when????"):
        found = shipped.ask(asked)
        assert found.answered and found.match is not None and found.match.id == "when", asked


# -- small talk --------------------------------------------------------------------------


@pytest.mark.parametrize("message", ["hi", "thanks!", "good morning bot, how are you?"])
def test_small_talk_gets_a_friendly_reply_and_no_fact(shipped: Matcher, message: str) -> None:
    answer = shipped.ask(message)
    assert answer.outcome is Outcome.SMALL_TALK
    assert answer.reply and shipped.knowledge.article.title in answer.reply
    assert answer.match is None and answer.citations == () and answer.text is None
    assert answer.suggestions == () and answer.parts == ()
    payload = answer.to_json()
    assert payload["answered"] is False and payload["reply"] == answer.reply
    assert payload["match"] is None and payload["citations"] == []


def test_small_talk_on_a_small_knowledge_base(matcher: Matcher) -> None:
    for message in ("hi", "thanks!", "lol"):
        answer = matcher.ask(message)
        assert answer.outcome is Outcome.SMALL_TALK, message
        assert answer.match is None and answer.citations == (), message


@pytest.mark.parametrize(
    "message",
    [
        "tysm bot!! 🙏",
        "ok makes sense",
        "terima kasih",
        "👍",
        "???",
        "tell me a joke",
        "lol ok, bye",
        "kya haal hai bhai",  # typo correction read "haal" as "hall"
        "sabai dee mai",
    ],
)
def test_a_message_naming_nothing_the_knowledge_knows_is_small_talk(
    shipped: Matcher, message: str
) -> None:
    """Short chat is too unsteady for the embedding ("terima kasih" and "ok makes sense"
    are no closer to an opener than to the tour); made of chat acts and words the
    knowledge does not know, it gets the friendly reply, never "I don't know"."""
    assert shipped.ask(message).outcome is Outcome.SMALL_TALK


@pytest.mark.parametrize("message", ["lohum", "dates", "2023 or 2024??", "ok, and the venue?"])
def test_a_message_naming_something_known_is_not_small_talk(shipped: Matcher, message: str) -> None:
    assert shipped.ask(message).outcome is not Outcome.SMALL_TALK


@pytest.mark.parametrize(
    "message",
    [
        "who made you?",
        "who programmed u",
        "who is behind you",
        "how old are you bot",
        "r u a real person",
        "you're pretty smart haha",
    ],
)
def test_a_question_about_the_bot_is_small_talk(shipped: Matcher, message: str) -> None:
    """ "who made you?" was answered with the tour's organisers: its verb is close to "who
    made it", and the embedding of a three-word question does not lead the opener "who
    built you" by enough. Ending on "you" and naming nothing else, it asks about the bot.
    Chat with no opener close to it is small talk too when it is clearly closer to the
    openers than to anything the knowledge says ("r u a real person")."""
    assert shipped.ask(message).outcome is Outcome.SMALL_TALK


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("who made it", "organisers"),
        ("can you tell me who organised it", "organisers"),
        ("the countries pls, thank you", "countries"),
        ("what did the tour teach you", "insights"),
    ],
)
def test_a_question_about_the_tour_ending_on_you_is_answered(
    shipped: Matcher, message: str, expected: str
) -> None:
    found = shipped.ask(message)
    assert found.match is not None and found.match.id == expected, found


def test_a_chatty_tail_does_not_silence_what_the_message_named(shipped: Matcher) -> None:
    """ "is that right?" is chat on its own; after a claim about LOHUM's recycling it is the
    question, and the reply is what the sources lack about it. A part that is small talk
    still gets the friendly reply when the rest of the message names nothing known."""
    found = shipped.ask("i heard lohum does recycling, is that right?")
    assert found.outcome is not Outcome.SMALL_TALK
    assert found.note is not None and "recycling" in found.note
    assert shipped.ask("qwerty zxcvb plonk. how are you?").outcome is Outcome.SMALL_TALK


@pytest.mark.parametrize("message", ["perfect, thanks!", "khop khun krap", "selamat pagi"])
def test_a_chat_word_is_not_corrected_into_a_knowledge_word(shipped: Matcher, message: str) -> None:
    """Typo correction leaves chat as typed: "perfect" is one edit from "percent" and
    "khop" from "shop", which made "perfect, thanks!" a question about percentages."""
    terms = shipped.index.terms(message)
    assert not terms.corrected and not terms.tokens, terms
    assert shipped.ask(message).outcome is Outcome.SMALL_TALK


def test_no_phrasing_of_the_shipped_knowledge_is_only_chat(shipped: Matcher) -> None:
    """Chat words may not swallow a question the knowledge is asked by: a phrasing made
    of them alone could never be answered (a small-talk reading answers nothing)."""
    index = shipped.index
    only_chat = [
        phrasing
        for target in index.targets
        for phrasing in target.phrasings
        if smalltalk.names_nothing(index.terms(phrasing))
    ]
    assert only_chat == []


def test_the_small_talk_reply_names_every_source_and_a_question_from_each(
    shipped: Matcher, tmp_path: Path
) -> None:
    """The reply says what the knowledge holds, so a source a moderator adds shows in it,
    with one of its own questions to try."""
    alone = shipped.ask("hi").reply
    assert alone is not None and "later" not in alone
    assert '"When did the study tour take place?"' in alone
    topic = NEWTOPICS[0]
    knowledge = load_knowledge(add_new_topic(copy_shipped(tmp_path / "knowledge"), topic))
    (source,) = [s for s in knowledge.sources.values() if s.id != "article"]
    first = next(
        qa.question
        for qa in knowledge.qas.values()
        if {c.source for c in knowledge.citations(qa)} == {source.id}
    )
    reply = Matcher(knowledge).ask("hi").reply
    assert reply is not None
    assert knowledge.article.title in reply and f'the later "{source.title}"' in reply
    assert f'"{first}"' in reply and '"When did the study tour take place?"' in reply


def test_a_greeting_before_a_question_does_not_stop_the_answer(shipped: Matcher) -> None:
    answer = shipped.ask("hi! when was the tour?")
    assert answer.outcome is Outcome.ANSWERED
    assert answer.match is not None and answer.match.id == "when"
    assert answer.reply is None and "reply" not in answer.to_json()


def test_chat_filler_is_not_evidence(shipped: Matcher) -> None:
    """Greetings and fillers appear in many phrasings ("hi everyone! where was it?"); on
    their own they must not look like a question the knowledge base knows."""
    for message in ("hi everyone!", "sorry, quick question", "ok thanks everyone"):
        answer = shipped.ask(message)
        assert answer.outcome in (Outcome.ABSTAINED, Outcome.SMALL_TALK), message
        assert answer.match is None and answer.citations == (), message


# -- the wording signal ------------------------------------------------------------------


COUNT_OR_WHICH = """\
qa:
  - id: country-count
    question: How many countries took part?
    phrasings:
      - how many countries participated
      - how many countries came
      - how many countries sent people
    answer: Seven.
    cites: [tour-dates]
  - id: countries
    question: Which countries took part?
    phrasings:
      - which countries participated
    answer: Seven Asian nations.
    cites: [organisers]
"""


@pytest.fixture
def count_or_which(tmp_path: Path) -> Matcher:
    return Matcher(load_knowledge(write_small_knowledge(tmp_path, qa=COUNT_OR_WHICH)))


def test_word_forms_meet_through_their_stem(count_or_which: Matcher) -> None:
    terms = count_or_which.index.terms
    assert terms("participants").tokens == terms("participating").tokens
    assert terms("participation").tokens == terms("participated").tokens
    assert terms("participating").unknown == ()


def test_shared_words_break_a_spelling_tie(count_or_which: Matcher) -> None:
    question = "countries that participated"
    normalise = count_or_which.index.normaliser.normalise
    # WRatio alone cannot tell them apart: each phrasing shares a subset of words.
    spelling = {
        fuzz.WRatio(normalise(question), normalise(p))
        for p in ("how many countries participated", "which countries participated")
    }
    assert len(spelling) == 1
    best, runner_up = worded(count_or_which, question)[:2]
    assert count_or_which.index.targets[best.target].id == "countries"
    assert best.similarity > runner_up.similarity
    found = count_or_which.ask(question)
    assert found.answered and found.match is not None and found.match.id == "countries"


def test_a_word_only_one_phrasing_uses_is_weaker_evidence(count_or_which: Matcher) -> None:
    people = worded(count_or_which, "people")[0]
    countries = worded(count_or_which, "countries")[0]
    assert countries.coverage == pytest.approx(1.0)
    assert people.coverage == pytest.approx(RARE_CREDIT)
    assert people.coverage < countries.coverage


USAGE_QA = """\
qa:
  - id: battery-life
    question: What did they learn about battery life?
    phrasings:
      - lessons on battery life
      - battery life tips
      - making battery life longer
      - what about battery life
    answer: Battery life optimization.
    cites: [companies]
  - id: which-companies
    question: Which companies did they visit?
    phrasings:
      - which companies work on battery life
      - battery life companies
      - which ev makers were visited
      - who did they visit
      - which firms hosted them
      - names of the companies
    answer: LOHUM and Omega Seiki Mobility.
    cites: [companies]
"""


def test_a_candidate_whose_phrasings_rarely_use_the_words_asked_loses_points(
    tmp_path: Path,
) -> None:
    """Both entries know "battery" and "life" and have a phrasing close to "battery life?",
    but every phrasing of battery-life uses them and only two of which-companies' seven do:
    the runner-up drops by USAGE_WEIGHT points per unit of per-word log-likelihood."""
    matcher = Matcher(load_knowledge(write_small_knowledge(tmp_path, qa=USAGE_QA)))
    best, runner_up = worded(matcher, "battery life?")[:2]
    ids = [matcher.index.targets[s.target].id for s in (best, runner_up)]
    assert ids == ["battery-life", "which-companies"]
    assert best.confidence == pytest.approx(best.similarity * best.coverage)
    a = USAGE_SMOOTHING
    typical = math.log((5 + a) / (5 + 2 * a))  # 5 of 5 phrasings (the question counts)
    rare = math.log((2 + a) / (7 + 2 * a))  # 2 of 7
    expected = runner_up.similarity * runner_up.coverage + USAGE_WEIGHT * (rare - typical)
    assert runner_up.confidence == pytest.approx(expected)
    assert runner_up.confidence < runner_up.similarity * runner_up.coverage - 1
    # The matcher's score adds it as wording (0-1) to meaning.
    whole = scored(matcher, "battery life?", "which-companies")
    assert whole.wording == pytest.approx(runner_up.confidence / 100)
    assert whole.score == pytest.approx(whole.meaning + whole.wording)


def test_a_count_of_something_the_target_never_counts_is_not_answered(
    shipped_without_gaps: Matcher,
) -> None:
    """ "how many people went" is as alike "how many countries went" as wording goes, and
    the shipped knowledge even knows "people"; but seven is a number of countries, not of
    people. It may be offered as a "did you mean", never answered."""
    # Without gaps.yaml, which would catch these questions before the count rule does.
    shipped = shipped_without_gaps
    terms = shipped.index.terms
    assert "delegate" in terms("how many delegates came").counted
    assert terms("how much does it cost").counted == {"cost"}
    assert terms("what does it cost").counted == frozenset()
    assert shipped.ask("how many nations went on the study tour?").answered
    for question in ("how many people went on the study tour?", "so how many officials came"):
        found = shipped.ask(question)
        assert not found.answered, question
        assert [s.id for s in found.suggestions][:1] in ([], ["country-count"]), question
    # A rule, not a threshold: thresholds that would answer anything still don't.
    eager = Matcher(
        shipped.knowledge, Thresholds(answer=-5.0, meaning=-5.0, margin=-5.0, suggest=-5.0)
    )
    for question in ("how many people went on the study tour?", "how many delegates came"):
        assert scored(eager, question, "country-count").miscounted, question
        assert not eager.ask(question).answered, question
    assert eager.ask("how many nations went on the study tour?").answered


def test_a_fact_several_qas_cite_speaks_for_the_one_whose_answer_says_it(
    shipped_knowledge: Knowledge,
) -> None:
    """Prillya Agusti's role is cited by the countries, their count and who she is; it
    spoke for the first of them in the file, so "which ministry is prillya from", closest
    to that fact, was weighed (and offered) as the count of countries. It speaks for the
    Q&A whose answer is closest to it, whatever the file's order."""
    knowledge = shipped_knowledge
    citing = [qa.id for qa in knowledge.qas.values() if "agusti-role" in qa.cites]
    assert citing[0] != "prillya-agusti"
    assert fact_owners(knowledge, shared_store())["agusti-role"] == "prillya-agusti"
    reordered = dataclasses.replace(knowledge, qas=dict(reversed(list(knowledge.qas.items()))))
    assert fact_owners(reordered, shared_store())["agusti-role"] == "prillya-agusti"
    cut = Matcher(cut_phrasings(knowledge, 5))
    assert cut._answer_key("agusti-role") == "prillya-agusti"
    best = cut._first(cut.rank("which ministry is prillya from"), gap=False)
    assert best is not None
    assert cut._answer_key(cut.index.targets[best.target].id) == "prillya-agusti"


def test_a_count_whose_first_word_nothing_counts_counts_the_next_word(
    shipped_knowledge: Knowledge,
) -> None:
    """With five phrasings an entry, nothing counts "asian": "how many asian nations took
    part" counted Asians, which the number of countries never counts, so it was never
    answered. A first word nothing in the knowledge counts is a modifier of what is
    counted; a word something counts ("people") stays the one counted."""
    cut = Matcher(cut_phrasings(shipped_knowledge, 5))
    terms = cut.index.terms
    assert terms("how many asian nations took part in the tour").counted == {"asian", "country"}
    assert terms("how many people from each country came").counted == {"people"}
    found = cut.ask("how many asian nations took part in the tour")
    assert found.match is not None and found.match.id == "country-count", found
    assert not cut.ask("how many people from each country came").answered


def test_the_closest_phrasing_survives_a_shortlist_of_common_words(tmp_path: Path) -> None:
    """More phrasings than the shortlist holds share the question's only words; the one
    that is nothing but those words must still be scored, wherever it sits in the file."""
    topics = "\n".join(
        f"      - what does the article say about topic {n}" for n in range(SHORTLIST + 10)
    )
    qa = f"""\
qa:
  - id: details
    question: What does the article say about each topic?
    phrasings:
{topics}
    answer: A lot.
    cites: [tour-dates]
  - id: summary
    question: What is the article about?
    phrasings:
      - what is this article about
      - the article is about what
    answer: A study tour.
    cites: [organisers]
"""
    found = Matcher(load_knowledge(write_small_knowledge(tmp_path, qa=qa))).ask(
        "what's the article about"
    )
    assert found.outcome is Outcome.ANSWERED
    assert found.match is not None and found.match.id == "summary"


def test_a_common_word_is_not_mistaken_for_a_typo(matcher: Matcher) -> None:
    """A word one edit from a known word ("hour", "tour") is not a typo: "what hour is it" asks
    about something the article does not say. A real typo is still corrected: the wording
    signal reads "toor" as "tour", and the bot answers, or at worst offers the right entry
    (the sentence model reads "toor" as a different word)."""
    terms = matcher.index.terms
    assert terms("what hour is it").unknown == ("hour",)
    assert matcher.ask("what hour is it").outcome is Outcome.ABSTAINED
    assert terms("when was the toor").unknown == ()
    assert worded(matcher, "when was the toor")[0].coverage > 0.5
    found = matcher.ask("when was the toor")
    if found.answered:
        assert found.match is not None and found.match.id == "when"
    else:
        assert [s.id for s in found.suggestions][:1] == ["when"]


def test_a_symbol_that_asks_something_is_kept_as_a_word(shipped: Matcher) -> None:
    """A question for a percentage ("what % of ...") is one the article cannot answer;
    stripping "%" as punctuation would leave a question about two-wheelers."""
    assert Normaliser().normalise("what % of sales, in $?") == "what percent of sale in dollar"
    assert not shipped.ask("what % of india's two wheeler market is electric").answered


def test_chat_forms_are_read_as_the_words_they_stand_for(shipped: Matcher) -> None:
    """Contractions with or without the apostrophe, chat shorthand and padding phrases are
    general English, not unknown words (which would count against the question)."""
    normalise = Normaliser().normalise
    assert normalise("I don't know, whr r u from?") == "i do not know where are you from"
    assert normalise("i dont know wats up") == "i do not know what up"
    assert normalise("quick one: who ran it, acc to the article?") == "who ran it"
    message = "sorry to bother, didnt read the whole article - wen did the tour happen or nah"
    assert shipped.index.terms(message).unknown == ()
    found = shipped.ask(message)
    assert found.answered and found.match is not None and found.match.id == "when"


def test_everyday_typing_slips_are_not_topic_words(shipped: Matcher) -> None:
    """ "teh" is "the", even though a hand-written phrasing of one entry spells it so ("how
    long was teh tour"): otherwise any question typed with it leans to that entry."""
    assert Normaliser().normalise("whre was teh tour") == "where was the tour"
    found = shipped.ask("whre was teh tour")
    assert found.answered and found.match is not None and found.match.id == "where"


def test_a_stretched_word_is_read_as_the_word(shipped: Matcher) -> None:
    """Chat stretches words ("whennnn", "tourrr"); no English word has a letter three times
    running, so the run is read as two and the word as a typo of a known one."""
    normalise = Normaliser().normalise
    assert normalise("whennnn was the tourrr soooo") == "whenn was the tourr soo"
    assert normalise("the year 2000, www") == "the year 2000 ww"
    found = shipped.ask("whennnn was the tourrr")
    assert found.answered and found.match is not None and found.match.id == "when"
    assert shipped.ask("thanksss, byeee").outcome is Outcome.SMALL_TALK


def test_regional_particles_and_inner_apostrophes_are_chat_not_topic() -> None:
    """ "y'all" split at its apostrophe would read as "y" ("why") + "all"; "po", "yaar" and
    "lah" are politeness or tag particles; a plural stopword ("guys") is compared after
    plurals are folded, so it must be a stopword in its folded form too."""
    normalise = Normaliser().normalise
    assert normalise("did y'all see it, ma'am? it ain't clear") == (
        "did yall see it maam it is not clear"
    )
    assert content_tokens(normalise("who organised it po? tell me yaar, guys lah").split()) == [
        "who",
        "organised",
    ]


def test_an_everyday_unknown_word_counts_less_than_a_rare_one(
    shipped: Matcher, shipped_without_gaps: Matcher
) -> None:
    """ "my colleague's delegation" is chat around a question the article answers; "the
    mahindra delegation" names a company the article never mentions. Gaps are set aside:
    the rule is about words nothing knows, not about what gaps.yaml knows."""
    matcher = shipped_without_gaps

    def companies(question: str) -> Worded:
        return next(
            s
            for s in worded(matcher, question)
            if matcher.index.targets[s.target].id == "companies"
        )

    chatty = companies("which companies did my colleague's delegation visit")
    rare = companies("which companies did the mahindra delegation visit")
    assert chatty.coverage > rare.coverage
    assert chatty.confidence > rare.confidence + 5
    found = matcher.ask("which companies did my colleague's delegation visit")
    assert found.answered and found.match is not None and found.match.id == "companies"
    assert not shipped.ask("which companies did the mahindra delegation visit").answered


def test_a_question_the_article_does_not_answer_gets_what_the_gap_says(tmp_path: Path) -> None:
    """Closest to a gap: the bot says what the article lacks, offers only Q&As, and the gap
    is never something to answer, suggest or autocomplete."""
    knowledge = load_knowledge(write_small_knowledge(tmp_path, gaps=GAPS))
    matcher = Matcher(knowledge)
    found = matcher.ask("what did the tour cost")
    assert found.outcome is Outcome.ABSTAINED
    assert found.note == "The article doesn't say what the tour cost."
    assert all(s.id in knowledge.qas for s in found.suggestions) and found.match is None
    assert found.to_json()["note"] == found.note and found.to_json()["answer"] is None
    assert matcher.answer_id("gap-cost") is None
    assert all(s.id != "gap-cost" for s in complete(matcher, "how much did the tour"))
    # The Q&As around it still answer.
    assert matcher.ask("when was the tour").answered
    assert "note" not in matcher.ask("when was the tour").to_json()


def test_a_gap_scoring_above_the_best_answer_holds_it_back(tmp_path: Path) -> None:
    """Even with thresholds that would answer anything, a gap that scores higher than every
    answer means "the sources don't say"."""
    knowledge = load_knowledge(write_small_knowledge(tmp_path, gaps=GAPS))
    eager = Matcher(knowledge, Thresholds(answer=-5.0, meaning=-5.0, margin=-5.0))
    found = eager.ask("how much did the tour cost")
    assert not found.answered
    assert found.note == "The article doesn't say what the tour cost."
    assert eager.ask("when was the tour").answered


GAP_SAYS = """\
gaps:
  - id: gap-officials
    says: "{says}"
    phrasings:
      - did nitin gadkari meet them
      - was niti aayog there
"""


def test_what_a_gap_says_is_missing_counts_as_what_it_is_about(tmp_path: Path) -> None:
    """A gap is found by what it says the sources lack, not only by its phrasings, as a
    Q&A is by its answer: a moderator's gap with two phrasings still holds back the near
    misses its statement names. With a statement about something else, the same
    phrasings do not."""
    question = "did the delegates meet indian officials when they visited the companies?"
    says = "The article doesn't say whether the delegates met any Indian officials."
    knowledge = load_knowledge(
        write_small_knowledge(tmp_path / "says", gaps=GAP_SAYS.format(says=says))
    )
    held = Matcher(knowledge).ask(question)
    assert not held.answered and held.note == says

    other = GAP_SAYS.format(says="The article doesn't say what the tour cost.")
    elsewhere = Matcher(load_knowledge(write_small_knowledge(tmp_path / "other", gaps=other)))
    assert elsewhere.ask(question).note is None


def test_without_gaps_the_same_question_gets_no_note(matcher: Matcher) -> None:
    """The note comes from gaps.yaml alone. (Whether the bot then answers is the rule's
    call: without gaps.yaml nothing says the cost is unknown.)"""
    assert matcher.ask("what did the tour cost").note is None


def test_what_the_sources_lack_comes_with_what_they_answer_nearby(shipped: Matcher) -> None:
    """A gap's reply offers the Q&As the bot would have answered but for the gap (a
    target of theirs reaches the answer threshold), not every loose relative."""
    found = shipped.ask("who runs omega seiki")
    assert not found.answered and found.note is not None
    assert [s.id for s in found.suggestions] == ["omega-seiki"]
    knowledge, targets = shipped.knowledge, shipped.index.targets
    citing = {f: qa.id for qa in reversed(knowledge.qas.values()) for f in qa.cites}
    for question in ("how much did the tour cost", "was china there", "who is lohum's ceo"):
        found = shipped.ask(question)
        assert not found.answered and found.note is not None, question
        strong = {
            citing.get(targets[s.target].id, targets[s.target].id)
            for s in shipped.rank(question)
            if s.score >= shipped.thresholds.answer and targets[s.target].kind != "gap"
        }
        assert {s.id for s in found.suggestions} <= strong, question


def test_shipped_gaps_hold_back_what_the_article_does_not_say(shipped: Matcher) -> None:
    """Questions of the kinds gaps.yaml lists, worded apart from its phrasings."""
    for question in (
        "so who exactly is the boss of lohum?",
        "what year did the delegates visit delhi",
        "how many people went on the study tour?",
    ):
        found = shipped.ask(question)
        assert not found.answered, question
        assert found.note is not None and found.note.startswith("The article"), question


def test_rank_scores_targets_best_first(matcher: Matcher) -> None:
    ranked = matcher.rank("when was the tour")
    assert 1 <= len(ranked) <= len(matcher.index.targets)
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)
    assert matcher.index.targets[ranked[0].target].id == "when"
    assert all(s.score == pytest.approx(s.meaning + s.wording) for s in ranked)
    assert all(0 <= s.wording <= 1 and 0 <= s.confidence <= 100 for s in ranked)


def test_past_large_only_what_a_search_found_is_scored(
    shipped: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 100,000 Q&As the approximate meaning search leaves the targets it did not find at
    -1; scoring only the others and those the wording signal found ranks as scoring all."""
    question = "who organised the study tour in delhi"
    (vector,) = shipped.store.encode([question])
    worded = {s.target: s for s in shipped.wording.rank(shipped.index.terms(question))}
    closest = shipped.meaning.similarity(vector[None, :])[0].copy()
    unfound = np.random.default_rng(0).random(len(closest)) < 0.9
    closest[unfound] = -1.0  # as the approximate search leaves what it did not find
    everything = shipped._top(worded, closest)
    monkeypatch.setattr(matcher_module, "LARGE", matcher_module.TOP)
    found_only = shipped._top(worded, closest)
    # What it leaves out ranks below everything it keeps...
    assert len(found_only) < len(everything) == matcher_module.TOP
    assert [(s.target, s.score) for s in found_only] == [
        (s.target, s.score) for s in everything[: len(found_only)]
    ]
    # ... and what only the wording signal found is kept.
    assert any(unfound[s.target] and s.target in worded for s in found_only)
