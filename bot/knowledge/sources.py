"""Sources: the documents answers may quote, the article first among them.

The article (``knowledge/article.txt``) is the default source, with the id ``article``;
it stays where it always was so existing facts, links and deployments keep working. News
that the article does not contain (an announcement, a follow-up report) goes into
``knowledge/sources/<id>.md``: YAML front matter with ``title``, ``date`` (YYYY-MM-DD) and
an optional ``url``, then body paragraphs separated by blank lines. A fact names such a
source with ``source: <id>`` and its ``paragraph`` counts that file's body paragraphs from
1 (lines starting with ``#`` are headings and are not counted, as the article's headings
are not).

Each source is parsed into the same :class:`Article` shape, so quoting, the closest
passage for a mistyped quote and paragraph numbers work the same for every source.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.article import Article, Paragraph
from bot.knowledge.yamlsource import Problem, YamlProblem, parse_yaml

ARTICLE_ID = "article"
SOURCES_DIR = "sources"
SOURCE_SUFFIX = ".md"

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FIELDS = ("title", "date", "url")
_TITLE_MAX = 200


@dataclass(frozen=True, slots=True)
class Source:
    """One document answers may quote; ``document`` holds its numbered paragraphs."""

    id: str
    title: str
    document: Article
    file: str
    date: str | None = None
    url: str | None = None


class SourceError(Exception):
    """Every problem found in one source file."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def article_source(article: Article, file: str) -> Source:
    return Source(ARTICLE_ID, article.title, article, file)


def source_files(directory: Path) -> list[Path]:
    """The ``sources/*.md`` files of a knowledge directory, in name order."""
    folder = directory / SOURCES_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"*{SOURCE_SUFFIX}") if p.is_file())


def parse_source(source_id: str, text: str, file: str) -> Source:
    """Parse one ``sources/<id>.md`` file; raise SourceError naming every problem."""
    problems: list[Problem] = []
    if source_id == ARTICLE_ID:
        reason = f"the id {ARTICLE_ID!r} is the article (article.txt); rename this file"
        raise SourceError([Problem(file, 1, reason)])
    if not _ID.match(source_id):
        reason = (
            f"the file name gives the id {source_id!r}; use lowercase letters, digits "
            "and dashes, e.g. sources/workshop-announcement.md"
        )
        raise SourceError([Problem(file, 1, reason)])
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        reason = "a source starts with front matter: a '---' line, title:, date:, then '---'"
        raise SourceError([Problem(file, 1, reason)])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise SourceError(
            [Problem(file, 1, "the front matter has no closing '---' line")]
        ) from None
    # Parse the front matter with blank lines in front, so its line numbers are the file's.
    try:
        front = parse_yaml("\n" + "\n".join(lines[1:end]), file)
    except YamlProblem as err:
        raise SourceError([err.problem]) from err
    data = front.data if isinstance(front.data, dict) else {}
    if not isinstance(front.data, dict):
        problems.append(Problem(file, 2, "the front matter must be 'field: value' lines"))
    for name in sorted(str(k) for k in data if k not in _FIELDS):
        problems.append(
            Problem(file, front.line(name), f"unknown field {name!r} (known: title, date, url)")
        )
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem(file, front.line("title"), "the front matter needs a 'title:'"))
    elif len(title) > _TITLE_MAX:
        reason = f"the title is longer than {_TITLE_MAX} characters"
        problems.append(Problem(file, front.line("title"), reason))
    date = data.get("date")
    if date is None:
        problems.append(Problem(file, front.line("date"), "the front matter needs a 'date:'"))
    elif not _valid_date(str(date)):
        reason = f"the date {date!s} must be a real date written YYYY-MM-DD, e.g. 2026-12-05"
        problems.append(Problem(file, front.line("date"), reason))
    url = data.get("url")
    if url is not None and (
        not isinstance(url, str) or not re.match(r"^https?://\S+$", url.strip())
    ):
        reason = "the url must start with http:// or https:// and contain no spaces"
        problems.append(Problem(file, front.line("url"), reason))
    paragraphs = _paragraphs(lines[end + 1 :])
    if not paragraphs:
        problems.append(
            Problem(file, end + 1, "the source has no paragraphs after its front matter")
        )
    if problems:
        raise SourceError(problems)
    assert isinstance(title, str)
    document = Article(title=title.strip(), subtitle="", paragraphs=tuple(paragraphs))
    clean_url = url.strip() if isinstance(url, str) else None
    return Source(source_id, title.strip(), document, file, str(date), clean_url)


def _valid_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _paragraphs(body: list[str]) -> list[Paragraph]:
    """Blank-line separated blocks; a block of ``#`` heading lines names the section."""
    paragraphs: list[Paragraph] = []
    section: str | None = None
    block: list[str] = []

    def flush() -> None:
        nonlocal section
        text = " ".join(line.strip() for line in block if line.strip())
        block.clear()
        if not text:
            return
        if text.startswith("#"):
            section = text.lstrip("#").strip() or None
            return
        paragraphs.append(Paragraph(len(paragraphs) + 1, section, text))

    for line in body:
        if line.strip():
            block.append(line)
        else:
            flush()
    flush()
    return paragraphs


def load_source(path: Path, display_name: str | None = None) -> Source:
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise SourceError([Problem(name, 1, f"the file is not UTF-8 text ({err.reason})")]) from err
    except OSError as err:
        raise SourceError([Problem(name, 1, f"cannot read the source: {err.strerror}")]) from err
    return parse_source(path.stem, text, name)
