"""Read YAML with line numbers, so every validation error can point at file and line.

``yaml.safe_load`` throws positions away, so we compose the document with the safe loader
and convert the node tree ourselves, remembering where each value started. Only plain
data (mappings, sequences, scalars) comes out; no tags are ever constructed into objects.

Composing uses libyaml (``CSafeLoader``) when PyYAML was built with it: the knowledge is
re-read on every edit and on every teach, and the C composer is several times faster. Both
loaders report the same (0-based) marks, so line numbers do not depend on which one ran.

Indentation mistakes get special care, because YAML often accepts them silently: a list
item indented one step too far is folded into the item above ("one - two"), which would
quietly merge two phrasings. A plain (unquoted) value that continues on a line starting
with ``- `` or ``field:`` is reported at that line instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

PathKey = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a knowledge file, phrased for a moderator."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        # A request that names no file position (an unknown id) prints as its reason only.
        if not self.file:
            return self.reason
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(slots=True)
class YamlDoc:
    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)
    text_lines: tuple[str, ...] = ()

    def line(self, *path: str | int) -> int:
        """Line of the value at ``path``, falling back to its nearest located parent."""
        key: PathKey = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


# One constructor for every document: scalar constructors are pure functions of the node
# (they keep no per-document state), so sharing it is safe across threads and saves
# building a loader for each value.
_CONSTRUCTOR = SafeConstructor()
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_COMPOSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A continuation line that reads like the start of a list item or of a field.
_LOOKS_LIKE_ITEM = re.compile(r"^(?:-(?:\s|$)|[A-Za-z_][\w-]*:(?:\s|$))")
# The fields of the knowledge files: a line inside a ``>-`` answer that starts with one of
# these is a field that was indented into the text, whatever its indentation.
_FIELD_LINE = re.compile(
    r"^(?:id|question|phrasings|answer|cites|fact|quote|paragraph|source|says|qa|gap"
    r"|phrasing|by|at|title|date|url):(?:\s|$)"
)


def _scalar(node: yaml.Node, doc: YamlDoc) -> Any:
    if node.tag == _TIMESTAMP:
        return str(node.value)  # a date such as 2026-12-05 stays text
    try:
        build = _CONSTRUCTOR.yaml_constructors[node.tag]
        return build(_CONSTRUCTOR, node)
    except (ConstructorError, KeyError) as err:
        problem = getattr(err, "problem", None) or f"tag {node.tag}"
        reason = f"unsupported YAML value ({problem}); use plain text, numbers and lists"
        raise YamlProblem(Problem(doc.file, node.start_mark.line + 1, reason)) from err


def _check_folded_lines(node: yaml.ScalarNode, doc: YamlDoc) -> None:
    """Report a value that swallowed a list item or a field written below it.

    YAML joins the lines of a plain value, so ``- one`` followed by ``  - two`` (indented
    too far) becomes the single phrasing "one - two", and nothing fails. In a ``>-`` or
    ``|`` block, a field indented deeper than the text (``cites:`` two spaces too far)
    becomes part of the answer. Quoted values are left alone: there the line breaks are
    the writer's choice.
    """
    if node.start_mark.line == node.end_mark.line:
        return
    block = node.style in (">", "|")
    if node.style not in (None, "") and not block:
        return
    first = node.start_mark.line + 1
    body_indent: int | None = None
    for number in range(first, min(node.end_mark.line + 1, len(doc.text_lines))):
        raw = doc.text_lines[number]
        line = raw.strip()
        if not line:
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if body_indent is None:
            body_indent = indent
            if block:
                continue
        if block and indent < body_indent:
            break  # the block ended; its end mark can lie on the next field's line
        if block and indent == body_indent and not _FIELD_LINE.match(line):
            continue
        if _LOOKS_LIKE_ITEM.match(line):
            reason = (
                "this line is not indented like the entry it belongs to, so YAML made it "
                f"part of the value above (which now reads {_preview(str(node.value))!r}); "
                "give it the same indentation as its neighbours"
            )
            raise YamlProblem(Problem(doc.file, number + 1, reason))


def _preview(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
)


def _convert(node: yaml.Node, path: PathKey, doc: YamlDoc) -> Any:
    doc.lines[path] = node.start_mark.line + 1
    if node.tag not in _PLAIN_TAGS:
        reason = f"unsupported YAML value (tag {node.tag}); use plain text, numbers and lists"
        raise YamlProblem(Problem(doc.file, node.start_mark.line + 1, reason))
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, doc)
            if isinstance(key, list | dict):
                raise YamlProblem(
                    Problem(doc.file, key_node.start_mark.line + 1, "a key must be plain text")
                )
            if key in result:
                raise YamlProblem(
                    Problem(
                        doc.file,
                        key_node.start_mark.line + 1,
                        f"the key {key!r} appears twice in the same block",
                    )
                )
            result[key] = _convert(value_node, (*path, str(key)), doc)
            # A field's problems are reported where its key is written.
            doc.lines[(*path, str(key))] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), doc) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.ScalarNode):
        _check_folded_lines(node, doc)
    return _scalar(node, doc)


# PyYAML's wording, and what it usually means in a hand-edited knowledge file.
_HINTS = (
    ("expected <block end>", "this line is indented differently from the lines around it"),
    ("did not find expected key", "this line is indented differently from the lines around it"),
    ("did not find expected '-'", "this line is indented differently from the lines around it"),
    (
        "mapping values are not allowed",
        "a 'field: value' here is indented too far, or a value containing ': ' needs quotes",
    ),
    (
        "could not find expected ':'",
        "a line here is neither 'field: value' nor '- item'; "
        "check its indentation, or quote the text",
    ),
    ("found character '\\t'", "a tab is used for indentation; use spaces"),
)


def _syntax_reason(err: yaml.MarkedYAMLError) -> str:
    said = err.problem or err.context or "unreadable"
    for pattern, hint in _HINTS:
        if pattern in said:
            return f"this is not valid YAML: {hint} (YAML says: {said})"
    return f"this is not valid YAML: {said}"


def parse_yaml(text: str, file: str) -> YamlDoc:
    doc = YamlDoc(file=file, data=None, text_lines=tuple(text.splitlines()))
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        _raise_earlier_cause(doc, line)
        raise YamlProblem(Problem(file, line, _syntax_reason(err))) from err
    except yaml.YAMLError as err:
        raise YamlProblem(Problem(file, 1, f"this is not valid YAML: {err}")) from err
    if node is not None:
        doc.data = _convert(node, (), doc)
    return doc


def _raise_earlier_cause(doc: YamlDoc, line: int) -> None:
    """Report the real mistake when YAML only trips over it lines later.

    A list item indented one space short can make every following item part of one long
    value, until a line with ``: `` in it finally breaks the parse, maybe a hundred lines
    below. Reading the file up to the failing line, and checking that part for a value
    that swallowed items, finds the line the moderator has to fix.
    """
    prefix = "\n".join(doc.text_lines[: max(0, line - 1)])
    earlier = YamlDoc(file=doc.file, data=None, text_lines=doc.text_lines[: max(0, line - 1)])
    try:
        node = yaml.compose(prefix, Loader=_COMPOSER)
        if node is not None:
            _convert(node, (), earlier)
    except YamlProblem as problem:
        if problem.problem.line < line:
            raise
    except yaml.YAMLError:
        return


def load_yaml(path: Path, display_name: str | None = None) -> YamlDoc:
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise YamlProblem(Problem(name, 1, f"the file is not UTF-8 text ({err.reason})")) from err
    return parse_yaml(text, name)
