"""Reproducible synthetic knowledge bases and question streams for the matcher benchmarks.

The shipped knowledge has a few dozen Q&As; to see how the matcher scales we need bases of
1,000 to 100,000 Q&As that look like real ones: canonical questions with several human
phrasings ("when did the {event} in {city} take place", "who organised {event}"), typos
(a dropped or swapped letter), abbreviations ("intl", "govt", "EV"), a vocabulary that grows
with the base (made-up company, person and programme names) and facts whose citations are
verbatim quotes from the real article. Everything is built from ``random.Random(seed)``,
so a seed and a size always give the same base and the same questions.

The dataclasses are constructed directly (no YAML), so building 100,000 Q&As takes seconds.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.article import Article, load_article
from bot.knowledge.loader import QA, Citation, Fact, Knowledge
from bot.matching.evaluation import Labelled
from bot.matching.textnorm import STOPWORDS

ARTICLE_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "article.txt"

# Variants the synthetic normaliser folds, like knowledge/synonyms.yaml does for the real one.
SYNONYMS: dict[str, str] = {
    "EV": "electric vehicle",
    "e.v.": "electric vehicle",
    "intl": "international",
    "govt": "government",
    "HQ": "headquarters",
    "KL": "Kuala Lumpur",
    "HCMC": "Ho Chi Minh City",
    "2W": "two-wheeler",
}

# Abbreviations people type; some are synonyms above, some stay distinct words ("conf").
ABBREVIATIONS: dict[str, str] = {
    "electric vehicle": "EV",
    "international": "intl",
    "government": "govt",
    "headquarters": "HQ",
    "Kuala Lumpur": "KL",
    "Ho Chi Minh City": "HCMC",
    "two-wheeler": "2W",
    "conference": "conf",
    "organisation": "org",
    "programme": "program",
    "organised": "organized",
    "information": "info",
    "delegates": "delegs",
    "participants": "participnts",
}

_SYLLABLES = (
    "ka lo ren vi ta mor sen du pra xe li no ga ri bel ton sha mi ve ro zan qui hal der fin "
    "jo ku mar nel os pe sol tra um wen yo za bra cor dal"
).split()

CITIES = (
    "New Delhi|Mumbai|Bengaluru|Chennai|Kolkata|Hyderabad|Pune|Ahmedabad|Jaipur|Lucknow|"
    "Dhaka|Chittagong|Thimphu|Paro|Bangkok|Chiang Mai|Phuket|Colombo|Kandy|Galle|Manila|"
    "Cebu|Davao|Hanoi|Ho Chi Minh City|Da Nang|Jakarta|Surabaya|Bandung|Kuala Lumpur|Penang|"
    "Singapore|Kathmandu|Pokhara|Male|Islamabad|Lahore|Karachi|Tokyo|Osaka|Seoul|Busan|"
    "Taipei|Beijing|Shanghai|Shenzhen|Ulaanbaatar|Tashkent|Almaty|Yangon|Phnom Penh|"
    "Vientiane|Gurugram|Noida|Faridabad|Ghaziabad|Chandigarh|Kochi|Indore|Bhopal|Nagpur|"
    "Surat|Vadodara|Coimbatore|Mysuru|Visakhapatnam|Patna|Guwahati|Dehradun|Shimla"
).split("|")

COUNTRIES = (
    "India|Indonesia|Bangladesh|Bhutan|Thailand|Sri Lanka|Philippines|Vietnam|Nepal|"
    "Maldives|Pakistan|Malaysia|Singapore|Japan|South Korea|Mongolia|Cambodia|Laos|Myanmar|"
    "Uzbekistan|Kazakhstan"
).split("|")

EVENT_ADJECTIVES = (
    "regional|international|annual|national|Asian|joint|ministerial|technical|youth|industry|"
    "city-level|South Asian|cross-border|virtual|high-level"
).split("|")

TOPICS = (
    "battery recycling|charging infrastructure|electric bus|two-wheeler|three-wheeler|"
    "battery swapping|green hydrogen|e-mobility finance|fleet electrification|"
    "clean transport|sustainable mobility|urban freight|last-mile delivery|"
    "electric vehicle policy|battery manufacturing|grid integration|circular economy|"
    "public transport|emission reduction|electric vehicle"
).split("|")

EVENT_KINDS = (
    "study tour|summit|workshop|conference|expo|roundtable|forum|site visit|"
    "training programme|knowledge exchange|dialogue|bootcamp"
).split("|")

COMPANY_SUFFIXES = (
    "Mobility|Motors|Energy|Power|Cells|Recycling|Electric|Automotive|Charging|Batteries"
).split("|")

PRODUCTS = (
    "electric two-wheelers|electric three-wheelers|lithium-ion battery packs|"
    "recycled battery materials|charging stations|electric buses|cargo vehicles|"
    "battery management systems|electric tractors|swappable batteries"
).split("|")

FIRST_NAMES = (
    "Prillya Amara Rahul Siti Nguyen Tashi Kamal Anjali Budi Maria Sunil Dewi Arjun Mei "
    "Farhan Nimal Lakshmi Joko Karma Thanh Ayesha Rizal Sonam Kavya Ahmad Linh Ravi Nadia "
    "Somchai Isuru"
).split()

MINISTRIES = (
    "Ministry of Transportation|Ministry of Environment|Ministry of Energy|"
    "Department of Transport|Ministry of Industry|Urban Development Authority|"
    "Ministry of Road Transport|Climate Change Secretariat"
).split("|")

ORG_KINDS = "Council|Partnership|Alliance|Institute|Foundation|Agency|Network|Secretariat".split(
    "|"
)
PROGRAMME_AREAS = (
    "Clean Transport|Green Mobility|Battery Circularity|Urban Electrification|Low Emission|"
    "Sustainable Freight|Zero Emission Bus|EV Readiness|Charging Access"
).split("|")
PROGRAMME_KINDS = (
    "Partnership|Initiative|Alliance|Leadership Group|Network|Programme|Platform".split("|")
)
GOALS = (
    "tailored capacity building|technical assistance|shared charging standards|"
    "battery recycling rules|financing for electric buses|knowledge sharing between cities|"
    "cleaner public transport|lower transport emissions"
).split("|")

MONTHS = (
    "January February March April May June July August September October November December"
).split()

# Off-topic questions: some share words with the knowledge ("price", cities), most do not.
OFF_TOPIC_TEMPLATES = (
    "what is the price of a {car}",
    "how much does a {car} cost in {city}",
    "what's the weather like in {city} today",
    "who won the {sport} world cup in {year}",
    "how do i bake {food}",
    "recipe for {food}",
    "what time is it in {city}",
    "can you recommend a good {thing}",
    "how do i reset my {thing}",
    "what is the capital of {country}",
    "tell me a joke about {thing}",
    "who is the prime minister of {country}",
    "best {food} in {city}",
    "is {car} better than {car2}",
    "how tall is mount everest",
    "what is the meaning of life",
    "translate hello into {language}",
    "what's {n} times {n2}",
)
_CARS = "Tata Nexon|Hyundai Kona|Tesla Model 3|MG ZS|BYD Atto 3|Ola S1|Ather 450X|Kia EV6".split(
    "|"
)
_SPORTS = "cricket|football|hockey|rugby|badminton|kabaddi".split("|")
_FOODS = "sourdough bread|banana cake|biryani|pad thai|momos|pancakes|lasagne".split("|")
_THINGS = "laptop|router|phone|vacuum cleaner|podcast|novel|password|smartwatch".split("|")
_LANGUAGES = "French|Hindi|Thai|Bengali|Japanese|Tagalog".split("|")

_SENTENCE_END = re.compile(r"(?<=[.!?”])\s+")


@dataclass(frozen=True, slots=True)
class _Aspect:
    key: str
    question: str
    phrasings: tuple[str, ...]
    answer: str


# -- small random helpers ------------------------------------------------------------------


def _name(rng: random.Random, syllables: int | None = None) -> str:
    count = syllables if syllables is not None else rng.choice((2, 3, 3))
    return "".join(rng.choice(_SYLLABLES) for _ in range(count)).capitalize()


def _acronym(words: str) -> str:
    return "".join(w[0] for w in re.split(r"[\s-]+", words) if w and w[0].isalpha()).upper()


def typo(text: str, rng: random.Random) -> str:
    """Drop or swap a letter inside one longer content word (a realistic keyboard slip)."""
    words = text.split(" ")
    candidates = [
        i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha() and w.lower() not in STOPWORDS
    ]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    pos = rng.randrange(1, len(word) - 2)
    if rng.random() < 0.5:
        word = word[:pos] + word[pos + 1 :]  # dropped letter
    else:
        word = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]  # swapped letters
    words[i] = word
    return " ".join(words)


def abbreviate(text: str, rng: random.Random) -> str:
    """Replace one long form with the abbreviation people type, if the text has one."""
    found = [long for long in ABBREVIATIONS if long.lower() in text.lower()]
    if not found:
        return text
    long = rng.choice(found)
    start = text.lower().index(long.lower())
    return text[:start] + ABBREVIATIONS[long] + text[start + len(long) :]


def article_quotes(article: Article) -> list[Citation]:
    """Verbatim spans of the article (sentences and clauses) that a fact can cite."""
    quotes: list[Citation] = []
    for paragraph in article.paragraphs:
        pieces: dict[str, None] = {}
        for sentence in _SENTENCE_END.split(paragraph.text):
            pieces[sentence.strip()] = None
            for clause in sentence.split(", "):
                pieces[clause.strip()] = None
        for piece in pieces:
            if 20 <= len(piece) <= 300 and piece in paragraph.text:
                quotes.append(Citation(paragraph.number, piece))
    return quotes


# -- subjects and their aspects ------------------------------------------------------------


def _event_aspects(rng: random.Random, key: tuple[str, ...]) -> tuple[list[_Aspect], str]:
    adjective, topic, kind, city = key
    event = f"{adjective} {topic} {kind}"
    org = f"{_name(rng)} {rng.choice(PROGRAMME_AREAS)} {rng.choice(ORG_KINDS)}"
    month, day, year = rng.choice(MONTHS), rng.randint(1, 27), rng.randint(2012, 2025)
    nations = rng.sample(COUNTRIES, rng.randint(3, 9))
    e, c = event, city
    aspects = [
        _Aspect(
            "when",
            f"When did the {e} in {c} take place?",
            (
                f"when was the {e} in {c}",
                f"what dates was the {c} {e} held",
                f"when did the {e} happen in {c}",
                f"date of the {e} {c}",
                f"which days did the {e} in {c} run",
                f"when did {org} hold the {e} in {c}",
            ),
            f"It took place on {month} {day} and {day + 1}, {year}.",
        ),
        _Aspect(
            "organiser",
            f"Who organised the {e} in {c}?",
            (
                f"who organized the {e} in {c}",
                f"who ran the {c} {e}",
                f"which organisation hosted the {e} in {c}",
                f"organisers of the {e} in {c}",
                f"who was behind the {e} held in {c}",
                f"who put together the {c} {e}",
            ),
            f"It was organised by the {org}.",
        ),
        _Aspect(
            "count",
            f"How many countries took part in the {e} in {c}?",
            (
                f"how many nations attended the {e} in {c}",
                f"number of countries at the {c} {e}",
                f"how many delegations came to the {e} in {c}",
                f"how many countries joined the {e} {c}",
                f"count of participating nations {c} {e}",
            ),
            f"{len(nations)} countries took part.",
        ),
        _Aspect(
            "countries",
            f"Which countries attended the {e} in {c}?",
            (
                f"which nations were at the {e} in {c}",
                f"who attended the {c} {e}",
                f"list the countries at the {e} in {c}",
                f"what countries sent delegates to the {e} in {c}",
                f"participants of the {e} in {c}",
            ),
            "Delegates came from " + ", ".join(nations) + ".",
        ),
        _Aspect(
            "purpose",
            f"What was the aim of the {e} in {c}?",
            (
                f"why was the {e} in {c} held",
                f"purpose of the {c} {e}",
                f"what was the {e} in {c} for",
                f"what was the goal of the {e} organised by {org}",
                f"why did {org} organise the {e} in {c}",
            ),
            f"To share experience on {topic} and support {rng.choice(GOALS)}.",
        ),
        _Aspect(
            "duration",
            f"How long did the {e} in {c} last?",
            (
                f"how many days was the {e} in {c}",
                f"length of the {c} {e}",
                f"was the {e} in {c} a one day event",
                f"duration of the {e} in {c}",
            ),
            "Two days.",
        ),
    ]
    fact = f"The {e} in {c} was held on {month} {day} and {day + 1}, {year}, organised by {org}."
    return aspects, fact


def _company_aspects(rng: random.Random, key: tuple[str, ...]) -> tuple[list[_Aspect], str]:
    (company,) = key
    product, city = rng.choice(PRODUCTS), rng.choice(CITIES)
    co = company
    aspects = [
        _Aspect(
            "what",
            f"What does {co} do?",
            (
                f"what is {co}",
                f"tell me about {co}",
                f"what kind of company is {co}",
                f"what does {co} make",
                f"{co} what do they do",
                f"describe {co}",
            ),
            f"{co} makes {product}.",
        ),
        _Aspect(
            "where",
            f"Where is {co} based?",
            (
                f"where is {co} located",
                f"where are {co} headquarters",
                f"which city is {co} in",
                f"location of {co}",
                f"where can i find {co}",
            ),
            f"{co} is based in {city}.",
        ),
        _Aspect(
            "visit",
            f"Why did delegates visit {co}?",
            (
                f"why was {co} on the tour",
                f"what did participants see at {co}",
                f"what was learned at {co}",
                f"why go to {co}",
                f"what happened during the visit to {co}",
            ),
            f"To see how {co} builds {product}.",
        ),
    ]
    return aspects, f"{co} is a {city}-based maker of {product}."


def _person_aspects(rng: random.Random, key: tuple[str, ...]) -> tuple[list[_Aspect], str]:
    first, last = key
    person = f"{first} {last}"
    country, ministry, topic = rng.choice(COUNTRIES), rng.choice(MINISTRIES), rng.choice(TOPICS)
    aspects = [
        _Aspect(
            "who",
            f"Who is {person}?",
            (
                f"who's {person}",
                f"what does {person} do",
                f"what is {person}'s role",
                f"which ministry does {person} work for",
                f"tell me about {person}",
                f"who is {last} from {country}",
            ),
            f"{person} represented {country}'s {ministry}.",
        ),
        _Aspect(
            "said",
            f"What did {person} say?",
            (
                f"what was {person}'s quote",
                f"quote from {person}",
                f"what did {last} say about {topic}",
                f"what did the participant {person} from {country} say",
                f"{person} statement",
            ),
            f"{person} spoke about learning from each other on {topic}.",
        ),
    ]
    return aspects, f"{person} of {country}'s {ministry} spoke about {topic}."


def _programme_aspects(rng: random.Random, key: tuple[str, ...]) -> tuple[list[_Aspect], str]:
    name, area, kind = key
    programme = f"{name} {area} {kind}"
    acronym = _acronym(programme)
    org = f"{_name(rng)} {rng.choice(ORG_KINDS)}"
    goal = rng.choice(GOALS)
    p, a = programme, acronym
    aspects = [
        _Aspect(
            "what",
            f"What is the {p} ({a})?",
            (
                f"what is {a}",
                f"what does {a} stand for",
                f"explain the {p}",
                f"what is the {p} about",
                f"{a} meaning",
            ),
            f"The {p} ({a}) is a multilateral effort on {area.lower()}.",
        ),
        _Aspect(
            "aim",
            f"What does the {p} aim to achieve?",
            (
                f"goal of {a}",
                f"what is the purpose of the {p}",
                f"what will {a} do",
                f"why was the {p} set up",
                f"aims of the {p}",
            ),
            f"It aims to provide {goal}.",
        ),
        _Aspect(
            "who",
            f"Who runs the {p}?",
            (
                f"who leads {a}",
                f"which organisation is behind the {p}",
                f"who manages {a}",
                f"who is in charge of the {p}",
            ),
            f"It is run by the {org}.",
        ),
    ]
    return aspects, f"The {p} ({a}), run by the {org}, supports {goal}."


_SubjectMaker = Callable[[random.Random, tuple[str, ...]], tuple[list[_Aspect], str]]


def _subject_key(rng: random.Random, kind: str) -> tuple[str, ...]:
    if kind == "event":
        return (
            rng.choice(EVENT_ADJECTIVES),
            rng.choice(TOPICS),
            rng.choice(EVENT_KINDS),
            rng.choice(CITIES),
        )
    if kind == "company":
        return (f"{_name(rng)} {rng.choice(COMPANY_SUFFIXES)}",)
    if kind == "person":
        return (rng.choice(FIRST_NAMES), _name(rng))
    return (_name(rng, 2), rng.choice(PROGRAMME_AREAS), rng.choice(PROGRAMME_KINDS))


_MAKERS: dict[str, _SubjectMaker] = {
    "event": _event_aspects,
    "company": _company_aspects,
    "person": _person_aspects,
    "programme": _programme_aspects,
}
_KIND_WEIGHTS = (("event", 0.4), ("company", 0.25), ("person", 0.2), ("programme", 0.15))


def _slug(*parts: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", " ".join(parts).lower()).strip("-")


def _phrasings(aspect: _Aspect, rng: random.Random) -> tuple[str, ...]:
    """4-6 phrasings: template rewordings, plus typo'd and abbreviated variants."""
    wanted = rng.randint(4, 6)
    pool = list(aspect.phrasings)
    rng.shuffle(pool)
    chosen = pool[: max(2, wanted - 2)]
    variants = [typo(rng.choice(chosen), rng), abbreviate(rng.choice(pool), rng)]
    seen = {aspect.question.lower().rstrip("?")}
    result: list[str] = []
    for text in chosen + variants + pool:
        if text.lower() not in seen and len(result) < wanted:
            seen.add(text.lower())
            result.append(text)
    return tuple(result)


def build_knowledge(size: int, seed: int = 0, article: Article | None = None) -> Knowledge:
    """A knowledge base of exactly ``size`` Q&As (about size/2.5 facts), same for same seed."""
    rng = random.Random(f"tourbot-synthetic-{seed}-{size}")
    article = article or load_article(ARTICLE_PATH)
    quotes = article_quotes(article)
    kinds = [k for k, _ in _KIND_WEIGHTS]
    weights = [w for _, w in _KIND_WEIGHTS]
    facts: dict[str, Fact] = {}
    qas: dict[str, QA] = {}
    seen_subjects: set[tuple[str, ...]] = set()
    while len(qas) < size:
        kind = rng.choices(kinds, weights)[0]
        key = _subject_key(rng, kind)
        if (kind, *key) in seen_subjects:
            continue
        seen_subjects.add((kind, *key))
        aspects, fact_text = _MAKERS[kind](rng, key)
        subject = _slug(kind[0], str(len(seen_subjects)))
        fact = Fact(f"{subject}-fact", fact_text, rng.choice(quotes))
        facts[fact.id] = fact
        keep = rng.randint(2, len(aspects))
        for aspect in rng.sample(aspects, keep):
            if len(qas) == size:
                break
            qa_id = f"{subject}-{aspect.key}"
            qas[qa_id] = QA(
                qa_id, aspect.question, _phrasings(aspect, rng), aspect.answer, (fact.id,)
            )
    return Knowledge(article, facts, qas, dict(SYNONYMS))


# -- questions to ask ----------------------------------------------------------------------

_FILLERS_BEFORE = ("", "", "", "hey bot, ", "quick question: ", "pls ", "do you know ", "so ")
_FILLERS_AFTER = ("", "", "", "?", "??", " please", " thanks", " again")


def perturb(text: str, rng: random.Random) -> str:
    """How a person retypes a known question: typos, dropped words, fillers, case."""
    roll = rng.random()
    if roll < 0.3:
        text = typo(text, rng)
    elif roll < 0.45:
        text = abbreviate(text, rng)
    elif roll < 0.6:
        words = text.split()
        if len(words) > 3:
            del words[rng.randrange(len(words))]
        text = " ".join(words)
    elif roll < 0.7:
        text = typo(typo(text, rng), rng)
    if rng.random() < 0.3:
        text = text.lower() if rng.random() < 0.7 else text.upper()
    return rng.choice(_FILLERS_BEFORE) + text.rstrip("?") + rng.choice(_FILLERS_AFTER)


def off_topic(rng: random.Random) -> str:
    template = rng.choice(OFF_TOPIC_TEMPLATES)
    car, car2 = rng.sample(_CARS, 2)
    return template.format(
        car=car,
        car2=car2,
        city=rng.choice(CITIES),
        sport=rng.choice(_SPORTS),
        year=rng.randint(1990, 2024),
        food=rng.choice(_FOODS),
        thing=rng.choice(_THINGS),
        country=rng.choice(COUNTRIES),
        language=rng.choice(_LANGUAGES),
        n=rng.randint(2, 99),
        n2=rng.randint(2, 99),
    )


def sample_labelled(
    knowledge: Knowledge, count: int, seed: int = 0, off_topic_share: float = 0.3
) -> list[Labelled]:
    """``count`` questions, each labelled with the Q&A it was made from (None: off-topic).

    Perturbed in-KB phrasings mixed with off-topic questions, reproducibly: the same
    knowledge, count and seed always give the same list.
    """
    rng = random.Random(f"tourbot-questions-{seed}-{count}")
    qas: Sequence[QA] = list(knowledge.qas.values())
    questions: list[Labelled] = []
    for _ in range(count):
        if not qas or rng.random() < off_topic_share:
            questions.append(Labelled(off_topic(rng), None, "out_of_scope"))
            continue
        qa = rng.choice(qas)
        source = rng.choice((qa.question, *knowledge.phrasings(qa)))
        questions.append(Labelled(perturb(source, rng), qa.id, "in_scope"))
    return questions


def sample_questions(
    knowledge: Knowledge, count: int, seed: int = 0, off_topic_share: float = 0.3
) -> list[str]:
    """The questions of :func:`sample_labelled`, without their labels."""
    return [item.question for item in sample_labelled(knowledge, count, seed, off_topic_share)]
